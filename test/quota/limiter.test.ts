import { afterEach, describe, expect, it } from 'vitest';
import { RateLimitedError, UnavailableError } from '../../src/archtics/errors.js';
import { ManualClock } from '../../src/clock.js';
import {
  MemorySlotStore,
  QueuedLimiter,
  createLocalLimiter,
  type Limiter,
  type Priority,
  type SlotStore,
} from '../../src/quota/index.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

type Outcome =
  { state: 'waiting' } | { state: 'granted'; at: number } | { state: 'rejected'; error: unknown };

/** Fires one acquire and records when (on the manual clock) it was granted, or why refused. */
function fire(
  limiter: Limiter,
  clock: ManualClock,
  opts: Parameters<Limiter['acquire']>[0],
): { outcome: Outcome; label?: string } {
  const entry: { outcome: Outcome } = { outcome: { state: 'waiting' } };
  limiter.acquire(opts).then(
    () => (entry.outcome = { state: 'granted', at: clock.now() }),
    (error: unknown) => (entry.outcome = { state: 'rejected', error }),
  );
  return entry;
}

const grantedAt = (entries: { outcome: Outcome }[]) =>
  entries.flatMap((e) => (e.outcome.state === 'granted' ? [e.outcome.at] : []));
const rejected = (entries: { outcome: Outcome }[]) =>
  entries.flatMap((e) => (e.outcome.state === 'rejected' ? [e.outcome.error] : []));
const waiting = (entries: { outcome: Outcome }[]) =>
  entries.filter((e) => e.outcome.state === 'waiting').length;

/** Most grants in any window [t, t + windowMs): checking windows that start at each grant suffices. */
function maxInAnyWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (j < sorted.length && sorted[j] < sorted[i] + windowMs) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

let limiter: Limiter | undefined;
afterEach(async () => {
  await limiter?.close();
  limiter = undefined;
});

function setup(opts: { ratePerMinute: number; ratePerDay?: number; queueMax?: number }) {
  const clock = new ManualClock();
  limiter = createLocalLimiter({ ratePerDay: 1_000_000, queueMax: 10_000, ...opts, clock });
  return { clock, limiter, t0: clock.now() };
}

describe('budget gate: sliding window', () => {
  it('never grants more than N in any 60-second window under bursts across window boundaries', async () => {
    const { clock, limiter } = setup({ ratePerMinute: 7 });
    const entries: { outcome: Outcome }[] = [];
    // Bursts at irregular moments, straddling window boundaries, with a trickle in between.
    const bursts: [number, number][] = [
      [0, 12],
      [31_000, 9],
      [59_500, 5],
      [60_500, 4],
      [95_000, 11],
      [179_900, 6],
      [181_000, 3],
    ];
    let elapsed = 0;
    for (const [at, n] of bursts) {
      await clock.advance(at - elapsed);
      elapsed = at;
      for (let i = 0; i < n; i++) entries.push(fire(limiter, clock, { priority: 'read' }));
      entries.push(fire(limiter, clock, { priority: i2p(entries.length) }));
    }
    for (let step = 0; step < 200 && waiting(entries) > 0; step++) await clock.advance(1_700);

    expect(waiting(entries)).toBe(0);
    expect(rejected(entries)).toEqual([]);
    const times = grantedAt(entries);
    expect(times).toHaveLength(entries.length);
    expect(maxInAnyWindow(times, MIN)).toBe(7);
    // Work-conserving: the first 7 went at once, and the whole backlog drained at 7 per minute.
    expect(times.filter((t) => t === times[0]).length).toBeGreaterThanOrEqual(7);
    const span = Math.max(...times) - Math.min(...times);
    expect(span).toBeLessThan(Math.ceil(entries.length / 7) * MIN);
  });

  it('stops at the day limit until 24 h after the sends that spent it', async () => {
    const { clock, limiter, t0 } = setup({ ratePerMinute: 100, ratePerDay: 10 });
    const entries = Array.from({ length: 15 }, () => fire(limiter, clock, { priority: 'read' }));
    await clock.advance(0);
    expect(grantedAt(entries)).toHaveLength(10);
    expect(await limiter.snapshot()).toMatchObject({
      dayRemaining: 0,
      minuteRemaining: 90,
      queueLength: 5,
    });

    // Someone who can wait an hour is told, at once, to come back in a day.
    const impatient = fire(limiter, clock, { priority: 'poll', deadline: t0 + 60 * MIN });
    await clock.advance(0);
    expect(impatient.outcome).toMatchObject({
      state: 'rejected',
      error: { source: 'budget', retryAfterSeconds: DAY / 1000 },
    });

    await clock.advance(DAY - 1);
    expect(grantedAt(entries)).toHaveLength(10);
    await clock.advance(1);
    expect(grantedAt(entries)).toHaveLength(15);
    expect(
      grantedAt(entries)
        .slice(10)
        .every((t) => t === t0 + DAY),
    ).toBe(true);
  });

  it('reports what is left in the minute and the day', async () => {
    const { clock, limiter } = setup({ ratePerMinute: 5, ratePerDay: 8 });
    await Promise.all([1, 2, 3].map(() => limiter.acquire({ priority: 'read' })));
    expect(await limiter.snapshot()).toEqual({
      minuteRemaining: 2,
      dayRemaining: 5,
      queueLength: 0,
    });
    await clock.advance(MIN);
    expect(await limiter.snapshot()).toEqual({
      minuteRemaining: 5,
      dayRemaining: 5,
      queueLength: 0,
    });
  });
});

