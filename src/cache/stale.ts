/**
 * Stale answers: when the upstream gives no answer to a read — a refusal (429, our own budget gate,
 * 503, no connection: RateLimitedError, UnavailableError), a broken answer (an HTML maintenance
 * page, a cut-short body: ProtocolError) or none in time (UpstreamTimeoutError) — an expired read
 * still within its grace (config.staleGraceMs) is better than an error, and it is served at once:
 * a read with such a fallback is sent fail-fast (RunOptions.failFast), so a Retry-After pause
 * holds back the send, not the answer. The caller's trace records it (staleServes,
 * maxStaleAgeSeconds), which is what the GraphQL layer turns into `extensions.stale`.
 *
 * A business answer (ArchticsCommandError: unknown event…), a setup fault (401, 404) or a
 * cancellation is the service's real answer or our own problem, so it is passed through.
 */
import {
  ProtocolError,
  RateLimitedError,
  UnavailableError,
  UpstreamTimeoutError,
} from '../archtics/errors.js';
import type { UpstreamTrace } from '../archtics/types.js';
import type { CacheEntry } from './types.js';

/** No answer from the upstream (refused, broken or late): a stale copy may stand in. */
export type Refusal = RateLimitedError | UnavailableError | ProtocolError | UpstreamTimeoutError;

export function isRefusal(error: unknown): error is Refusal {
  return (
    error instanceof RateLimitedError ||
    error instanceof UnavailableError ||
    error instanceof ProtocolError ||
    error instanceof UpstreamTimeoutError
  );
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
export function staleExtension(
  trace: UpstreamTrace | undefined,
): { ageSeconds: number } | undefined {
  if (!trace || trace.staleServes === 0) return undefined;
  return { ageSeconds: trace.maxStaleAgeSeconds ?? 0 };
}
