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
import { RedisSlotStore } from './redis.js';
import type { Limiter } from './types.js';
import type { DurableSlotLog } from './window.js';

export interface CreateLimiterOptions {
  clock?: Clock;
  /** The "minute" window's length; 60 000 + config.archtics.windowMarginMs unless a test wants another. */
  windowMs?: number;
  /** Redis key prefix (tests use a unique one per run). */
  prefix?: string;
  /** The in-process window's durable log (without Redis): a restart keeps the window. */
  log?: DurableSlotLog;
  onLogError?: (error: unknown) => void;
}

export function createLimiter(config: Pick<Config, 'archtics'>, redis?: Redis, opts: CreateLimiterOptions = {}): Limiter {
  const a = config.archtics;
  const windowMs = opts.windowMs ?? MINUTE_MS + a.windowMarginMs;
  const base = { ratePerMinute: a.ratePerMinute, ratePerDay: a.ratePerDay, windowMs };
  if (!redis) return createLocalLimiter({ ...base, queueMax: a.queueMax, clock: opts.clock, log: opts.log, onLogError: opts.onLogError });
  const limits = limitsOf(base);
  const store = new RedisSlotStore({ redis, limits, apiKey: a.apiKey, dsn: a.dsn, prefix: opts.prefix ?? DEFAULT_KEY_PREFIX });
  return new QueuedLimiter({ store, limits, queueMax: a.queueMax, clock: opts.clock ?? systemClock });
}
