/** Date ("YYYY-MM-DD") and DateTime (ISO 8601) travel as strings; bad input is BAD_USER_INPUT. */
import { Kind } from 'graphql';
import { badInput, builder } from '../builder.js';

function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return (
    d.getUTCFullYear() === Number(m[1]) &&
    d.getUTCMonth() === Number(m[2]) - 1 &&
    d.getUTCDate() === Number(m[3])
  );
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/;

function parseDate(value: unknown): string {
  if (typeof value !== 'string' || !isCalendarDate(value))
    throw badInput(
      `Date must be a calendar date "YYYY-MM-DD", got ${JSON.stringify(value)?.slice(0, 40)}.`,
    );
  return value;
}

function parseDateTime(value: unknown): string {
  if (
    typeof value !== 'string' ||
    !ISO_DATE_TIME.test(value) ||
    !isCalendarDate(value.slice(0, 10))
  ) {
    throw badInput(
      `DateTime must be ISO 8601 ("2026-12-05T19:30:00Z"), got ${JSON.stringify(value)?.slice(0, 40)}.`,
    );
  }
  return value;
}

builder.scalarType('Date', {
  description: 'A calendar date, "YYYY-MM-DD" (ISO 8601).',
  // Tools read it from introspection (codegen, GraphiQL): RFC 3339's full-date.
  specifiedByURL: 'https://www.rfc-editor.org/rfc/rfc3339#section-5.6',
  serialize: (v) => v,
  parseValue: parseDate,
  parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : undefined),
});

builder.scalarType('DateTime', {
  description:
    'An ISO 8601 date and time, "YYYY-MM-DDTHH:MM:SS" with a zone ("Z" or "+01:00") when one is known; event start times are venue-local and carry none.',
  // RFC 3339's date-time, except that the offset may be absent (a venue-local time).
  specifiedByURL: 'https://www.rfc-editor.org/rfc/rfc3339#section-5.6',
  serialize: (v) => v,
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});
