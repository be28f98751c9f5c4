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
import { DEFAULT_POLL_LEARNING, PollBook, type PollLearning, type PollSample } from './polls.js';

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
  /**
   * Polls that accepted commands (of every replica sharing the store) are still expected to need:
   * the sum of their reservations, fractional (expected values). Their slots come before any
   * first send's. Absent = none.
   */
  reserved?: number;
  /** The limits in force when they differ from the gate's (a replica's share while Redis is away). */
  limits?: WindowLimits;
  /**
   * Each caller's use of the window (fair.ts): its sends in the last windowMs plus the polls its
   * open claims still hold, by caller. Sends and claims without a caller are not in it. Absent = none.
   */
  usage?: ReadonlyMap<string, number>;
}

/**
 * What one send is, for the store's atomic check. A poll spends one of its command's reserved
 * polls. A first send opens (or renews) its command's reservation: it is recorded only when the
 * slot after every reservation is free now AND the slot of its own last expected poll (`polls`
 * after those) comes by `deadline`. Idle work (`headroom` set) is recorded only when its own
 * expected polls and `headroom` more slots are free now too: it takes only what is left over.
 * `id` names the recorded send in a shared log (unique per take), so that `untake` can find it.
 */
export type Take =
  | { kind: 'poll'; claim?: string; id?: string; caller?: string }
  | {
      kind: 'first';
      claim?: string;
      polls: number;
      deadline: number;
      expiresAt: number;
      id?: string;
      /** Whose share the send is counted in (fair.ts). */
      caller?: string;
      /**
       * A caller over its fair share borrows only what leaves the others' room (fair.ts): the send
       * is recorded only when, for each shape, fewer than `perWindow` sends lie in its last `windowMs`.
       */
      shapes?: readonly { perWindow: number; windowMs: number }[];
      /** Idle work only: slots that must stay free now after it and its expected polls. */
      headroom?: number;
    };

/** A send that belongs to no claim: planned alone, after every reservation. */
export const LONE_SEND: Take = { kind: 'first', polls: 0, deadline: Infinity, expiresAt: 0 };

/** Whole slots a (fractional) number of expected polls occupies in a forecast. */
export function slotsFor(polls: number): number {
  return polls <= 1e-9 ? 0 : Math.ceil(polls - 1e-9);
}

/**
 * The atomic decision every store makes (the Redis one in Lua, the same rule): null = take it now,
 * else the earliest time worth asking again.
 */