function i2p(i: number): Priority {
  return (['poll', 'write', 'read'] as const)[i % 3];
}

describe('budget gate: order', () => {
  it('serves polls, then writes, then reads when slots are scarce, FIFO within each', async () => {
    const { clock, limiter } = setup({ ratePerMinute: 1 });
    await limiter.acquire({ priority: 'read' }); // spends the minute
    const order: string[] = [];
    const names: [string, Priority][] = [
      ['r1', 'read'],
      ['w1', 'write'],
      ['p1', 'poll'],
      ['r2', 'read'],
      ['w2', 'write'],
      ['p2', 'poll'],
      ['r3', 'read'],
    ];
    const all = names.map(([name, priority]) =>
      limiter.acquire({ priority }).then(() => order.push(name)),
    );
    for (let step = 0; step < 10 && order.length < names.length; step++) await clock.advance(MIN);
    await Promise.all(all);
    expect(order).toEqual(['p1', 'p2', 'w1', 'w2', 'r1', 'r2', 'r3']);
  });
});

describe('budget gate: deadlines', () => {
  it('refuses at once, with the seconds until its slot, a caller whose slot comes after its deadline', async () => {
    const { clock, limiter, t0 } = setup({ ratePerMinute: 2 });
    await Promise.all([
      limiter.acquire({ priority: 'read' }),
      limiter.acquire({ priority: 'read' }),
    ]);
    await clock.advance(15_000);
    // Two ahead in line take the slots freed at t0+60 s; the third slot is at t0+120 s.
    const ahead = [
      fire(limiter, clock, { priority: 'read' }),
      fire(limiter, clock, { priority: 'read' }),
    ];
    const late = fire(limiter, clock, { priority: 'read', deadline: t0 + 119_000 });
    const onTime = fire(limiter, clock, { priority: 'read', deadline: t0 + 120_000 });

    await clock.advance(0); // no clock movement: refused at once
    expect(late.outcome.state).toBe('rejected');
    const error = rejected([late])[0];
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ source: 'budget', retryAfterSeconds: 105, code: 'RATE_LIMITED' });
    expect((await limiter.snapshot()).queueLength).toBe(3);

    await clock.advance(105_000);
    expect(grantedAt([...ahead, onTime])).toEqual([t0 + MIN, t0 + MIN, t0 + 2 * MIN]);
    expect((await limiter.snapshot()).queueLength).toBe(0);
  });

  it('refuses at once a waiter pushed past its deadline by a higher priority arriving later', async () => {
    const { clock, limiter, t0 } = setup({ ratePerMinute: 1 });
    await limiter.acquire({ priority: 'read' });
    const read = fire(limiter, clock, { priority: 'read', deadline: t0 + MIN });
    await clock.advance(0);
    expect(read.outcome.state).toBe('waiting');
    const poll = fire(limiter, clock, { priority: 'poll' });
    await clock.advance(0);
    expect(read.outcome).toMatchObject({
      state: 'rejected',
      error: { source: 'budget', retryAfterSeconds: 120 },
    });
    await clock.advance(MIN);
    expect(poll.outcome).toEqual({ state: 'granted', at: t0 + MIN });
  });

  it('does not hang a burst of callers with deadlines: the excess is refused and the queue empties', async () => {
    const { clock, limiter, t0 } = setup({ ratePerMinute: 10 });
    const entries = Array.from({ length: 100 }, () =>
      fire(limiter, clock, { priority: 'read', deadline: t0 + 30_000 }),
    );
    await clock.advance(0);
    expect(grantedAt(entries)).toHaveLength(10);
    expect(rejected(entries)).toHaveLength(90);
    expect(
      rejected(entries).every((e) => e instanceof RateLimitedError && e.retryAfterSeconds === 60),
    ).toBe(true);
    expect(await limiter.snapshot()).toMatchObject({ queueLength: 0 });
    expect(clock.pending).toBe(0); // nobody waiting, no timer
  });
});

