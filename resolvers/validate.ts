/**
 * Input checks of the mutations, all made BEFORE any upstream call: a bad input is BAD_USER_INPUT
 * (naming the argument) and the ticketing service never sees it.
 */
import type { Cents } from '../src/archtics/types.js';
import { fitsField } from '../src/archtics/inputs.js';
import { badInput } from './errors.js';

/** Most seats one hold may ask for: the sandbox's (and a real arena's) longest row run. */
export const MAX_SEATS_PER_HOLD = 20;

export function checkQuantity(n: number, arg = 'quantity', max = MAX_SEATS_PER_HOLD): number {
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw badInput(`"${arg}" must be between 1 and ${max}, got ${n}.`, { argument: arg });
  return n;
}

export function checkText(value: string, arg: string, max = 40): string {
  const v = value.trim();
  if (v === '' || v.length > max || /[\u0000-\u001f]/.test(v))
    throw badInput(`"${arg}" must be 1–${max} printable characters.`, { argument: arg });
  return v;
}

/**
 * A value for the wire field `field` (section_name, row_name, price_code, email, …), checked by
 * the command's own rule (src/archtics/inputs.ts) as soon as the argument is known: BAD_USER_INPUT
 * before any read the operation would make first.
 */
export function checkField<T extends string | null | undefined>(
  value: T,
  arg: string,
  field: string,
): T {
  if (value === undefined || value === null) return value;
  if (!fitsField(field, value))
    throw badInput(
      `"${arg}" is not a value the ticketing service takes for it (length or characters).`,
      { argument: arg },
    );
  return value;
}

/** "45.50": digits, a point, exactly two decimals; positive. Parsed to integer cents without floats. */
export function parseAmount(text: string, arg = 'amount'): Cents {
  const m = /^(\d{1,9})\.(\d{2})$/.exec(text);
  if (!m)
    throw badInput(`"${arg}" must be a decimal string with exactly two places, e.g. "45.50".`, {
      argument: arg,
    });
  const cents = Number(m[1]) * 100 + Number(m[2]);
  if (cents <= 0) throw badInput(`"${arg}" must be more than zero.`, { argument: arg });
  return cents;
}

/** Luhn (mod 10) check of a card number's digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Spaces and dashes are allowed between digit groups; 12–19 digits passing Luhn. */
export function checkCardNumber(raw: string, arg = 'card.number'): string {
  const digits = raw.replace(/[\s-]/g, '');
  if (!/^\d{12,19}$/.test(digits) || !luhnValid(digits))
    throw badInput(`"${arg}" is not a valid card number.`, { argument: arg });
  return digits;
}

/** MMYY, not before the current month (a card is good through the end of its expiry month). */
export function checkExpiry(mmyy: string, now: number, arg = 'card.expiry'): string {
  const m = /^(0[1-9]|1[0-2])(\d{2})$/.exec(mmyy);
  if (!m) throw badInput(`"${arg}" must be MMYY, e.g. "0829".`, { argument: arg });
  const today = new Date(now);
  const month = (2000 + Number(m[2])) * 12 + Number(m[1]) - 1;
  if (month < today.getUTCFullYear() * 12 + today.getUTCMonth())
    throw badInput(`"${arg}" is in the past: the card has expired.`, { argument: arg });
  return mmyy;
}

export function checkCvv(cvv: string, arg = 'card.cvv'): string {
  if (!/^\d{3,4}$/.test(cvv)) throw badInput(`"${arg}" must be 3 or 4 digits.`, { argument: arg });
  return cvv;
}
