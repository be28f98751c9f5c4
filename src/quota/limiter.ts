/**
 * The budget gate's queue: priorities, FIFO within a priority, deadlines, a bounded size, abort,
 * the service's Retry-After pause, one wakeup timer. Where the sends are counted is not its
 * business: it asks a SlotStore (window.ts) — in memory here, Redis for a replicated gateway.
 *
 * One "pump" at a time decides everything: it reads the store, forecasts the slot of every
 * waiter in line order (polls, then writes, then reads; FIFO within each), refuses at once those
 * whose slot comes after their deadline (their slot goes to the ones behind), grants the head
 * when its slot is now, and otherwise sleeps on the clock until the head's slot. Anything that
 * can change a forecast (a new caller, an abort, a pause, the timer) runs the pump again.
 */
import { RateLimitedError, UnavailableError } from '../archtics/errors.js';
import type { Clock } from '../clock.js';
import type { CommandName } from '../protocol/wire.js';
import type { AcquireOptions, Limiter, Priority, QuotaSnapshot } from './types.js';
import { forecastSlots, MemorySlotStore, remaining, type SlotStore, type WindowLimits, type WindowState } from './window.js';

/** Line order: polls of accepted commands first, then writes, then reads; idle work last. */
export const PRIORITY_ORDER: readonly Priority[] = ['poll', 'write', 'read', 'idle'];

/** setTimeout's ceiling; a longer wait wakes early, finds nothing due and sleeps again. */
const MAX_SLEEP_MS = 2 ** 31 - 1;

export interface QueuedLimiterOptions {
  store: SlotStore;
  limits: WindowLimits;
  /**
   * Callers allowed in line at once (every caller joins the line, if only for the microtasks until
   * the pump serves it); one more is refused at once, or displaces a lower priority.
   */
  queueMax: number;
  clock: Clock;
}

interface Refusal {
  readonly command?: CommandName;
  reject(error: unknown): void;
}

interface Waiter extends Refusal {
  readonly priority: Priority;
  /** Epoch ms; Infinity when the caller set none. */
  readonly deadline: number;
  /** Slots that must stay free after this one (idle work only). */
  readonly headroom: number;
  resolve(): void;
  /** Detaches the abort listener. */
  detach(): void;
}

/** Whole seconds until `at`, at least 1 (a Retry-After of 0 only invites a hot loop). */
function secondsUntil(at: number, now: number): number {
  return Math.max(1, Math.ceil((at - now) / 1000));
}

export class QueuedLimiter implements Limiter {
  private readonly store: SlotStore;
  private readonly limits: WindowLimits;
  private readonly queueMax: number;
  private readonly clock: Clock;
  private readonly lines: Record<Priority, Waiter[]> = { poll: [], write: [], read: [], idle: [] };
  /** Refused for a full line; rejected by the next pump, which knows when room opens. */
  private refusals: Refusal[] = [];
  private closed = false;
  private pumping = false;
  private pumpAgain = false;
  /**
   * A shared store's "not before" when another replica beat us to a slot: a lower bound on the
   * next send (sends only ever push it later), so the pump sleeps instead of spinning.
   */
  private notBefore = 0;
  /** The one wakeup: when, and how to cancel it. */
  private timer?: { at: number; cancel: AbortController };

  constructor(opts: QueuedLimiterOptions) {
    if (!(opts.queueMax >= 0)) throw new RangeError('queueMax must be ≥ 0');
    if (!(opts.limits.perWindow >= 1 && opts.limits.perDay >= 1)) throw new RangeError('limits must be ≥ 1');
    if (!(opts.limits.windowMs > 0 && opts.limits.dayMs > 0)) throw new RangeError('window lengths must be > 0');
    this.store = opts.store;
    this.limits = opts.limits;
    this.queueMax = opts.queueMax;
    this.clock = opts.clock;
    const store = opts.store;
    if (store instanceof MemorySlotStore) {
      this.snapshotNow = () => {
        const now = this.clock.now();
        return this.snapshotOf(store.read(), now);
      };
    }
  }

