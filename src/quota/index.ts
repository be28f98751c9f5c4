/**
 * The upstream budget gate. `createLocalLimiter` is the in-process one (one gateway replica);
 * a replicated gateway pairs the same QueuedLimiter with a shared SlotStore instead.
 */
import { systemClock, type Clock } from '../clock.js';
import { QueuedLimiter } from './limiter.js';
import type { Limiter } from './types.js';
import {
  DAY_MS,
  MINUTE_MS,
  MemorySlotStore,
  type DurableSlotLog,
  type WindowLimits,
} from './window.js';

export type { AcquireOptions, Claim, Grant, Limiter, Priority, QuotaSnapshot } from './types.js';
export {
  DEFAULT_POLL_LEARNING,
  PollBook,
  estimatePolls,
  type PollEstimate,
  type PollLearning,
  type PollSample,
} from './polls.js';
export { PRIORITY_ORDER, QueuedLimiter, type QueuedLimiterOptions } from './limiter.js';
export {
  DAY_MS,
  MINUTE_MS,
  MemorySlotStore,
  LONE_SEND,
  decideTake,
  forecastSlots,
  type DurableSlotLog,
  nextSlot,
  slotsFor,
  remaining,
  retainedCount,
  type SlotStore,
  type Take,
  type WindowLimits,
  type WindowState,
} from './window.js';

export interface LocalLimiterOptions {
  /** Sends allowed in any window of `windowMs` (config: ratePerMinute, 80). */
  ratePerMinute: number;
  /** Sends allowed in any rolling 24 h (config: ratePerDay, 5000). */
  ratePerDay: number;
  /** Callers allowed to wait at once (config: queueMax). */
  queueMax: number;
  clock?: Clock;
  /** Length of the "minute" window; 60 000 unless a test wants a shorter one. */
  windowMs?: number;
  /** Keeps the window across restarts (src/store/: SQLite in DATA_DIR); default memory only. */
  log?: DurableSlotLog;
  onLogError?: (error: unknown) => void;
}

export function limitsOf(
  opts: Pick<LocalLimiterOptions, 'ratePerMinute' | 'ratePerDay' | 'windowMs'>,
): WindowLimits {
  return {
    perWindow: opts.ratePerMinute,
    windowMs: opts.windowMs ?? MINUTE_MS,
    perDay: opts.ratePerDay,
    dayMs: DAY_MS,
  };
}

export function createLocalLimiter(opts: LocalLimiterOptions): Limiter {
  const limits = limitsOf(opts);
  const clock = opts.clock ?? systemClock;
  const store = new MemorySlotStore(limits, opts.log, clock.now(), opts.onLogError);
  return new QueuedLimiter({ store, limits, queueMax: opts.queueMax, clock });
}
