/**
 * Quirk-tolerant readers of command1 answers (protocol reference §6), and the result check every
 * command's parser starts with. The service sends numbers as strings and strings as numbers,
 * money as `177.7` or `"177.70"`, `Count` or `count`, `error_desc` or `error_detail`, omits
 * optional fields and adds unknown ones: these readers accept all of that, and turn anything they
 * cannot read into a ProtocolError that names the field (never a TypeError deep in a resolver).
 */
import { checkCommandFields } from './inputs.js';
import type { CommandFailure } from '../protocol/errors.js';
import type { Command1Response, CommandKind, CommandName, Product } from '../protocol/wire.js';
import { ArchticsCommandError, ProtocolError } from './errors.js';
import type { CachePolicy, Cents, CommandContext, CommandDef } from './types.js';

/** The command a reader works for: named in every error it throws. */
type DefIdentity = Pick<CommandDef<unknown, unknown>, 'name' | 'kind'>;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function protocolError(
  def: DefIdentity,
  path: string,
  problem: string,
  value?: unknown,
): ProtocolError {
  const shown = value === undefined ? '' : `: ${JSON.stringify(value)?.slice(0, 60)}`;
  // A write's answer we cannot read still means the service executed it: never re-send blindly.
  return new ProtocolError(`${def.name}: field "${path}" ${problem}${shown}`, undefined, {
    command: def.name,
    kind: def.kind,
    outcomeUnknown: def.kind === 'write',
  });
}

