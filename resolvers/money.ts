/** Money from integer cents: a decimal string with two places ("45.50"), never a float. */
import type { Cents } from '../src/archtics/types.js';

export interface MoneyShape {
  cents: Cents;
  /** Absent: the service's currency (ARCHTICS_CURRENCY, on the context). */
  currency?: string;
}

export function money(cents: Cents, currency?: string): MoneyShape {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`money: not integer cents: ${cents}`);
  return currency === undefined ? { cents } : { cents, currency };
}

export function formatCents(cents: Cents): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
