/**
 * The budget's bookkeeping: a sliding-window log of send times, as pure functions plus a small
 * in-memory store. No queue, no priorities, no clock — the queue (limiter.ts) asks "may a call go
 * now, and if not, when?" and the store answers. A Redis store answers the same questions from a
 * sorted set of send times (ZREMRANGEBYSCORE / ZCARD / ZRANGE), so it reuses these functions.
 *
 * Rule: a call may be sent at time t when fewer than `perWindow` sends lie in (t - windowMs, t]
 * and fewer than `perDay` sends lie in (t - dayMs, t]. Any two sends less than windowMs apart
 * share some window of length windowMs, so this bounds EVERY window, not fixed buckets.
 *
 * The day is a rolling 24 h, not a UTC calendar day: the service does not say how it counts its
 * day, and a rolling bound is safe under either reading (every calendar day is a 24 h window),
 * while a calendar-day bound would allow 2 × perDay in the 24 h straddling midnight.
 */

export const MINUTE_MS = 60_000;
export const DAY_MS = 24 * 60 * 60_000;

export interface WindowLimits {
  /** Sends allowed in any window of `windowMs`. */
  perWindow: number;
  windowMs: number;
  /** Sends allowed in any window of `dayMs`. */
  perDay: number;
  dayMs: number;
}

/** What a store knows at one instant: enough to forecast every queued caller's slot. */
export interface WindowState {
  /** Recent send times, ascending (at least the last max(perWindow, perDay) of them). */
  sends: readonly number[];
  /** Epoch ms before which nothing may be sent (the service's Retry-After); 0 = none. */
  pausedUntil: number;
}

/** Sends a log needs to keep: older ones can never decide a slot. */
export function retainedCount(limits: WindowLimits): number {
  return Math.max(limits.perWindow, limits.perDay);
}

/**
 * Times at which the next `count` calls could be sent, earliest first, if each is sent as soon as
 * it may (the first entry is the next free slot, the k-th is the slot of the k-th caller in line).
 * Pure: the log is not changed. O(count).
 */
export function forecastSlots(state: WindowState, now: number, limits: WindowLimits, count: number): number[] {
  const { sends } = state;
  const planned: number[] = [];
  // Combined log = sends ++ planned; `at(i)` indexes it without copying.
  const at = (i: number) => (i < sends.length ? sends[i] : planned[i - sends.length]);
  let t = Math.max(now, state.pausedUntil);
  for (let k = 0; k < count; k++) {
    const len = sends.length + planned.length;
    // The perWindow-th most recent send must have left the window (likewise for the day).
    if (len >= limits.perWindow) t = Math.max(t, at(len - limits.perWindow) + limits.windowMs);
    if (len >= limits.perDay) t = Math.max(t, at(len - limits.perDay) + limits.dayMs);
    planned.push(t);
  }
  return planned;
}

/** The earliest time (≥ now) at which one more call may be sent. */
export function nextSlot(state: WindowState, now: number, limits: WindowLimits): number {
  return forecastSlots(state, now, limits, 1)[0];
}

/** Sends in (now - spanMs, now]. `sends` ascending. */
function countSince(sends: readonly number[], now: number, spanMs: number): number {
  const from = now - spanMs;
  // Binary search for the first send > from.
  let lo = 0;
  let hi = sends.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sends[mid] > from) hi = mid;
    else lo = mid + 1;
  }
  return sends.length - lo;
}

/** Calls that may still go in the current window and day. */
export function remaining(sends: readonly number[], now: number, limits: WindowLimits): { window: number; day: number } {
  return {
    window: Math.max(0, limits.perWindow - countSince(sends, now, limits.windowMs)),
    day: Math.max(0, limits.perDay - countSince(sends, now, limits.dayMs)),
  };
}

/**
 * Where a limiter keeps its log and pause. The local one is in memory; a shared one (Redis) must
 * make `tryTake` atomic across replicas. Methods may be sync or async.
 */
export interface SlotStore {
  /** The log and pause as of `now` (for forecasts and snapshots). */
  read(now: number): WindowState | Promise<WindowState>;
  /**
   * If a call may be sent at `now`, records it and returns null; otherwise records nothing and
   * returns the earliest time it may.
   */
  tryTake(now: number): number | null | Promise<number | null>;
  /** Nothing may be sent before `until` (keeps the later of this and any earlier pause). */
  pauseUntil(until: number): void | Promise<void>;
}

/**
 * Where an in-process window keeps its log across restarts (src/store/: SQLite in DATA_DIR), so a
 * restarted gateway does not forget the sends of its last minute and day. Synchronous.
 */
export interface DurableSlotLog {
  load(since: number): number[];
  append(at: number): void;
  pausedUntil(): number;
  pauseUntil(until: number): void;
  prune(before: number): void;
}

/** Sends between two prunes of a durable log. */
const PRUNE_EVERY = 64;

/**
 * The in-process store: an ascending array of the last max(perWindow, perDay) send times, written
 * through to a durable log when given one (and loaded from it at start). A failing log write never
 * fails a send: the window in memory stays exact; only what a restart would remember is lost.
 */
export class MemorySlotStore implements SlotStore {
  private sends: number[] = [];
  private paused = 0;
  private takes = 0;

  constructor(
    readonly limits: WindowLimits,
    private readonly log?: DurableSlotLog,
    now = Date.now(),
    private readonly onLogError?: (error: unknown) => void,
  ) {
    if (!log) return;
    this.sends = log.load(now - limits.dayMs).slice(-retainedCount(limits));
    this.paused = log.pausedUntil();
  }

  private persist(write: (log: DurableSlotLog) => void): void {
    if (!this.log) return;
    try {
      write(this.log);
    } catch (error) {
      this.onLogError?.(error);
    }
  }

  /** A live view: read it at once, do not keep it. */
  read(): WindowState {
    return { sends: this.sends, pausedUntil: this.paused };
  }

  tryTake(now: number): number | null {
    const at = nextSlot(this.read(), now, this.limits);
    if (at > now) return at;
    // Keep the log ascending even if the wall clock steps back (recording later is the safe side).
    const stamp = Math.max(now, this.sends[this.sends.length - 1] ?? now);
    this.sends.push(stamp);
    const excess = this.sends.length - retainedCount(this.limits);
    if (excess > 0) this.sends.splice(0, excess);
    this.persist((log) => {
      log.append(stamp);
      if (++this.takes % PRUNE_EVERY === 0) log.prune(now - this.limits.dayMs - this.limits.windowMs);
    });
    return null;
  }

  pauseUntil(until: number): void {
    this.paused = Math.max(this.paused, until);
    this.persist((log) => log.pauseUntil(until));
  }
}