  acquire(opts: AcquireOptions): Promise<void> {
    if (this.closed) return Promise.reject(closedError(opts.command));
    const { signal } = opts;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (!PRIORITY_ORDER.includes(opts.priority)) return Promise.reject(new TypeError(`unknown priority "${opts.priority}"`));
    return new Promise<void>((resolve, reject) => {
      if (this.size >= this.queueMax && !this.displaceBelow(opts.priority)) {
        this.refusals.push({ command: opts.command, reject });
        return this.schedule();
      }
      const onAbort = () => {
        if (!this.remove(waiter)) return;
        reject(signal!.reason);
        this.schedule();
      };
      const idle = opts.priority === 'idle';
      const waiter: Waiter = {
        priority: opts.priority,
        deadline: opts.deadline ?? Infinity,
        headroom: idle ? Math.max(0, opts.headroom ?? 0) : 0,
        command: opts.command,
        resolve,
        reject,
        detach: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.lines[opts.priority].push(waiter);
      this.schedule();
    });
  }

  pauseFor(ms: number): void {
    if (this.closed || !(ms > 0)) return;
    Promise.resolve(this.store.pauseUntil(this.clock.now() + ms)).then(
      () => this.schedule(),
      (error) => this.failAll(error),
    );
  }

  async snapshot(): Promise<QuotaSnapshot> {
    const now = this.clock.now();
    return this.snapshotOf(await this.store.read(now), now);
  }

  /** Limiter.snapshotNow: set in the constructor only over the in-process store. */
  readonly snapshotNow?: () => QuotaSnapshot;

  private snapshotOf(state: WindowState, now: number): QuotaSnapshot {
    const left = remaining(state.sends, now, this.limits);
    return {
      minuteRemaining: left.window,
      dayRemaining: left.day,
      queueLength: this.size,
      ...(state.pausedUntil > now ? { pausedUntil: state.pausedUntil } : {}),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.disarm();
    for (const waiter of this.takeEveryone()) waiter.reject(closedError(waiter.command));
  }

  // ── the pump ──────────────────────────────────────────────────────────────────────────────

  /** Runs the pump, or asks the running one to go round again. */
  private schedule(): void {
    if (this.closed) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    void this.pumpLoop();
  }

  private async pumpLoop(): Promise<void> {
    try {
      do {
        this.pumpAgain = false;
        await this.pumpOnce();
      } while (this.pumpAgain && !this.closed);
    } catch (error) {
      this.failAll(error);
    } finally {
      this.pumping = false;
    }
  }

  private async pumpOnce(): Promise<void> {
    const now = this.clock.now();
    const state = await this.store.read(now);
    if (this.closed) return;
    const line = this.inLineOrder();
    const floor = { sends: state.sends, pausedUntil: Math.max(state.pausedUntil, this.notBefore) };
    const headroom = line.reduce((most, w) => Math.max(most, w.headroom), 0);
    const slots = forecastSlots(floor, now, this.limits, Math.max(1, line.length) + headroom);
    // Refuse whoever would be served after their deadline; their slot passes to those behind.
    // Idle work counts the headroom it must leave free as if it stood behind it.
    let served = 0;
    for (const waiter of line) {
      const slot = slots[served + waiter.headroom];
      // Idle work is now or never: it must not hold a place in line once callers are back.
      if (slot > (waiter.priority === 'idle' ? now : waiter.deadline)) {
        this.remove(waiter);
        waiter.reject(budgetError(waiter.priority === 'idle' ? 'no idle upstream budget now' : `no upstream budget before the deadline`, secondsUntil(slot, now), waiter.command));
      } else {
        served++;
      }
    }
    // Room opens in the line when its head is served.
    const refusals = this.refusals;
    this.refusals = [];
    for (const refusal of refusals) {
      refusal.reject(budgetError(`upstream budget queue is full (${this.queueMax} waiting)`, secondsUntil(slots[0], now), refusal.command));
    }
    if (this.size === 0) return this.disarm();
    if (slots[0] > now) return this.arm(slots[0], now);
    const later = await this.store.tryTake(now);
    if (this.closed) return;
    if (later === null) {
      // Counted: hand it to whoever is first now (the forecast head may have aborted meanwhile, or
      // a caller may have come while the store answered: it goes before idle work).
      const head = this.inLineOrder()[0];
      if (head) {
        this.remove(head);
        head.resolve();
      }
    } else {
      this.notBefore = later;
    }
    // Look again: serve the next one, or re-forecast (and re-check deadlines) after losing a race.
    this.pumpAgain = true;
  }

  private arm(at: number, now: number): void {
    if (this.timer?.at === at) return;
    this.disarm();
    const cancel = new AbortController();
    this.timer = { at, cancel };
    this.clock.sleep(Math.min(at - now, MAX_SLEEP_MS), cancel.signal).then(
      () => {
        if (this.timer?.cancel !== cancel) return;
        this.timer = undefined;
        this.schedule();
      },
      () => {
        /* cancelled: a newer timer (or close) took over */
      },
    );
  }

  private disarm(): void {
    this.timer?.cancel.abort();
    this.timer = undefined;
  }

  // ── the line ──────────────────────────────────────────────────────────────────────────────

  private get size(): number {
    return this.lines.poll.length + this.lines.write.length + this.lines.read.length + this.lines.idle.length;
  }

  private inLineOrder(): Waiter[] {
    return PRIORITY_ORDER.flatMap((p) => this.lines[p]);
  }

  /** Takes a waiter out of line; false when it was no longer there. */
  private remove(waiter: Waiter): boolean {
    const line = this.lines[waiter.priority];
    const i = line.indexOf(waiter);
    if (i < 0) return false;
    line.splice(i, 1);
    waiter.detach();
    return true;
  }

  /**
   * The line is full: a caller of higher priority takes the place of the newest waiter of the
   * lowest priority below it (which is refused), so a burst of reads cannot lock out the polls of
   * accepted writes. False when nobody ranks below.
   */
  private displaceBelow(priority: Priority): boolean {
    const rank = PRIORITY_ORDER.indexOf(priority);
    for (let r = PRIORITY_ORDER.length - 1; r > rank; r--) {
      const victim = this.lines[PRIORITY_ORDER[r]].at(-1);
      if (!victim) continue;
      this.remove(victim);
      this.refusals.push(victim);
      return true;
    }
    return false;
  }

  /** The store failed: nobody may be left waiting on it. */
  private failAll(cause: unknown): void {
    this.disarm();
    for (const waiter of this.takeEveryone()) {
      waiter.reject(new UnavailableError('upstream budget store failed', { cause, command: waiter.command }));
    }
  }

  /** Empties the line and the refusals, for close() and failures. */
  private takeEveryone(): Refusal[] {
    const everyone: Refusal[] = [...this.inLineOrder(), ...this.refusals];
    for (const waiter of this.inLineOrder()) this.remove(waiter);
    this.refusals = [];
    return everyone;
  }
}

function budgetError(message: string, retryAfterSeconds: number, command?: CommandName): RateLimitedError {
  return new RateLimitedError(`${message}; retry after ${retryAfterSeconds}s`, retryAfterSeconds, 'budget', { command });
}

function closedError(command?: CommandName): UnavailableError {
  return new UnavailableError('upstream budget gate is closed', { command });
}
