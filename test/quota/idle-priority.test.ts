/**
 * The fourth priority, 'idle' (refresh-ahead's budget): it never takes a slot a waiting caller could
 * use, never waits in line, leaves its headroom free, and never pushes the window past the limit.
 * A ManualClock: no timing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RateLimitedError } from '../../src/archtics/errors.js';
import { ManualClock } from '../../src/clock.js';
import {
  createLocalLimiter,
  decideTake,
  MemorySlotStore,
  QueuedLimiter,
  type AcquireOptions,
  type Limiter,
  type Take,
  type WindowLimits,
} from '../../src/quota/index.js';
import { RedisSlotStore } from '../../src/quota/redis.js';
import { createRedis, deleteByPrefix } from '../../src/redis.js';
import { TEST_REDIS_URL, describeRedis, uniquePrefix } from '../cache/redis-env.js';

type State = 'waiting' | 'granted' | 'refused';

function fire(
  limiter: Limiter,
  opts: AcquireOptions,
  log?: string[],
  name?: string,
): { state: State; error?: unknown } {
  const entry: { state: State; error?: unknown } = { state: 'waiting' };
  limiter.acquire(opts).then(
    () => {
      entry.state = 'granted';
      if (name) log?.push(name);
    },
    (error: unknown) => {
      entry.state = 'refused';
      entry.error = error;
    },
  );
  return entry;
}

let limiter: Limiter | undefined;
afterEach(async () => {
  await limiter?.close();
  limiter = undefined;
});

function setup(ratePerMinute: number) {
  const clock = new ManualClock();
  limiter = createLocalLimiter({ ratePerMinute, ratePerDay: 1_000_000, queueMax: 100, clock });
  return { clock, limiter };
}

describe("budget gate: the 'idle' priority", () => {
  it('a queued read is always granted first: idle work is refused while a caller waits for the slot', async () => {
    const { clock, limiter } = setup(2);
    const order: string[] = [];
    // The window is spent: the read has to wait for the next slot.
    fire(limiter, { priority: 'read' }, order, 'r1');
    fire(limiter, { priority: 'read' }, order, 'r2');
    await clock.advance(0);
    const read = fire(limiter, { priority: 'read' }, order, 'waiting read');
    await clock.advance(30_000);
    expect(read.state).toBe('waiting');
    // Idle work asks while the read waits: refused at once, nothing taken.
    const idle = fire(limiter, { priority: 'idle' }, order, 'idle');
    await clock.advance(0);
    expect(idle.state).toBe('refused');
    expect(idle.error).toBeInstanceOf(RateLimitedError);
    // When the slot opens, it is the read's.
    await clock.advance(30_000);
    expect(order).toEqual(['r1', 'r2', 'waiting read']);
  });

  it('goes after every caller that asked in the same instant, and only into slots left over', async () => {
    const { clock, limiter } = setup(3);
    const order: string[] = [];
    const idle = fire(limiter, { priority: 'idle' }, order, 'idle');
    const reads = [1, 2, 3].map((i) => fire(limiter, { priority: 'read' }, order, `read${i}`));
    await clock.advance(0);
    expect(order).toEqual(['read1', 'read2', 'read3']);
    expect(reads.every((r) => r.state === 'granted')).toBe(true);
    expect(idle.state).toBe('refused');
  });

  it('never waits: with no slot free now it is refused at once, not queued for later', async () => {
    const { clock, limiter } = setup(1);
    fire(limiter, { priority: 'read' });
    await clock.advance(0);
    const idle = fire(limiter, { priority: 'idle' });
    await clock.advance(0);
    expect(idle.state).toBe('refused');
    expect((await limiter.snapshot()).queueLength).toBe(0);
  });

  it('leaves its headroom free for callers to come, and never passes the limit', async () => {
    const { clock, limiter } = setup(10);
    const idles = Array.from({ length: 10 }, () =>
      fire(limiter, { priority: 'idle', headroom: 3 }),
    );
    for (let i = 0; i < 10; i++) await clock.advance(0);
    // One at a time (each is alone in line when it is decided): 7 granted, 3 slots left.
    expect(idles.filter((i) => i.state === 'granted')).toHaveLength(7);
    expect((await limiter.snapshot()).minuteRemaining).toBe(3);
    // Callers still get the three.
    const reads = Array.from({ length: 3 }, () => fire(limiter, { priority: 'read' }));
    await clock.advance(0);
    expect(reads.every((r) => r.state === 'granted')).toBe(true);
    expect((await limiter.snapshot()).minuteRemaining).toBe(0);
    // And idle work gets nothing more in this window, with or without headroom.
    const late = fire(limiter, { priority: 'idle' });
    await clock.advance(0);
    expect(late.state).toBe('refused');
  });

  it('a full line refuses idle work first (it never displaces a caller)', async () => {
    const clock = new ManualClock();
    limiter = createLocalLimiter({ ratePerMinute: 1, ratePerDay: 1_000_000, queueMax: 1, clock });
    fire(limiter, { priority: 'read' });
    await clock.advance(0);
    const waitingRead = fire(limiter, { priority: 'read' });
    const idle = fire(limiter, { priority: 'idle' });
    await clock.advance(0);
    expect(idle.state).toBe('refused');
    expect(waitingRead.state).toBe('waiting');
  });
});

const T = 1_800_000_000_000;
const LIMITS: WindowLimits = {
  perWindow: 6,
  windowMs: 60_000,
  perDay: 1_000,
  dayMs: 24 * 60 * 60_000,
};
const idleTake = (polls: number, headroom: number, claim = 'idle-1'): Take => ({
  kind: 'first',
  claim,
  polls,
  deadline: T + 30_000,
  expiresAt: T + 30_000,
  headroom,
});

describe("the planner's rule for idle work (decideTake, the same in every store)", () => {
  it('reserved polls come first: idle work gets only slots after them, its own polls and its headroom, all free now', () => {
    // 6 a window, 1 sent, 3 polls reserved by accepted commands: 2 slots are left over now.
    const state = { sends: [T - 1_000], pausedUntil: 0, reserved: 3 };
    expect(decideTake(state, T, LIMITS, idleTake(0, 1))).toBeNull(); // itself + 1 of headroom
    expect(decideTake(state, T, LIMITS, idleTake(0, 2))).not.toBeNull(); // would eat the headroom
    expect(decideTake(state, T, LIMITS, idleTake(1, 1))).not.toBeNull(); // its expected poll must fit now too
    // A caller's read with the same reservations is granted (its polls may come later in the window).
    expect(
      decideTake(state, T, LIMITS, {
        kind: 'first',
        polls: 1,
        deadline: T + 120_000,
        expiresAt: T + 120_000,
      }),
    ).toBeNull();
  });

  it('a waiting write (or a reserved poll) is granted before idle work asking at the same instant', async () => {
    const clock = new ManualClock(T);
    const store = new MemorySlotStore(LIMITS, undefined, T);
    for (let i = 0; i < 5; i++) store.tryTake(T - 1_000);
    const planner = new QueuedLimiter({ store, limits: LIMITS, queueMax: 10, clock });
    limiter = planner;
    const order: string[] = [];
    const idle = fire(planner, { priority: 'idle', command: 'customer_query' }, order, 'idle');
    const write = fire(planner, { priority: 'write', command: 'seats_hold' }, order, 'write');
    await clock.advance(0);
    expect(order).toEqual(['write']);
    expect(idle.state).toBe('refused');
    expect(write.state).toBe('granted');
  });

  it('a refused idle send leaves nothing behind: no send counted, no reservation held', async () => {
    const clock = new ManualClock(T);
    const store = new MemorySlotStore(LIMITS, undefined, T);
    const planner = new QueuedLimiter({ store, limits: LIMITS, queueMax: 10, clock });
    limiter = planner;
    const claim = planner.claim('customer_query');
    const idle = fire(planner, { priority: 'idle', headroom: LIMITS.perWindow, claim });
    await clock.advance(0);
    expect(idle.state).toBe('refused');
    claim.settle();
    await clock.advance(0);
    expect(store.read(T)).toMatchObject({ sends: [], reserved: 0 });
  });
});

describeRedis('idle work over the shared (Redis) window', () => {
  it("the Lua take keeps the same rule: reserved polls first, then idle work's polls and headroom", async () => {
    const redis = createRedis(TEST_REDIS_URL);
    const prefix = uniquePrefix('idle-quota');
    try {
      const store = new RedisSlotStore({
        redis,
        limits: LIMITS,
        apiKey: 'k',
        dsn: 'apigee',
        prefix,
      });
      expect(await store.tryTake(T - 1_000)).toBeNull();
      await store.reserve('accepted', 3, T + 60_000);
      // 2 slots left over now: idle work with 1 of headroom goes, with 2 does not, nor with a poll.
      expect(await store.tryTake(T, idleTake(0, 2, 'a'))).not.toBeNull();
      expect(await store.tryTake(T, idleTake(1, 1, 'b'))).not.toBeNull();
      expect(await store.tryTake(T, idleTake(0, 1, 'c'))).toBeNull();
      // Now 1 is left: idle work is refused even with no headroom of its own (reservations first).
      expect(await store.tryTake(T, idleTake(0, 1, 'd'))).not.toBeNull();
      expect(await store.tryTake(T, idleTake(0, 0, 'e'))).toBeNull();
      expect(await store.tryTake(T, idleTake(0, 0, 'f'))).not.toBeNull();
      expect((await store.read(T)).sends).toHaveLength(3);
    } finally {
      await deleteByPrefix(redis, prefix);
      await redis.quit();
    }
  });
});
