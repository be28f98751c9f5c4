/**
 * Wire formatting and lenient input reading shared by the handlers: outcomes, money (integer
 * cents inside, JSON numbers or two-decimal strings outside), dates on the world clock (UTC), and
 * the protocol's quirks on input (numbers as strings and strings as numbers, reference §6.1).
 */
import { SQL_NO_ROW } from '../../protocol/wire.js';
import type { Outcome } from './types.js';

// ── Outcomes ─────────────────────────────────────────────────────────────────────────────────

export function ok(fields?: Record<string, unknown>): Outcome {
  return fields ? { result: 0, sql_code: 0, fields } : { result: 0, sql_code: 0 };
}

export interface FailOptions {
  /** sql_code 100 ("no row") instead of 0. */
  noRow?: boolean;
  /** Put the text in error_desc (seats_sold) instead of error_detail. */
  desc?: boolean;
  fields?: Record<string, unknown>;
}

export function fail(result: number, text: string, opts: FailOptions = {}): Outcome {
  const out: Outcome = { result, sql_code: opts.noRow ? SQL_NO_ROW : 0 };
  if (opts.desc) out.error_desc = text;
  else out.error_detail = text;
  if (opts.fields) out.fields = opts.fields;
  return out;
}

// ── Input ────────────────────────────────────────────────────────────────────────────────────

/** A trimmed non-empty string from a string or number; undefined otherwise. */
export function str(v: unknown): string | undefined {
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? undefined : t;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** An integer from a number or a numeric string; undefined otherwise. */
export function int(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
  if (typeof v === 'string' && /^\s*-?\d{1,15}\s*$/.test(v)) return Number(v);
  return undefined;
}

export function upper(v: unknown): string | undefined {
  return str(v)?.toUpperCase();
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Exact cents from 177.7, "177.70" or "177"; undefined when not a money amount. */
export function parseCents(v: unknown): number | undefined {
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) return undefined;
    const c = Math.round(v * 100);
    return Math.abs(v * 100 - c) < 1e-6 ? c : undefined;
  }
  if (typeof v === 'string') {
    // Two decimals; more only when the extra digits are zeros ("45.500"): no fractions of a cent.
    const m = /^\s*(\d{1,12})(?:\.(\d{1,2})0*)?\s*$/.exec(v);
    if (!m) return undefined;
    return Number(m[1]) * 100 + (m[2] ? Number(m[2].padEnd(2, '0')) : 0);
  }
  return undefined;
}

const EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[A-Za-z]{2,}$/;

export function isEmail(v: string): boolean {
  return v.length <= 100 && EMAIL.test(v);
}

/** A real calendar date as YYYY-MM-DD. */
export function isIsoDate(v: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const t = Date.parse(`${v}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === v;
}

// ── Output ───────────────────────────────────────────────────────────────────────────────────

/** Cents as a JSON number: 4550 → 45.5. */
export function money(cents: number): number {
  return cents / 100;
}

/** Cents as a two-decimal string: 4550 → "45.50". */
export function money2(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const c = Math.abs(cents);
  return `${sign}${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
}

const DAY = 86_400_000;

/** YYYY-MM-DD of an epoch-ms instant (UTC). */
export function dateOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDaysIso(iso: string, days: number): string {
  return dateOf(Date.parse(`${iso}T00:00:00Z`) + days * DAY);
}

/** "YYYY-MM-DD HH:MM:SS" of an epoch-ms instant (UTC). */
export function dateTimeOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}