describe('budget gate: bounded queue and abort', () => {
  it('refuses at once the caller beyond queueMax', async () => {
    const { clock, limiter } = setup({ ratePerMinute: 1, queueMax: 3 });
    await limiter.acquire({ priority: 'read' });
    const queued = [1, 2, 3].map(() => fire(limiter, clock, { priority: 'write' }));
    const refused = fire(limiter, clock, { priority: 'write' });
    await clock.advance(0);
    // Room opens when the head is served, a minute after the first send.
    expect(refused.outcome).toMatchObject({
      state: 'rejected',
      error: { source: 'budget', code: 'RATE_LIMITED', retryAfterSeconds: 60 },
    });
    expect((await limiter.snapshot()).queueLength).toBe(3);
    for (let step = 0; step < 5 && waiting(queued) > 0; step++) await clock.advance(MIN);
    expect(grantedAt(queued)).toHaveLength(3);
  });

  it('lets a poll displace the newest read when the queue is full', async () => {
    const { clock, limiter, t0 } = setup({ ratePerMinute: 1, queueMax: 2 });
    await limiter.acquire({ priority: 'read' });
    const [r1, r2] = [
      fire(limiter, clock, { priority: 'read' }),
      fire(limiter, clock, { priority: 'read' }),
    ];
    await clock.advance(0);
    const poll = fire(limiter, clock, { priority: 'poll' });
    await clock.advance(0);
    expect(r2.outcome).toMatchObject({ state: 'rejected', error: { source: 'budget' } });
    expect((await limiter.snapshot()).queueLength).toBe(2);
    await clock.advance(2 * MIN);
    expect(poll.outcome).toEqual({ state: 'granted', at: t0 + MIN });
    expect(r1.outcome).toEqual({ state: 'granted', at: t0 + 2 * MIN });
  });

  it('an aborted caller leaves the queue and rejects with the abort reason', async () => {
    const { clock, limiter, t0 } = setup({ ratePerMinute: 1 });
    await limiter.acquire({ priority: 'read' });
    const controller = new AbortController();
    const aborted = limiter
      .acquire({ priority: 'read', signal: controller.signal })
      .catch((e: unknown) => e);
    const next = fire(limiter, clock, { priority: 'read' });
    await clock.advance(1_000);
    const reason = new Error('client went away');
    controller.abort(reason);
    expect(await aborted).toBe(reason);
    expect((await limiter.snapshot()).queueLength).toBe(1);
    await clock.advance(MIN);
    expect(next.outcome).toEqual({ state: 'granted', at: t0 + MIN }); // the aborted one's slot passed on

    const already = new AbortController();
    already.abort(reason);
    await expect(limiter.acquire({ priority: 'poll', signal: already.signal })).rejects.toBe(
      reason,
    );
  });
});