// ── Scalars: pure conversions, undefined when the value cannot be read ─────────────────────────

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/** An integer from a JSON number or a numeric string ("100479"). */
export function toInt(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (!INTEGER.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Exact integer cents from `177.7`, `"177.70"`, `"-3.5"` or `5`. Goes through the decimal text,
 * never float arithmetic (177.7 * 100 is 17769.999…). More than two decimals are accepted only
 * when the extra digits are zeros: a fraction of a cent is not money we can represent.
 */
export function toCents(value: unknown): Cents | undefined {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    text = String(value); // shortest round-trip form: 177.7 → "177.7"
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return undefined;
  }
  const match = DECIMAL.exec(text);
  if (!match) return undefined; // also rejects exponent forms such as "1e21"
  const [, sign, whole = '', fraction = ''] = match;
  if (whole === '' && fraction === '') return undefined;
  if (/[1-9]/.test(fraction.slice(2))) return undefined;
  const cents = Number(whole || '0') * 100 + Number(fraction.slice(0, 2).padEnd(2, '0'));
  if (!Number.isSafeInteger(cents)) return undefined;
  return sign === '-' && cents !== 0 ? -cents : cents;
}

/** The wire form of an amount: integer cents → decimal string with two places (12345 → "123.45"). */
export function centsToDecimal(cents: Cents): string {
  if (!Number.isSafeInteger(cents))
    throw new RangeError(`amount must be integer cents, got ${cents}`);
  const abs = Math.abs(cents);
  const text = `${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
  return cents < 0 ? `-${text}` : text;
}

/** Booleans travel as 0/1, "0"/"1" or "Y"/"N" (reference §2, §4). */
export function toBool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value !== 'string') return undefined;
  switch (value.trim().toUpperCase()) {
    case '1':
    case 'Y':
      return true;
    case '0':
    case 'N':
      return false;
    default:
      return undefined;
  }
}

/** Text from a string, or from a number sent where text was meant (`cust_name_id`). */
export function toText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** The value under `key`, or under a key differing only in case (`Count` for `count`). */
function lookup(obj: Json, key: string): unknown {
  if (Object.hasOwn(obj, key)) return obj[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

// ── FieldReader: reads one JSON object, naming the field path in every error ───────────────────

/**
 * Reads one object of an answer. Required readers throw ProtocolError naming the field when it is
 * missing or of a type that cannot be read; `opt*` readers return undefined for a missing (or
 * null) field, never null, and still throw for a present field they cannot read.
 * Keys match case-insensitively (the service says `Count` where it means `count`).
 */
export class FieldReader {
  constructor(
    readonly fields: Json,
    readonly def: DefIdentity,
    /** Path of this object inside command1, for messages ("" for command1 itself). */
    readonly path = '',
  ) {}

  /** A reader over command1; ProtocolError when the answer is not an object at all. */
  static of(command1: unknown, def: DefIdentity): FieldReader {
    if (!isObject(command1)) throw protocolError(def, 'command1', 'is not an object', command1);
    return new FieldReader(command1, def);
  }

  private fieldPath(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  /** The raw value; null counts as missing (optional fields are omitted, never null). */
  raw(key: string): unknown {
    const value = lookup(this.fields, key);
    return value === null ? undefined : value;
  }

  has(key: string): boolean {
    return this.raw(key) !== undefined;
  }

  private read<T>(key: string, convert: (v: unknown) => T | undefined, expected: string): T {
    const value = this.raw(key);
    if (value === undefined) throw protocolError(this.def, this.fieldPath(key), 'is missing');
    const out = convert(value);
    if (out === undefined)
      throw protocolError(this.def, this.fieldPath(key), `is not ${expected}`, value);
    return out;
  }

  private readOpt<T>(
    key: string,
    convert: (v: unknown) => T | undefined,
    expected: string,
  ): T | undefined {
    return this.has(key) ? this.read(key, convert, expected) : undefined;
  }

  int(key: string): number {
    return this.read(key, toInt, 'an integer');
  }
  optInt(key: string): number | undefined {
    return this.readOpt(key, toInt, 'an integer');
  }

  cents(key: string): Cents {
    return this.read(key, toCents, 'an amount');
  }
  optCents(key: string): Cents | undefined {
    return this.readOpt(key, toCents, 'an amount');
  }

  bool(key: string): boolean {
    return this.read(key, toBool, 'a boolean (0/1/Y/N)');
  }
  optBool(key: string): boolean | undefined {
    return this.readOpt(key, toBool, 'a boolean (0/1/Y/N)');
  }

  str(key: string): string {
    return this.read(key, toText, 'text');
  }
  optStr(key: string): string | undefined {
    return this.readOpt(key, toText, 'text');
  }

  /** Event and hold-class names: case-insensitive in, upper case out (reference §2). */
  name(key: string): string {
    return this.str(key).toUpperCase();
  }

  /** One of a closed set of codes ("E"|"P"|"O"), compared in upper case. */
  oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const isAllowed = (v: unknown): T | undefined => {
      const text = toText(v)?.trim().toUpperCase();
      return allowed.find((a) => a === text);
    };
    return this.read(key, isAllowed, `one of ${allowed.join('|')}`);
  }

  /** A list of objects; a missing list is empty (the service omits empty output). */
  list(key: string): FieldReader[] {
    const value = this.raw(key);
    if (value === undefined) return [];
    const path = this.fieldPath(key);
    if (!Array.isArray(value)) throw protocolError(this.def, path, 'is not a list', value);
    return value.map((item, i) => {
      if (!isObject(item)) throw protocolError(this.def, `${path}[${i}]`, 'is not an object', item);
      return new FieldReader(item, this.def, `${path}[${i}]`);
    });
  }

  /** A list of texts (hold classes); a missing list is empty. */
  strList(key: string): string[] {
    const value = this.raw(key);
    if (value === undefined) return [];
    const path = this.fieldPath(key);
    if (!Array.isArray(value)) throw protocolError(this.def, path, 'is not a list', value);
    return value.map((item, i) => {
      const text = toText(item);
      if (text === undefined) throw protocolError(this.def, `${path}[${i}]`, 'is not text', item);
      return text;
    });
  }

  obj(key: string): FieldReader {
    const value = this.raw(key);
    const path = this.fieldPath(key);
    if (value === undefined) throw protocolError(this.def, path, 'is missing');
    if (!isObject(value)) throw protocolError(this.def, path, 'is not an object', value);
    return new FieldReader(value, this.def, path);
  }

  /** ProtocolError about a field of this object, for checks the readers above cannot express. */
  fail(key: string, problem: string, value?: unknown): ProtocolError {
    return protocolError(this.def, this.fieldPath(key), problem, value);
  }
}

// ── Result check ────────────────────────────────────────────────────────────────────────────

export interface ResultHooks<Res> {
  /** Result codes this command may answer with, and what each means. */
  failures?: Readonly<Record<number, CommandFailure>>;
  /** Result codes meaning "no row" for this command: the parser returns this empty result. */
  noRow?: Readonly<Record<number, () => Res>>;
  /**
   * Result codes whose answer carries output explaining the failure (customer_add's existing account):
   * the value becomes ArchticsCommandError.extra. Undefined when the answer lacks it, so that the
   * business error still reaches the caller.
   */
  extra?: Readonly<Record<number, (answer: FieldReader, detail: string) => unknown>>;
}

/** The failure text: `error_detail`, or `error_desc` (seats_sold's spelling). */
export function errorText(answer: FieldReader): string {
  return answer.optStr('error_detail') ?? answer.optStr('error_desc') ?? '';
}

/**
 * Checks command1.result. Returns undefined when it is 0 (go on and parse the output), or
 * `{ empty }` for the command's "no row" codes; throws ArchticsCommandError (result, sql_code,
 * detail text, extra) for any other code, and ProtocolError when result is unreadable.
 */
export function checkResult<Res>(
  command1: Command1Response,
  def: DefIdentity,
  hooks: ResultHooks<Res> = {},
): { empty: Res } | undefined {
  return checkAnswer(FieldReader.of(command1, def), def, hooks);
}

function checkAnswer<Res>(
  answer: FieldReader,
  def: DefIdentity,
  hooks: ResultHooks<Res>,
): { empty: Res } | undefined {
  const result = answer.int('result');
  if (result === 0) return undefined;
  const noRow = hooks.noRow?.[result];
  if (noRow) return { empty: noRow() };
  const sqlCode = answer.optInt('sql_code') ?? 0;
  const detail = errorText(answer);
  const extra = hooks.extra?.[result]?.(answer, detail);
  throw new ArchticsCommandError(
    `${def.name} failed: result ${result}, sql_code ${sqlCode}${detail ? `: ${detail}` : ''}`,
    result,
    sqlCode,
    detail,
    extra,
    {
      command: def.name,
      kind: def.kind,
      ...(hooks.failures?.[result] ? { failure: hooks.failures[result] } : {}),
    },
  );
}

// ── defineCommand: one place that wires name/product/kind, the result check and the parser ──

export interface CommandSpec<Req, Res> extends ResultHooks<Res> {
  /** The smallest product that contains the command (reference §4). */
  product: Product;
  kind: CommandKind;
  toFields(req: Req, ctx: CommandContext): Record<string, unknown>;
  /** Parses a successful (result 0) answer. */
  parseOk(answer: FieldReader): Res;
  cache?: CachePolicy<Req, Res>;
}

/** A CommandDef: the wire name, its product and kind, the result check, the parser, the cache policy. */
export function defineCommand<Req, Res>(
  name: CommandName,
  spec: CommandSpec<Req, Res>,
): CommandDef<Req, Res> {
  const def: CommandDef<Req, Res> = {
    name,
    product: spec.product,
    kind: spec.kind,
    // Every string sent upstream fits its field (src/archtics/inputs.ts), whichever path built the request.
    toFields: (req, ctx) => checkCommandFields(name, spec.toFields(req, ctx)),
    parse(command1) {
      const answer = FieldReader.of(command1, def);
      const checked = checkAnswer(answer, def, spec);
      return checked ? checked.empty : spec.parseOk(answer);
    },
    failures: Object.freeze({ ...spec.failures }),
    ...(spec.cache ? { cache: Object.freeze(spec.cache) } : {}),
  };
  return Object.freeze(def);
}

/**
 * The typed meaning of a business failure of `def`: the failure its parser named, or (for an error
 * raised elsewhere, a fake in a test) the one its result code maps to in `def`. Undefined for any
 * other error.
 */
export function failureOf(
  e: unknown,
  def: Pick<CommandDef<unknown, unknown>, 'failures'>,
): CommandFailure | undefined {
  if (!(e instanceof ArchticsCommandError)) return undefined;
  return e.failure ?? def.failures?.[Number(e.result)];
}

/** Request object without its undefined entries: optional fields are omitted, never null. */
export function compact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields))
    if (value !== undefined && value !== null) out[key] = value;
  return out;
}

/** An event or hold-class name as sent: names are case-insensitive, so one spelling per name. */
export function wireName(name: string): string {
  return name.trim().toUpperCase();
}
