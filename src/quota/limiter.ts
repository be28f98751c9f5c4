/**
 * The budget planner: the gate every POST passes (limiter.ts's QueuedLimiter), with priorities,
 * FIFO within a priority, deadlines, a bounded line, abort, the service's Retry-After pause and
 * one wakeup timer. Where the sends are counted is not its business: it asks a SlotStore
 * (window.ts) — in memory here, Redis for a replicated gateway.
 *
 * Poll-aware: the service may answer any command 202 (reference §3), and every poll costs a POST.
 * So a command holds a Claim from its first send to its end; while it is open, the store keeps a
 * reservation of the polls it is still expected to need (polls.ts learns that per command from
 * recent answers: share of 202s × polls to result, starting pessimistic). Reserved polls take the
 * first slots of every forecast: a first send is granted only when the slot after all of them is
 * free now, and only when its OWN expected polls would still fit before its deadline. A first send
 * that cannot finish in time is refused at once (RateLimitedError with retryAfterSeconds) and never
 * sent, instead of spending POSTs whose polls would then miss the deadline.
 *
 * One "pump" at a time decides everything: it reads the store, forecasts the slots of every waiter
 * in line order (reserved polls, then polls in line, then writes, then reads; FIFO within each;
 * a first send counts 1 + its expected polls), refuses at once those whose last slot comes after
 * their deadline (their slots go to the ones behind), grants the head when its slot is now, and
 * otherwise sleeps on the clock until the head's slot. Anything that can change a forecast (a new
 * caller, an abort, a pause, a reservation, the timer) runs the pump again.
 *
 * Fair shares per caller (fair.ts): within a priority the line is ordered by water-filling over the
 * callers' use of the window, and a caller over its share only borrows what leaves the reserve; a
 * send held back by that passes its slot to those behind it.
 *
 * Idle work (refresh-ahead) is the fourth priority, after every caller: it is granted only when
 * its slot, the slots of its own expected polls and `headroom` more are all free NOW after every
 * reserved poll and every caller in line; otherwise it is refused at once, never queued — so it
 * never delays a caller, and yields the moment callers are back. The store re-checks that rule
 * atomically (decideTake), so replicas sharing a Redis window keep it too.
 */
import { RateLimitedError, UnavailableError } from '../protocol/errors.js';
import type { Clock } from '../clock.js';
import type { CommandName } from '../protocol/wire.js';
import { handleMaybePromise, type MaybePromise } from '@whatwg-node/promise-helpers';
import { randomUUID } from 'node:crypto';
import { borrowingShapes, claimId, fairShare, type ReserveShape } from './fair.js';
import {
  DEFAULT_POLL_LEARNING,
  estimatePolls,
  type PollEstimate,
  type PollLearning,
} from './polls.js';
import type { AcquireOptions, Claim, Grant, Limiter, Priority, QuotaSnapshot } from './types.js';
import {
  forecastSlots,
  remaining,
  slotsFor,
  type SlotStore,
  type Take,
  type WindowLimits,
  type WindowState,
} from './window.js';

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
  /** How polls per command are learnt (polls.ts; default DEFAULT_POLL_LEARNING). */
  learning?: Partial<PollLearning>;
  /** A claim without a deadline (a write) holds its reservation at most this long (default 10 min, the poll timeout). */
  claimTtlMs?: number;
  /** A shared store's samples are re-read at most this often (default 1 s). */
  learningRefreshMs?: number;
}

interface Refusal {
  readonly command?: CommandName;
  reject(error: unknown): void;
}