describe('budget gate: pause (Retry-After)', () => {
  it('releases nothing before the pause ends and re-checks deadlines against it', async () => {
    const { clock, limiter, t0 } = setup({ ratePerMinute: 10 });
    limiter.pauseFor(30_000);
    expect(await limiter.snapshot()).toMatchObject({
      pausedUntil: t0 + 30_000,
      minuteRemaining: 10,
    });
    const patient = fire(limiter, clock, { priority: 'read' });
    const hurried = fire(limiter, clock, { priority: 'poll', deadline: t0 + 10_000 });
    await clock.advance(0);
    expect(hurried.outcome).toMatchObject({
      state: 'rejected',
      error: { source: 'budget', retryAfterSeconds: 30 },
    });
    await clock.advance(29_999);
    expect(patient.outcome.state).toBe('waiting');
    await clock.advance(1);
    expect(patient.outcome).toEqual({ state: 'granted', at: t0 + 30_000 });
    expect((await limiter.snapshot()).pausedUntil).toBeUndefined();
  });

  it('a caller with a fallback (startBy) is refused at once during a pause, whatever its deadline; it does not wait it out', async () => {
    const { clock, limiter, t0 } = setup({ ratePerMinute: 10 });
    limiter.pauseFor(30_000);
    const withFallback = fire(limiter, clock, {
      priority: 'read',
      deadline: t0 + 60_000,
      startBy: t0 + 1_000,
    });
    const without = fire(limiter, clock, { priority: 'read', deadline: t0 + 60_000 });
    await clock.advance(0);
    expect(withFallback.outcome).toMatchObject({
      state: 'rejected',
      error: { code: 'RATE_LIMITED', source: 'budget', retryAfterSeconds: 30 },
    });
    expect(without.outcome.state).toBe('waiting');
    await clock.advance(30_000);
    expect(without.outcome).toEqual({ state: 'granted', at: t0 + 30_000 });
    // Once a slot is free now, startBy grants as usual.
    const later = fire(limiter, clock, { priority: 'read', startBy: clock.now() + 1_000 });
    await clock.advance(0);
    expect(later.outcome).toEqual({ state: 'granted', at: t0 + 30_000 });
  });

  it('a pause arriving while callers wait refuses those it pushes past their deadline', async () => {
    const { clock, limiter, t0 } = setup({ ratePerMinute: 1 });
    await limiter.acquire({ priority: 'read' });
    const waiter = fire(limiter, clock, { priority: 'write', deadline: t0 + 90_000 });
    await clock.advance(0);
    expect(waiter.outcome.state).toBe('waiting');
    limiter.pauseFor(120_000);
    await clock.advance(0);
    expect(waiter.outcome).toMatchObject({ state: 'rejected', error: { retryAfterSeconds: 120 } });
  });
});

describe('budget gate: timers and close', () => {
  it('keeps one wakeup timer however many wait, and close() rejects waiters and stops it', async () => {
    const { clock, limiter } = setup({ ratePerMinute: 2 });
    const entries = Array.from({ length: 200 }, (_, i) =>
      fire(limiter, clock, { priority: i2p(i) }),
    );
    await clock.advance(0);
    expect(clock.pending).toBe(1);
    await clock.advance(MIN);
    expect(grantedAt(entries)).toHaveLength(4);
    expect(clock.pending).toBe(1);
    await limiter.close();
    await clock.advance(0);
    expect(clock.pending).toBe(0);
    expect(waiting(entries)).toBe(0);
    expect(rejected(entries).every((e) => e instanceof UnavailableError)).toBe(true);
    await expect(limiter.acquire({ priority: 'poll' })).rejects.toBeInstanceOf(UnavailableError);
  });
});

describe('budget gate: any SlotStore', () => {
  it('waits, rather than spins, when a shared store refuses a slot its stale read promised', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    const limits = { perWindow: 2, windowMs: MIN, perDay: 1_000, dayMs: DAY };
    const inner = new MemorySlotStore(limits);
    let takes = 0;
    // Reads say the log is empty (as if another replica's sends were not seen yet); takes tell the truth.
    const store: SlotStore = {
      read: async () => ({ sends: [], pausedUntil: 0 }),
      tryTake: async (now) => (takes++, inner.tryTake(now)),
      untake: (now, take) => inner.untake(now, take),
      pauseUntil: async (until) => inner.pauseUntil(until),
      pauseEnd: () => inner.pauseEnd(),
      reserve: (claim, polls, expiresAt) => inner.reserve(claim, polls, expiresAt),
      release: (claim) => inner.release(claim),
      learn: (command, sample) => inner.learn(command, sample),
      samples: (command) => inner.samples(command),
    };
    limiter = new QueuedLimiter({ store, limits, queueMax: 100, clock });
    const entries = Array.from({ length: 5 }, () => fire(limiter!, clock, { priority: 'read' }));
    await clock.advance(0);
    expect(grantedAt(entries)).toEqual([t0, t0]);
    expect(takes).toBe(3); // two granted, one refused — then it sleeps
    for (let step = 0; step < 5 && waiting(entries) > 0; step++) await clock.advance(MIN);
    expect(grantedAt(entries)).toEqual([t0, t0, t0 + MIN, t0 + MIN, t0 + 2 * MIN]);
    expect(takes).toBeLessThan(12);
  });
});