export function decideTake(
  state: WindowState,
  now: number,
  limits: WindowLimits,
  take: Take,
  ownReserved = 0,
): number | null {
  if (take.kind === 'poll') {
    const at = nextSlot(state, now, limits);
    return at > now ? at : null;
  }
  // A re-send (after a 5xx) of a command already holding a reservation does not queue behind itself.
  const ahead = slotsFor(Math.max(0, (state.reserved ?? 0) - ownReserved));
  const last = ahead + slotsFor(take.polls);
  const spare = take.headroom === undefined ? undefined : last + Math.max(0, take.headroom);
  const slots = forecastSlots(state, now, limits, (spare ?? last) + 1);
  if (slots[ahead] > now) return slots[ahead];
  if (slots[last] > take.deadline) return now + 1;
  for (const shape of take.shapes ?? []) {
    const at = nextSlot(state, now, { ...limits, ...shape });
    if (at > now) return at;
  }
  if (spare !== undefined && slots[spare] > now) return slots[spare];
  return null;
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
export function forecastSlots(
  state: WindowState,
  now: number,
  limits: WindowLimits,
  count: number,
): number[] {
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
export function remaining(
  sends: readonly number[],
  now: number,
  limits: WindowLimits,
): { window: number; day: number } {
  return {
    window: Math.max(0, limits.perWindow - countSince(sends, now, limits.windowMs)),
    day: Math.max(0, limits.perDay - countSince(sends, now, limits.dayMs)),
  };
}

/**
 * Where a limiter keeps its log, pause, poll reservations and what it learnt of polls per command.
 * The local one is in memory; a shared one (Redis) must make `tryTake` atomic across replicas.
 * Methods may be sync or async.
 */
export interface SlotStore {
  /** The log, pause and reservations as of `now` (for forecasts and snapshots). */
  read(now: number): WindowState | Promise<WindowState>;
  /**
   * If the send may go at `now` (decideTake), records it — and for a first send with a claim, its
   * reservation of `polls` until `expiresAt`; for a poll, spends one of its claim's — and returns
   * null; otherwise records nothing and returns the earliest time worth asking again.
   */
  tryTake(now: number, take?: Take): number | null | Promise<number | null>;
  /**
   * Gives back a send that `tryTake(now, take)` recorded but that never went (the key was paused
   * between grant and send): it leaves the log, and a poll's claim gets its poll back.
   */
  untake(now: number, take: Take): void | Promise<void>;
  /** Nothing may be sent before `until` (keeps the later of this and any earlier pause). */
  pauseUntil(until: number): void | Promise<void>;
  /** The pause alone, as of now (epoch ms; 0 = none): checked again right before each send. */
  pauseEnd(): number | Promise<number>;
  /** Sets a claim's reservation to `polls` (it was answered 202 and needs more than it holds). */
  reserve(claim: string, polls: number, expiresAt: number): void | Promise<void>;
  /** Drops a claim's reservation (its command ended). */
  release(claim: string): void | Promise<void>;
  /** Records what an ended command took (polls.ts). */
  learn(command: string, sample: PollSample): void | Promise<void>;
  /** The recent samples of a command, oldest first. */
  samples(command: string): readonly PollSample[] | Promise<readonly PollSample[]>;
  /** Stops its timers (the limiter's close). */
  close?(): void;
}

interface Reservation {
  polls: number;
  expiresAt: number;
}

/** A claim id names its caller after this separator (fair.ts, claimId): every store reads it back. */
export const CLAIM_CALLER_SEPARATOR = '|';

/** The caller a claim id names, if any. */
export function callerOfClaim(claim: string): string | undefined {
  const i = claim.indexOf(CLAIM_CALLER_SEPARATOR);
  return i < 0 || i === claim.length - 1 ? undefined : claim.slice(i + 1);
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
  /** Sends with a caller, in the last windowMs only (fair shares): not kept across restarts. */
  private recent: { at: number; caller: string }[] = [];
  private paused = 0;
  private takes = 0;
  private readonly reservations = new Map<string, Reservation>();
  private readonly book: PollBook;

  constructor(
    readonly limits: WindowLimits,
    private readonly log?: DurableSlotLog,
    now = Date.now(),
    private readonly onLogError?: (error: unknown) => void,
    learning: Pick<PollLearning, 'sampleSize'> = DEFAULT_POLL_LEARNING,
  ) {
    this.book = new PollBook(learning.sampleSize);
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

  /** A live view of the log: read it at once, do not keep it. */
  read(now = Date.now()): WindowState {
    const reserved = this.reservedAt(now);
    const usage = this.usageAt(now);
    return {
      sends: this.sends,
      pausedUntil: this.paused,
      reserved,
      ...(usage.size > 0 ? { usage } : {}),
    };
  }

  /** Each caller's sends in the window plus the polls its claims hold. */
  private usageAt(now: number): Map<string, number> {
    const from = now - this.limits.windowMs;
    let old = 0;
    while (old < this.recent.length && this.recent[old].at <= from) old++;
    if (old > 0) this.recent.splice(0, old);
    const usage = new Map<string, number>();
    for (const { caller } of this.recent) usage.set(caller, (usage.get(caller) ?? 0) + 1);
    for (const [claim, r] of this.reservations) {
      const caller = callerOfClaim(claim);
      if (caller !== undefined && r.polls > 0)
        usage.set(caller, (usage.get(caller) ?? 0) + r.polls);
    }
    return usage;
  }

  private reservedAt(now: number, except?: string): number {
    let sum = 0;
    for (const [claim, r] of this.reservations) {
      if (r.expiresAt <= now) this.reservations.delete(claim);
      else if (claim !== except) sum += r.polls;
    }
    return sum;
  }

  /** `limits`: stricter ones than the store's (a replica's share while the shared store is away). */
  tryTake(now: number, take: Take = LONE_SEND, limits: WindowLimits = this.limits): number | null {
    const own = take.claim !== undefined ? (this.reservations.get(take.claim)?.polls ?? 0) : 0;
    const at = decideTake(this.read(now), now, limits, take, own);
    if (at !== null) return at;
    return this.record(now, take);
  }

  /** Records a send (and its claim's reservation) granted here or by the shared store: this replica's own log. */
  record(now: number, take: Take = LONE_SEND): null {
    // Keep the log ascending even if the wall clock steps back (recording later is the safe side).
    const stamp = Math.max(now, this.sends[this.sends.length - 1] ?? now);
    this.sends.push(stamp);
    const excess = this.sends.length - retainedCount(this.limits);
    if (excess > 0) this.sends.splice(0, excess);
    if (take.caller !== undefined) {
      this.recent.push({ at: stamp, caller: take.caller });
      // Bounded whatever the clock does: the window never holds more than perWindow sends.
      if (this.recent.length > 2 * this.limits.perWindow)
        this.recent.splice(0, this.recent.length - 2 * this.limits.perWindow);
    }
    this.persist((log) => {
      log.append(stamp);
      if (++this.takes % PRUNE_EVERY === 0)
        log.prune(now - this.limits.dayMs - this.limits.windowMs);
    });
    if (take.claim !== undefined) {
      const r = this.reservations.get(take.claim);
      if (take.kind === 'poll') {
        if (r) r.polls = Math.max(0, r.polls - 1);
      } else if (take.polls > 0 || r) {
        this.reservations.set(take.claim, {
          polls: Math.max(take.polls, r?.polls ?? 0),
          expiresAt: take.expiresAt,
        });
      }
    }
    return null;
  }

  untake(now: number, take: Take): void {
    // The first entry at or after `now` is this send's, or an earlier one of at most its stamp
    // (if the clock stepped back): removing that leaves the log no earlier than the truth.
    const i = this.sends.findIndex((at) => at >= now);
    if (i >= 0) this.sends.splice(i, 1);
    if (take.caller !== undefined) {
      const j = this.recent.findIndex((r) => r.at >= now && r.caller === take.caller);
      if (j >= 0) this.recent.splice(j, 1);
    }
    // A durable log keeps the entry: after a restart it counts one send too many (the safe side).
    if (take.kind === 'poll' && take.claim !== undefined) {
      const r = this.reservations.get(take.claim);
      if (r) r.polls += 1;
    }
  }

  pauseEnd(): number {
    return this.paused;
  }

  pauseUntil(until: number): void {
    this.paused = Math.max(this.paused, until);
    this.persist((log) => log.pauseUntil(until));
  }

  reserve(claim: string, polls: number, expiresAt: number): void {
    this.reservations.set(claim, { polls: Math.max(0, polls), expiresAt });
  }

  release(claim: string): void {
    this.reservations.delete(claim);
  }

  learn(command: string, sample: PollSample): void {
    this.book.add(command, sample);
  }

  samples(command: string): readonly PollSample[] {
    return this.book.get(command);
  }
}