interface Waiter extends Refusal {
  readonly priority: Priority;
  /** Whose share it draws on (fair.ts); undefined: none (planned FIFO, never held to a share). */
  readonly caller?: string;
  /** Arrival order (FIFO ties in the fair order). */
  readonly seq: number;
  /** Epoch ms; Infinity when the caller set none. */
  readonly deadline: number;
  /** Epoch ms by which its own slot must come (AcquireOptions.startBy); Infinity when none. */
  readonly startBy: number;
  readonly claim?: PlannedClaim;
  /** AcquireOptions.pollWaitMs (none: its polls may follow at once). */
  readonly pollWaitMs?: (polls: number) => number;
  /** Idle work only: slots that must stay free now after it and its polls. */
  readonly headroom?: number;
  resolve(grant: Grant): void;
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
  private readonly lines = Object.fromEntries(
    PRIORITY_ORDER.map((p) => [p, [] as Waiter[]]),
  ) as Record<Priority, Waiter[]>;
  private readonly learning: PollLearning;
  private readonly claimTtlMs: number;
  private readonly learningRefreshMs: number;
  /** Estimates per command, and when they were last read from the store. */
  private readonly estimates = new Map<string, { estimate: PollEstimate; readAt: number }>();
  private readonly claimPrefix = `${randomUUID().slice(0, 8)}:`;
  private claimSeq = 0;
  private waiterSeq = 0;
  /** Each caller's use of the window as last read (for a full line: who gives way). */
  private lastUsage: ReadonlyMap<string, number> = new Map();
  /**
   * The store refused a held-to-its-share send (another replica spent the reserve first): the
   * earliest time worth trying such a send again. Applies to those sends only.
   */
  private shapedNotBefore = 0;
  private takeSeq = 0;
  /**
   * The latest pause this process was told of (pauseFor), known at once — a shared store learns
   * it a round trip later. Grants check it right before their send.
   */
  private pausedHere = 0;
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
    if (!(opts.limits.perWindow >= 1 && opts.limits.perDay >= 1))
      throw new RangeError('limits must be ≥ 1');
    if (!(opts.limits.windowMs > 0 && opts.limits.dayMs > 0))
      throw new RangeError('window lengths must be > 0');
    this.store = opts.store;
    this.limits = opts.limits;
    this.queueMax = opts.queueMax;
    this.clock = opts.clock;
    this.learning = { ...DEFAULT_POLL_LEARNING, ...opts.learning };
    this.claimTtlMs = opts.claimTtlMs ?? 10 * 60_000;
    this.learningRefreshMs = opts.learningRefreshMs ?? 1_000;
  }

  claim(command: CommandName, caller?: string): Claim {
    const who = callerKey(caller);
    return new PlannedClaim(
      this,
      claimId(`${this.claimPrefix}${++this.claimSeq}`, who),
      command,
      who,
    );
  }

  /** What a first send of `command` is expected to cost in polls, as last learnt. */
  expectedPolls(command: CommandName): PollEstimate {
    return this.estimates.get(command)?.estimate ?? estimatePolls([], this.learning);
  }

  acquire(opts: AcquireOptions): Promise<Grant> {
    if (this.closed) return Promise.reject(closedError(opts.command));
    const { signal } = opts;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (!PRIORITY_ORDER.includes(opts.priority))
      return Promise.reject(new TypeError(`unknown priority "${opts.priority}"`));
    const caller = callerKey(opts.caller ?? opts.claim?.caller);
    return new Promise<Grant>((resolve, reject) => {
      if (
        this.size >= this.queueMax &&
        !this.displaceBelow(opts.priority) &&
        !this.displaceHeavier(opts.priority, caller)
      ) {
        this.refusals.push({ command: opts.command, reject });
        return this.schedule();
      }
      const onAbort = () => {
        if (!this.remove(waiter)) return;
        reject(signal!.reason);
        this.schedule();
      };
      const claim =
        opts.claim instanceof PlannedClaim && opts.claim.owner === this ? opts.claim : undefined;
      const waiter: Waiter = {
        priority: opts.priority,
        ...(caller !== undefined ? { caller } : {}),
        seq: ++this.waiterSeq,
        deadline: opts.deadline ?? Infinity,
        startBy: opts.startBy ?? Infinity,
        ...(opts.priority === 'idle'
          ? { headroom: Math.max(0, Math.floor(opts.headroom ?? 0)) }
          : {}),
        command: opts.command ?? opts.claim?.command,
        ...(claim ? { claim } : {}),
        ...(opts.pollWaitMs ? { pollWaitMs: opts.pollWaitMs } : {}),
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
    const until = this.clock.now() + ms;
    this.pausedHere = Math.max(this.pausedHere, until);
    Promise.resolve(this.store.pauseUntil(until)).then(
      () => this.schedule(),
      (error) => this.failAll(error),
    );
  }

  /** At once over a store that reads at once (the in-process one), else a promise. */
  snapshot(): MaybePromise<QuotaSnapshot> {
    const now = this.clock.now();
    return handleMaybePromise(
      () => this.store.read(now),
      (state) => this.snapshotOf(state, now),
    );
  }

  private snapshotOf(state: WindowState, now: number): QuotaSnapshot {
    const left = remaining(state.sends, now, state.limits ?? this.limits);
    return {
      minuteRemaining: left.window,
      dayRemaining: left.day,
      queueLength: this.size,
      ...(state.pausedUntil > now ? { pausedUntil: state.pausedUntil } : {}),
      ...(slotsFor(state.reserved ?? 0) > 0
        ? { reservedPolls: slotsFor(state.reserved ?? 0) }
        : {}),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.disarm();
    this.store.close?.();
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
    await this.refreshEstimates();
    if (this.closed) return;
    const now = this.clock.now();
    const state = await this.store.read(now);
    if (this.closed) return;
    const limits = state.limits ?? this.limits;
    const usage = state.usage ?? new Map<string, number>();
    this.lastUsage = usage;
    const order = this.fairOrder(usage);
    const line = order.map((o) => o.waiter);
    const floor = {
      sends: state.sends,
      pausedUntil: Math.max(state.pausedUntil, this.pausedHere, this.notBefore),
      reserved: state.reserved,
    };
    // Slot indices: polls in line first (they spend reservations), then the reserved polls still to
    // come, then each first send with its own expected polls right after it.
    const reserved = slotsFor(state.reserved ?? 0);
    const needs = line.map((w) => (w.priority === 'poll' ? 0 : this.pollsToReserve(w)));
    // Idle work's headroom must be forecast too (it takes only what stays free after it).
    const spare = line.reduce((most, w) => Math.max(most, w.headroom ?? 0), 0);
    const total = reserved + line.length + needs.reduce((a, n) => a + slotsFor(n), 0) + spare;
    const slots = forecastSlots(floor, now, limits, Math.max(1, total + 1));
    // Fair shares: the callers using the window or waiting for it share it.
    const callers = new Set<string>();
    for (const [caller, used] of usage) if (used > 0) callers.add(caller);
    for (const waiter of line) if (waiter.caller !== undefined) callers.add(waiter.caller);
    const share = fairShare(limits.perWindow, callers.size);
    // Per caller held to its share: the windows it borrows within, and their forecasts (one per
    // distinct window, however many callers are held).
    const borrowing = new Map<string, { shapes: ReserveShape[]; forecasts: number[][] }>();
    const forecasts = new Map<string, number[]>();
    const forecastOf = (shape: ReserveShape) => {
      const key = `${shape.perWindow}/${shape.windowMs}`;
      let f = forecasts.get(key);
      if (!f)
        forecasts.set(
          key,
          (f = forecastSlots(floor, now, { ...limits, ...shape }, Math.max(1, total + 1))),
        );
      return f;
    };
    const borrowingOf = (caller: string) => {
      let b = borrowing.get(caller);
      if (!b) {
        const shapes = borrowingShapes(limits, share, usage, callers, caller);
        b = { shapes, forecasts: shapes.map(forecastOf) };
        borrowing.set(caller, b);
      }
      return b;
    };
    // Refuse whoever would be served (their last expected POST) after their deadline; their slots
    // pass to those behind.
    let cursor = 0;
    let head: { waiter: Waiter; first: number; at: number; take: Take } | undefined;
    let wakeAt = Infinity;
    for (let i = 0; i < line.length; i++) {
      const waiter = line[i];
      const first = waiter.priority === 'poll' ? cursor : Math.max(cursor, reserved);
      const idle = waiter.priority === 'idle';
      // A command never seen answered is planned without the pessimistic prior only where the prior
      // could not fit before its deadline even in an idle window: refusing it then would keep a
      // small budget from ever learning. A window that is merely busy refuses it: granted without
      // its polls, it would be started and never finished. (Not for idle work: it only ever takes
      // what is certainly left over.)
      if (
        !idle &&
        needs[i] > 0 &&
        waiter.claim &&
        this.expectedPolls(waiter.claim.command).samples === 0 &&
        this.idleAt(state, now, slotsFor(needs[i])) + this.pollWait(waiter, needs[i]) >
          waiter.deadline
      ) {
        needs[i] = 0;
      }
      const last = first + slotsFor(needs[i]);
      // Idle work is now or never, from what is left over: itself, its polls and its headroom.
      if (idle && slots[last + (waiter.headroom ?? 0)] > now) {
        this.remove(waiter);
        waiter.reject(
          budgetError(
            'no idle upstream budget now',
            secondsUntil(slots[last + (waiter.headroom ?? 0)], now),
            waiter.command,
          ),
        );
        continue;
      }
      // Over its share, a first send also leaves the others' room (fair.ts). A caller with no use in
      // the window is never held: with more callers than slots its share is under one send.
      const { used } = order[i];
      const held =
        !idle &&
        waiter.priority !== 'poll' &&
        waiter.caller !== undefined &&
        used > 0 &&
        used + 1 + slotsFor(needs[i]) > share
          ? borrowingOf(waiter.caller)
          : undefined;
      let at = slots[first];
      if (held) at = Math.max(at, ...held.forecasts.map((f) => f[first]), this.shapedNotBefore);
      if (at > waiter.startBy) {
        this.remove(waiter);
        waiter.reject(budgetError(`no upstream budget now`, secondsUntil(at, now), waiter.command));
        continue;
      }
      // Its last expected poll comes no sooner than the poller's waits after its first send.
      if (Math.max(slots[last], at + this.pollWait(waiter, needs[i])) > waiter.deadline) {
        this.remove(waiter);
        waiter.reject(
          budgetError(
            `no upstream budget before the deadline`,
            secondsUntil(at, now),
            waiter.command,
          ),
        );
        continue;
      }
      if (at > slots[first]) {
        // Held to its share: its slot goes to those behind; it is looked at again by then.
        wakeAt = Math.min(wakeAt, at);
        continue;
      }
      cursor = last + 1;
      head ??= { waiter, first, at, take: this.takeOf(waiter, needs[i], now, held?.shapes) };
    }
    // Room opens in the line when its head is served.
    const refusals = this.refusals;
    this.refusals = [];
    for (const refusal of refusals) {
      refusal.reject(
        budgetError(
          `upstream budget queue is full (${this.queueMax} waiting)`,
          secondsUntil(slots[Math.min(reserved, slots.length - 1)], now),
          refusal.command,
        ),
      );
    }
    if (!head) return Number.isFinite(wakeAt) ? this.arm(wakeAt, now) : this.disarm();
    if (head.at > now) return this.arm(Math.min(head.at, wakeAt), now);
    const later = await this.store.tryTake(now, head.take);
    if (this.closed) return;
    if (later === null) {
      // Counted, with the reservation the take carried. Idle work whose caller-free moment passed
      // while the store answered (a caller came) gives the slot to that caller.
      const overtaken = head.waiter.priority === 'idle' && this.inLineOrder()[0] !== head.waiter;
      if (overtaken && this.remove(head.waiter))
        head.waiter.reject(budgetError('no idle upstream budget now', 1, head.waiter.command));
      if (!overtaken && this.remove(head.waiter)) {
        head.waiter.claim?.granted(head.waiter.priority === 'poll', head.take);
        head.waiter.resolve(this.grantOf(head.waiter, head.take, now));
      } else {
        // It aborted (or was overtaken) meanwhile: its reservation goes, the slot to the first caller
        // now (never to idle work, which takes only slots its own check left over).
        const orphan = head.take.kind === 'first' ? head.take.claim : undefined;
        if (orphan !== undefined) this.storeCall(() => this.store.release(orphan));
        const next = this.inLineOrder().find((w) => w.priority !== 'idle');
        if (next) {
          this.remove(next);
          next.claim?.granted(next.priority === 'poll', this.takeOf(next, 0, now));
          // The send recorded is the orphan's: given back, it is that entry that leaves the log.
          const recorded = {
            ...(head.take.id !== undefined ? { id: head.take.id } : {}),
            ...(head.take.caller !== undefined ? { caller: head.take.caller } : {}),
          };
          next.resolve(this.grantOf(next, { kind: 'poll', ...recorded }, now));
        }
      }
    } else if (head.waiter.priority === 'idle') {
      // Nothing left over for idle work (another replica took it): refused, never queued.
      if (this.remove(head.waiter))
        head.waiter.reject(
          budgetError('no idle upstream budget now', secondsUntil(later, now), head.waiter.command),
        );
    } else if (head.take.kind === 'first' && head.take.shapes) {
      // Only sends held to their share wait for the reserve; everyone else may still go.
      this.shapedNotBefore = later;
    } else {
      this.notBefore = later;
    }
    // Look again: serve the next one, or re-forecast (and re-check deadlines) after losing a race.
    this.pumpAgain = true;
  }

  /** When slot `index` would come in an idle window (the window's size per window length). */
  private idleAt(state: WindowState, now: number, index: number): number {
    const limits = state.limits ?? this.limits;
    return now + Math.floor(index / limits.perWindow) * limits.windowMs;
  }

  /**
   * Clock ms from a first send to the last of its `polls` expected polls, at the earliest. Counted
   * once its command was seen accepted: the slots may be the prior's guess (a reservation not used
   * is released), but a command is not refused for waits it was never seen to need.
   */
  private pollWait(waiter: Waiter, polls: number): number {
    if (!(
      polls > 0 &&
      waiter.pollWaitMs &&
      waiter.claim &&
      this.expectedPolls(waiter.claim.command).acceptedSamples > 0
    ))
      return 0;
    return waiter.pollWaitMs(slotsFor(polls));
  }

  /**
   * The line in the order it is served: polls FIFO, then each other priority by water-filling over
   * the callers' use of the window (`used`: the caller's use before this waiter, counting what the
   * waiters before it in this order are expected to take), FIFO within a caller. Waiters without a
   * caller count as one caller with no use of its own, so a line without callers stays FIFO.
   */
  private fairOrder(usage: ReadonlyMap<string, number>): { waiter: Waiter; used: number }[] {
    const out: { waiter: Waiter; used: number }[] = [];
    for (const priority of PRIORITY_ORDER) {
      const waiters = this.lines[priority];
      if (priority === 'poll' || waiters.length < 2) {
        for (const waiter of waiters)
          out.push({
            waiter,
            used: waiter.caller === undefined ? 0 : (usage.get(waiter.caller) ?? 0),
          });
        continue;
      }
      const queues = new Map<string, { waiters: Waiter[]; next: number; used: number }>();
      for (const waiter of waiters) {
        const key = waiter.caller ?? '';
        let q = queues.get(key);
        if (!q)
          queues.set(
            key,
            (q = {
              waiters: [],
              next: 0,
              used: waiter.caller === undefined ? 0 : (usage.get(waiter.caller) ?? 0),
            }),
          );
        q.waiters.push(waiter);
      }
      // A heap of callers by (use, arrival of its next waiter): O(waiters × log callers), so a line
      // of many clients (tokens off: one per address) costs no more than a line of few.
      type Queue = { waiters: Waiter[]; next: number; used: number };
      const first = (a: Queue, b: Queue) =>
        a.used < b.used || (a.used === b.used && a.waiters[a.next].seq < b.waiters[b.next].seq);
      const heap = [...queues.values()];
      const sink = (i: number): void => {
        for (;;) {
          const l = 2 * i + 1;
          let m = i;
          if (l < heap.length && first(heap[l], heap[m])) m = l;
          if (l + 1 < heap.length && first(heap[l + 1], heap[m])) m = l + 1;
          if (m === i) return;
          [heap[i], heap[m]] = [heap[m], heap[i]];
          i = m;
        }
      };
      for (let i = (heap.length >> 1) - 1; i >= 0; i--) sink(i);
      while (heap.length > 0) {
        const q = heap[0];
        const waiter = q.waiters[q.next++];
        out.push({ waiter, used: q.used });
        if (waiter.caller !== undefined) q.used += 1 + slotsFor(this.pollsToReserve(waiter));
        if (q.next >= q.waiters.length) {
          const last = heap.pop()!;
          if (heap.length > 0) heap[0] = last;
        }
        sink(0);
      }
    }
    return out;
  }

  /** Polls a first send reserves: its command's expected polls (none without a claim). */
  private pollsToReserve(waiter: Waiter): number {
    if (!waiter.claim) return 0;
    return this.expectedPolls(waiter.claim.command).expectedPolls;
  }

  private takeOf(
    waiter: Waiter,
    polls: number,
    now: number,
    shapes?: readonly ReserveShape[],
  ): Take {
    const claim = waiter.claim?.id;
    const caller = waiter.caller !== undefined ? { caller: waiter.caller } : {};
    const id = `${this.claimPrefix}t${++this.takeSeq}`;
    if (waiter.priority === 'poll')
      return { kind: 'poll', ...(claim !== undefined ? { claim } : {}), id, ...caller };
    return {
      kind: 'first',
      id,
      ...(claim !== undefined ? { claim } : {}),
      ...(waiter.headroom !== undefined ? { headroom: waiter.headroom } : {}),
      polls,
      deadline: waiter.deadline,
      expiresAt: Number.isFinite(waiter.deadline) ? waiter.deadline : now + this.claimTtlMs,
      ...caller,
      ...(shapes ? { shapes } : {}),
    };
  }

  /**
   * The grant of a send recorded as `take` at `at`. Right before the send it checks the pause
   * again — this process's at once, then the store's (another replica's 429) — and if the key is
   * paused now, gives the slot back: the log forgets the send, the claim the poll, and the pump
   * looks again (the freed slot may serve someone, the sender comes back through acquire()).
   * A claim's first-send reservation stays: the command still goes, after the pause.
   */
  private grantOf(waiter: Waiter, take: Take, at: number): Grant {
    let state: 'held' | 'sent' | 'returned' = 'held';
    const giveBack = (): void | Promise<void> => {
      if (state !== 'held') return;
      state = 'returned';
      if (waiter.priority === 'poll') waiter.claim?.ungranted();
      let undone: void | Promise<void> = undefined;
      try {
        undone = this.store.untake(at, take);
      } catch {
        // The send stays counted: the window only errs on the safe side.
      }
      if (!(undone instanceof Promise)) return this.schedule();
      return undone.then(
        () => this.schedule(),
        () => this.schedule(),
      );
    };
    const decide = (shared: number): boolean | Promise<boolean> => {
      if (state !== 'held') return state === 'sent';
      if (Math.max(shared, this.pausedHere) <= this.clock.now()) {
        state = 'sent';
        return true;
      }
      const undone = giveBack();
      return undone ? undone.then(() => false) : false;
    };
    return {
      stillClear: () => {
        if (state !== 'held' || this.pausedHere > this.clock.now()) return decide(0);
        const shared = this.store.pauseEnd();
        // A shared store that cannot answer now: this process's own pause decides.
        return shared instanceof Promise ? shared.then(decide, () => decide(0)) : decide(shared);
      },
      giveBack,
    };
  }

  /** Re-reads the samples of the commands in line from the store when they are older than the refresh period. */
  private async refreshEstimates(): Promise<void> {
    const now = this.clock.now();
    const commands = new Set<CommandName>();
    for (const p of PRIORITY_ORDER) {
      if (p === 'poll') continue;
      for (const w of this.lines[p]) if (w.claim) commands.add(w.claim.command);
    }
    for (const command of commands) {
      const known = this.estimates.get(command);
      if (known && now - known.readAt < this.learningRefreshMs) continue;
      const samples = await this.store.samples(command);
      this.estimates.set(command, { estimate: estimatePolls(samples, this.learning), readAt: now });
    }
  }

  // ── claims (called by PlannedClaim) ───────────────────────────────────────────────────────

  /** A claim's command was answered 202 after `polls` polls: it holds what it still needs. */
  renew(claim: PlannedClaim): void {
    const { pollsToResult } = this.expectedPolls(claim.command);
    const polls = Math.max(1, pollsToResult - claim.polls);
    this.storeCall(() =>
      this.store.reserve(claim.id, polls, claim.expiresAt ?? this.clock.now() + this.claimTtlMs),
    );
  }

  /** A claim ended; `sample` is what it taught, if anything. */
  ended(claim: PlannedClaim, sample?: { accepted: boolean; polls: number }): void {
    if (sample) {
      // Learnt at once here (the store's copy is for the other replicas).
      const known = this.estimates.get(claim.command);
      this.storeCall(async () => {
        await this.store.learn(claim.command, sample);
        const samples = await this.store.samples(claim.command);
        this.estimates.set(claim.command, {
          estimate: estimatePolls(samples, this.learning),
          readAt: known?.readAt ?? this.clock.now(),
        });
      });
    }
    if (claim.reserving) this.storeCall(() => this.store.release(claim.id));
  }

  /** A store call off the request path; a failure only leaves a reservation to expire. */
  private storeCall(call: () => unknown): void {
    if (this.closed) return;
    Promise.resolve()
      .then(call)
      .then(
        () => this.schedule(),
        () => this.schedule(),
      );
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
    return PRIORITY_ORDER.reduce((n, p) => n + this.lines[p].length, 0);
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

  /**
   * The line is full and nobody ranks below: the newest waiter of the heaviest other caller at this
   * priority gives way (is refused) when that caller uses more of the window, waiters included,
   * than the newcomer's — so one caller's backlog cannot lock the others out of the line.
   */
  private displaceHeavier(priority: Priority, caller: string | undefined): boolean {
    const line = this.lines[priority];
    const weight = new Map<string, number>();
    const weightOf = (c: string) => weight.get(c) ?? this.lastUsage.get(c) ?? 0;
    for (const w of line) if (w.caller !== undefined) weight.set(w.caller, weightOf(w.caller) + 1);
    const mine = caller === undefined ? 0 : weightOf(caller);
    let heaviest: string | undefined;
    for (const [c, n] of weight)
      if (c !== caller && n > mine && (heaviest === undefined || n > weightOf(heaviest)))
        heaviest = c;
    if (heaviest === undefined) return false;
    const victim = line.findLast((w) => w.caller === heaviest)!;
    this.remove(victim);
    this.refusals.push(victim);
    return true;
  }

  /** The store failed: nobody may be left waiting on it. */
  private failAll(cause: unknown): void {
    this.disarm();
    for (const waiter of this.takeEveryone()) {
      waiter.reject(
        new UnavailableError('upstream budget store failed', { cause, command: waiter.command }),
      );
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

/** The Claim a QueuedLimiter hands out: counts its polls and tells the planner what it learnt. */
class PlannedClaim implements Claim {
  /** Polls granted so far. */
  polls = 0;
  private accepted = false;
  private done = false;
  /** A first send of it was granted with a reservation (the store may hold one). */
  reserving = false;
  /** When its reservation lapses (set at its first grant). */
  expiresAt?: number;

  constructor(
    readonly owner: QueuedLimiter,
    readonly id: string,
    readonly command: CommandName,
    readonly caller?: string,
  ) {}

  /** A granted poll was given back unsent (Grant.stillClear): it does not count. */
  ungranted(): void {
    if (this.polls > 0) this.polls--;
  }

  granted(poll: boolean, take: Take): void {
    if (poll) this.polls++;
    else if (take.kind === 'first') {
      this.reserving = true;
      this.expiresAt ??= take.expiresAt;
    }
  }

  answered(status: number): void {
    if (this.done) return;
    if (status === 202) {
      this.accepted = true;
      this.reserving = true;
      this.owner.renew(this);
    } else if (status === 200) {
      this.done = true;
      this.owner.ended(this, { accepted: this.accepted, polls: this.polls });
    }
  }

  settle(): void {
    if (this.done) return;
    this.done = true;
    // Given up while still pending: it needed at least one more poll than it got.
    this.owner.ended(this, this.accepted ? { accepted: true, polls: this.polls + 1 } : undefined);
  }
}

/** Callers as the stores keep them: a claim id names its caller after a separator it must not contain. */
function callerKey(caller: string | undefined): string | undefined {
  return caller ? caller.replaceAll('|', '_') : undefined;
}

function budgetError(
  message: string,
  retryAfterSeconds: number,
  command?: CommandName,
): RateLimitedError {
  return new RateLimitedError(
    `${message}; retry after ${retryAfterSeconds}s`,
    retryAfterSeconds,
    'budget',
    { command },
  );
}

function closedError(command?: CommandName): UnavailableError {
  return new UnavailableError('upstream budget gate is closed', { command });
}
