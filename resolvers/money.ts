/** Money from integer cents: a decimal string with two places ("45.50"), never a float. */
import type { Cents } from '../src/archtics/types.js';

export interface MoneyShape {
  cents: Cents;
  currency: string;
}

export const CURRENCY = 'USD';

export function money(cents: Cents, currency = CURRENCY): MoneyShape {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`money: not integer cents: ${cents}`);
  return { cents, currency };
}

export function formatCents(cents: Cents): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
