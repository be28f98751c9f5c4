/**
 * `createLimiter(config, redis?)`: the budget gate a gateway runs with. Without Redis it is the
 * in-process limiter (createLocalLimiter, unchanged). With Redis it is the same QueuedLimiter —
 * same queue, priorities, deadlines, queue bound — over a RedisSlotStore, so every replica with
 * the same API key and DSN shares one minute window and one day.
 */
import type { Redis } from 'ioredis';
import { systemClock, type Clock } from '../clock.js';
import type { Config } from '../config.js';
import { DEFAULT_KEY_PREFIX } from '../redis.js';
import { MINUTE_MS, createLocalLimiter, limitsOf } from './index.js';
import { QueuedLimiter } from './limiter.js';
import { RedisSlotStore, quotaNamespace } from './redis.js';
import { ResilientSlotStore, type DurableFacts, type RedisHealth } from './resilient.js';
import type { Limiter } from './types.js';
import { MemorySlotStore, type DurableSlotLog } from './window.js';

export interface CreateLimiterOptions {
  clock?: Clock;
  /** The "minute" window's length; 60 000 + config.archtics.windowMarginMs unless a test wants another. */
  windowMs?: number;
  /** Redis key prefix (tests use a unique one per run). */
  prefix?: string;
  /** This replica's durable log (src/store/): the window across restarts, and the degraded share. */
  log?: DurableSlotLog;
  onLogError?: (error: unknown) => void;
  /**
   * Redis behind a circuit breaker (src/store/redis-breaker.ts): the shared window then falls back
   * to this replica's share of the budget, at once, while the breaker is open (resilient.ts).
   */
  health?: RedisHealth;
  /** ARCHTICS_REPLICAS: the share while Redis is away (default: the count last seen). */
  replicas?: number;
  /** Small durable facts: the replica count and the Redis epoch last seen. */
  facts?: DurableFacts;
}

export function createLimiter(
  config: Pick<Config, 'archtics'>,
  redis?: Redis,
  opts: CreateLimiterOptions = {},
): Limiter {
  const a = config.archtics;
  const windowMs = opts.windowMs ?? MINUTE_MS + a.windowMarginMs;
  const base = { ratePerMinute: a.ratePerMinute, ratePerDay: a.ratePerDay, windowMs };
  if (!redis)
    return createLocalLimiter({
      ...base,
      queueMax: a.queueMax,
      clock: opts.clock,
      log: opts.log,
      onLogError: opts.onLogError,
    });
  const limits = limitsOf(base);
  const clock = opts.clock ?? systemClock;
  const prefix = opts.prefix ?? DEFAULT_KEY_PREFIX;
  const shared = new RedisSlotStore({ redis, limits, apiKey: a.apiKey, dsn: a.dsn, prefix });
  if (!opts.health)
    return new QueuedLimiter({ store: shared, limits, queueMax: a.queueMax, clock });
  const store = new ResilientSlotStore({
    shared,
    redis,
    health: opts.health,
    limits,
    local: new MemorySlotStore(limits, opts.log, clock.now(), opts.onLogError),
    namespace: quotaNamespace(prefix, a.apiKey, a.dsn),
    clock,
    ...(opts.replicas ? { replicas: opts.replicas } : {}),
    ...(opts.facts ? { facts: opts.facts } : {}),
    ...(opts.onLogError ? { onError: opts.onLogError } : {}),
  });
  return new QueuedLimiter({ store, limits, queueMax: a.queueMax, clock });
}
