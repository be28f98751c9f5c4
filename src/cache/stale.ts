/**
 * Stale answers: when the upstream refuses (429 or our own budget gate: RateLimitedError; 503 or
 * no connection: UnavailableError), an expired read still within its grace (config.staleGraceMs)
 * is better than an error. The caller's trace records it (staleServes, maxStaleAgeSeconds), which
 * is what the GraphQL layer turns into `extensions.stale`.
 *
 * Any other failure (a command error, a timeout that may yet succeed, a protocol error) is not
 * the upstream saying "not now", so it is passed through.
 */
import { RateLimitedError, UnavailableError } from '../archtics/errors.js';
import type { UpstreamTrace } from '../archtics/types.js';
import type { CacheEntry } from './types.js';

export function isRefusal(error: unknown): error is RateLimitedError | UnavailableError {
  return error instanceof RateLimitedError || error instanceof UnavailableError;
}

/** The budget gate's own refusal (callers need the window), as opposed to the upstream's. */
export function isBudgetRefusal(error: unknown): boolean {
  return error instanceof RateLimitedError && error.source === 'budget';
}

/** Servable as a stale answer at `now`: past its TTL (or not) but within its grace. */
export function servable(entry: CacheEntry | undefined, now: number): entry is CacheEntry {
  return entry !== undefined && entry.staleUntil > now;
}

/** Age in whole seconds (at least 0) of an entry at `now`. */
export function ageSeconds(entry: CacheEntry, now: number): number {
  return Math.max(0, Math.floor((now - entry.storedAt) / 1000));
}

/** Records a stale answer in the operation's trace. */
export function markStale(trace: UpstreamTrace | undefined, entry: CacheEntry, now: number): void {
  if (!trace) return;
  trace.staleServes++;
  const age = ageSeconds(entry, now);
  trace.maxStaleAgeSeconds = Math.max(trace.maxStaleAgeSeconds ?? 0, age);
}

/** What `extensions.stale` carries: the age of the oldest stale answer in the response. */
export function staleExtension(trace: UpstreamTrace | undefined): { ageSeconds: number } | undefined {
  if (!trace || trace.staleServes === 0) return undefined;
  return { ageSeconds: trace.maxStaleAgeSeconds ?? 0 };
}
