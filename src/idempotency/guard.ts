/**
 * acquire(): the one place that decides, for a key and a request fingerprint, what this attempt
 * may do. It never sends anything itself.
 *
 * - no record           → created as `pending` for us (SET NX): `fresh`, go ahead and send
 * - other fingerprint   → KeyReusedError (BAD_USER_INPUT above): a key names one request
 * - done                → `done`: hand back the first outcome, send nothing
 * - pending, lease live → `busy` (after waiting up to waitMs, polling the store; the gateway's
 *                         waitMs is 0: a duplicate is answered at once, not held open)
 * - unknown, open, or pending past its lease → taken over by compare-and-set on the owner (one
 *                         taker wins, the others keep waiting): `takeover`, with the record as it
 *                         was, so the caller settles it (by reading, when it had been sent)
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { IdempotencyRecord, IdempotencyStore } from '../store/index.js';

export interface GuardOptions {
  clock: Clock;
  /** How long one attempt may hold a record before others presume it dead. */
  leaseMs: number;
  /** How long a duplicate waits for the attempt in progress (0: answered `busy` at once). */
  waitMs: number;
  /** Store polling interval while waiting. */
  pollMs: number;
}

/** The key is recorded with another request's fingerprint. */
export class KeyReusedError extends Error {
  constructor() {
    super(
      'This idempotency key was already used for a different request; use a new key for a new request.',
    );
    this.name = 'KeyReusedError';
  }
}

export type Acquired<C, O> =
  | { kind: 'fresh'; record: IdempotencyRecord<C, O> }
  | { kind: 'done'; record: IdempotencyRecord<C, O> }
  | { kind: 'takeover'; record: IdempotencyRecord<C, O>; previous: IdempotencyRecord<C, O> }
  | { kind: 'busy'; record: IdempotencyRecord<C, O> };

export function pendingRecord<C, O>(
  fp: string,
  now: number,
  leaseMs: number,
): IdempotencyRecord<C, O> {
  return {
    fingerprint: fp,
    state: 'pending',
    owner: randomUUID(),
    leaseUntil: now + leaseMs,
    sends: 0,
    createdAt: now,
    updatedAt: now,
  };
}

export async function acquire<C, O>(
  store: IdempotencyStore,
  key: string,
  fp: string,
  opts: GuardOptions,
): Promise<Acquired<C, O>> {
  const deadline = opts.clock.now() + opts.waitMs;
  // Bounded: each round either returns, or sleeps pollMs toward the deadline (or lost a race).
  for (let round = 0; round < 100_000; round++) {
    const now = opts.clock.now();
    const mine = pendingRecord<C, O>(fp, now, opts.leaseMs);
    if (await store.create(key, mine)) return { kind: 'fresh', record: mine };

    const found = (await store.get(key)) as IdempotencyRecord<C, O> | undefined;
    if (!found) continue; // expired between the two calls: try to create again
    if (found.fingerprint !== fp) {
      throw new KeyReusedError();
    }
    if (found.state === 'done') return { kind: 'done', record: found };

    const stalled = found.state !== 'pending' || found.leaseUntil <= now;
    if (stalled) {
      const taken: IdempotencyRecord<C, O> = {
        ...found,
        state: 'pending',
        owner: mine.owner,
        leaseUntil: now + opts.leaseMs,
        updatedAt: now,
      };
      if (await store.replace(key, found.owner, taken))
        return { kind: 'takeover', record: taken, previous: found };
      continue; // another attempt took it first: look again
    }
    if (now >= deadline) return { kind: 'busy', record: found };
    await opts.clock.sleep(Math.min(opts.pollMs, Math.max(1, deadline - now)));
  }
  throw new Error('idempotency: acquire did not settle');
}
