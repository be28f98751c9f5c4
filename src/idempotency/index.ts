/**
 * Idempotency for keyed writes: a record store (src/store/: SQLite in DATA_DIR by default, Redis
 * with REDIS_URL, memory in tests) and the timing rules every attempt follows. Built once per
 * gateway (src/app.ts) and handed to each request's context.
 */
import { systemClock, type Clock } from '../clock.js';
import type { Redis } from '../redis.js';
import {
  IDEMPOTENCY_TTL_MS,
  MemoryIdempotencyStore,
  RedisIdempotencyStore,
  type IdempotencyStore,
} from '../store/index.js';
import type { GuardOptions } from './guard.js';

export type { IdempotencyRecord, IdempotencyStore, RecordState } from '../store/index.js';
export { acquire, KeyReusedError, type Acquired, type GuardOptions } from './guard.js';
export { fingerprint, secretDigest } from './fingerprint.js';
export { MemoryIdempotencyStore, RedisIdempotencyStore } from '../store/index.js';

export interface IdempotencyOptions extends GuardOptions {
  /** How long a record is kept after its last write (default 24 h): a key is good for that long. */
  ttlMs: number;
  /**
   * How long after a send the service may still carry the command out (an accepted 202 command
   * runs at its completion time, whether or not anybody polls). Until then, reads that show
   * "not paid yet" prove nothing, so nothing is re-sent. Default: the client's polling horizon.
   */
  inFlightMs: number;
}

export interface Idempotency {
  store: IdempotencyStore;
  options: IdempotencyOptions;
}

export const DEFAULT_IDEMPOTENCY: Omit<IdempotencyOptions, 'clock'> = {
  ttlMs: IDEMPOTENCY_TTL_MS,
  // The reference's polling horizon (§3, ~10 min) plus one request timeout.
  inFlightMs: 10 * 60_000 + 30_000,
  leaseMs: 10 * 60_000 + 60_000,
  // A duplicate is answered at once ("in progress", retry after the lease): never held open.
  waitMs: 0,
  pollMs: 25,
};

export interface CreateIdempotencyOptions extends Partial<IdempotencyOptions> {
  /** Where records live (src/store/). Default: Redis when `redis` is given, else memory (tests). */
  store?: IdempotencyStore;
  /** Shared store across replicas and restarts. */
  redis?: Redis;
  redisPrefix?: string;
}

export function createIdempotency(opts: CreateIdempotencyOptions = {}): Idempotency {
  const { redis, redisPrefix, store: given, ...rest } = opts;
  const options: IdempotencyOptions = {
    ...DEFAULT_IDEMPOTENCY,
    clock: systemClock as Clock,
    ...rest,
  };
  const store =
    given ??
    (redis
      ? new RedisIdempotencyStore({
          redis,
          ttlMs: options.ttlMs,
          ...(redisPrefix ? { prefix: redisPrefix } : {}),
        })
      : new MemoryIdempotencyStore(options.ttlMs, options.clock));
  return { store, options };
}
