/**
 * When a failed POST may be sent again, and how long to wait first. Reads and writes differ
 * (architecture: "a write is sent once"): a read may be re-sent after any transient failure; a
 * write only when the request provably never left this process (connection refused).
 */
import type { CommandKind } from '../protocol/wire.js';
import type { Attempt } from './transport.js';

export interface RetryPolicy {
  /** Sends of one command at most, the first included. */
  maxAttempts: number;
  /** Upper bound of the first backoff; doubles (×factor) per retry. Full jitter below it. */
  baseMs: number;
  factor: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseMs: 200,
  factor: 2,
  maxDelayMs: 5_000,
};

/**
 * Full-jitter exponential backoff before retry number `retry` (1 = the first re-send):
 * uniform in [0, min(maxDelayMs, baseMs × factor^(retry-1))). Spreads replicas that failed
 * together instead of having them return in lockstep.
 */
export function backoffDelay(
  retry: number,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(
    policy.maxDelayMs,
    policy.baseMs * policy.factor ** Math.max(0, retry - 1),
  );
  return Math.floor(Math.min(Math.max(random(), 0), 0.999999) * ceiling);
}

/** Statuses that say "nothing was done, try later": safe to re-send for reads, and to re-poll. */
export function isTransientStatus(status: number): boolean {
  return status === 429 || status === 503;
}

/**
 * May a command's first send be repeated after this attempt?
 * - read: yes after 429, 503, a connection failure or a timeout;
 * - write: only after a connection failure that happened before any byte was sent
 *   (`sent: false`, i.e. ECONNREFUSED and friends). A 503 or 429 is not re-sent either: the
 *   caller gets a typed error and decides, with its idempotency key, whether to try again.
 */
export function mayResend(kind: CommandKind, attempt: Attempt): boolean {
  if (attempt.type === 'network' && !attempt.sent) return true;
  if (kind === 'write') return false;
  if (attempt.type === 'response') return isTransientStatus(attempt.status);
  return true; // read: network failure or timeout
}

/**
 * May a poll be repeated with the same cookies after this attempt?
 * - 429/503 (any kind): the gateway answered without touching the queued command.
 * - lost answer (connection failure / timeout after sending): only for a read. A write's queued
 *   result may have been delivered in the lost answer, after which its cookies name nothing and
 *   the same POST would be a new command that executes the write again (reference §3).
 */
export function mayRepoll(kind: CommandKind, attempt: Attempt): 'transient' | 'lost' | false {
  if (attempt.type === 'response') return isTransientStatus(attempt.status) ? 'transient' : false;
  if (attempt.type === 'network' && !attempt.sent) return 'transient';
  return kind === 'read' ? 'lost' : false;
}
