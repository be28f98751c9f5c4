/**
 * What may go upstream, field by field. Every command's wire fields pass through
 * checkCommandFields (defineCommand wraps each definition's toFields with it), so no path that
 * builds a command — a resolver, a loader, node(id:), federation _entities — can send a string
 * longer than its field allows or with characters its field does not take. A refusal is an
 * InvalidInputError (BAD_USER_INPUT) thrown before the budget is asked and before any POST.
 *
 * Codes (event names, sections, rows, price codes, ticket types) are client data, so the rules
 * are about shape, not values: short, printable ASCII, no list separators, no markup.
 */

/**
 * Letters, digits and a little punctuation: what codes are made of, and nothing that is markup or a
 * separator. A code may start with an underscore (ticket types such as "_A" are common).
 */
const CODE = /^[A-Za-z0-9_](?:[A-Za-z0-9 ._\-/+#]*[A-Za-z0-9._\-/+#])?$/;
/** RFC 5321: 64 for the local part, 254 for the whole path; dot-atom local part, LDH domain labels. */
const EMAIL =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
/** Control characters, and the characters of markup. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f<>]/;

export const MAX_EVENT_NAME = 8;

interface Rule {
  max: number;
  test: (value: string) => boolean;
}

const code = (max: number): Rule => ({ max, test: (v) => CODE.test(v) });

/** Rules by wire field name; any other string: at most 128 characters, no control characters or markup. */
const RULES: Record<string, Rule> = {
  event_name: code(MAX_EVENT_NAME),
  prev_event_name: code(MAX_EVENT_NAME),
  event_filter: {
    max: 100 * (MAX_EVENT_NAME + 1),
    test: (v) => v.split(',').every((n) => n.length <= MAX_EVENT_NAME && CODE.test(n)),
  },
  section: code(10),
  section_name: code(10),
  row: code(10),
  row_name: code(10),
  price_code: code(12),
  ticket_type: code(12),
  ticket_type_code: code(12),
  email: { max: 254, test: (v) => EMAIL.test(v) && v.indexOf('@') <= 64 },
};
const DEFAULT_RULE: Rule = { max: 128, test: (v) => !UNSAFE.test(v) };

export class InvalidInputError extends Error {
  readonly code = 'BAD_USER_INPUT';
  constructor(
    readonly command: string,
    readonly field: string,
  ) {
    super(`${command}: "${field}" is not a value the ticketing service takes`);
    this.name = 'InvalidInputError';
  }

  extensions(): Record<string, unknown> {
    return { code: this.code, field: this.field };
  }
}

/**
 * Whether `value` fits the wire field `field` (its rule above, or the default one): for checks
 * made early, per argument, so that a bad value is refused before the reads that would precede
 * its command.
 */
export function fitsField(field: string, value: string): boolean {
  const rule = RULES[field] ?? DEFAULT_RULE;
  return value.length <= rule.max && rule.test(value);
}

/** Whether `name` can be an event name upstream (1–8 code characters). */
export function isEventName(name: string): boolean {
  return name.length >= 1 && name.length <= MAX_EVENT_NAME && CODE.test(name);
}

function check(command: string, key: string, value: unknown): void {
  if (typeof value === 'string') {
    const rule = RULES[key] ?? DEFAULT_RULE;
    if (value.length > rule.max || !rule.test(value)) throw new InvalidInputError(command, key);
  } else if (Array.isArray(value)) {
    for (const item of value) check(command, key, item);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) check(command, k, v);
  }
}

/** The fields, unchanged, when every string in them fits its field; else InvalidInputError. */
export function checkCommandFields<F extends Record<string, unknown>>(
  command: string,
  fields: F,
): F {
  for (const [k, v] of Object.entries(fields)) check(command, k, v);
  return fields;
}
