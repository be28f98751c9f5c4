/**
 * Fair shares per caller in the planner (src/quota/fair.ts), on a ManualClock: a light caller is
 * not queued behind a heavy one's backlog, a caller alone leaves the reserve, an active caller's
 * unused share is kept for it, the heavy one is refused with a truthful retry time — and a line
 * without callers is planned exactly as before (FIFO, the whole window). Also the Redis store's
 * side: each caller's use read back from the log, a borrowing send checked in the Lua script.
 */
import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '../../src/archtics/errors.js';
import { ManualClock } from '../../src/clock.js';
import { borrowingShapes, fairShare, reserveShape } from '../../src/quota/fair.js';
import { MemorySlotStore, QueuedLimiter, type WindowLimits } from '../../src/quota/index.js';
import { RedisSlotStore } from '../../src/quota/redis.js';
import { createRedis, deleteByPrefix } from '../../src/redis.js';
import { TEST_REDIS_URL, describeRedis, uniquePrefix } from '../cache/redis-env.js';

const DAY = 24 * 60 * 60_000;
const LIMITS: WindowLimits = { perWindow: 16, windowMs: 60_000, perDay: 10_000, dayMs: DAY };

function limiter(clock = new ManualClock()) {
  const store = new MemorySlotStore(LIMITS, undefined, clock.now());
  return { clock, store, gate: new QueuedLimiter({ store, limits: LIMITS, queueMax: 100, clock }) };
}

/** Starts `n` acquires; `granted` counts those that resolved, `refused` collects the refusals. */
function burst(gate: QueuedLimiter, n: number, opts: { caller?: string; deadline?: number }) {
  const out = { granted: 0, refused: [] as RateLimitedError[] };
  for (let i = 0; i < n; i++) {
    gate.acquire({ priority: 'read', ...opts }).then(
      () => out.granted++,
      (e: RateLimitedError) => out.refused.push(e),
    );
  }
  return out;
}

describe('the rule (fair.ts)', () => {
  it('a share is the window over the active callers, at least two; the reserve is a quarter of a 3/4 window', () => {
    expect(fairShare(16, 1)).toBe(8);
    expect(fairShare(16, 4)).toBe(4);
    expect(reserveShape(LIMITS)).toEqual({ perWindow: 12, windowMs: 45_000 });
    // Over its share, G leaves V's unused share (8 − 3) free in the whole window.
    expect(
      borrowingShapes(
        LIMITS,
        8,
        new Map([
          ['V', 3],
          ['G', 12],
        ]),
        ['V', 'G'],
        'G',
      ),
    ).toEqual([
      { perWindow: 12, windowMs: 45_000 },
      { perWindow: 11, windowMs: 60_000 },
    ]);
  });
});

describe('the planner with callers', () => {
  it('a caller alone borrows all but the reserve; a newcomer is served at once, before the backlog', async () => {
    const { clock, gate } = limiter();
    const greedy = burst(gate, 30, { caller: 'G' });
    await clock.advance(0);
    expect(greedy.granted).toBe(12); // 16 less the reserve of 4
    const victim = burst(gate, 4, { caller: 'V' });
    await clock.advance(0);
    expect(victim.granted).toBe(4);
    expect(greedy.granted).toBe(12);
    await gate.close();
  });

  it('the unused share of an active caller is kept for it; the greedy one is refused at its deadline with a truthful retry time', async () => {
    const { clock, gate } = limiter();
    const victim = burst(gate, 1, { caller: 'V' });
    await clock.advance(0);
    expect(victim.granted).toBe(1);
    const greedy = burst(gate, 20, { caller: 'G', deadline: clock.now() + 30_000 });
    await clock.advance(0);
    // V is active with 1 of its 8: G takes its 8 and borrows only what leaves V's 7 free (16 − 7 = 9 in all).
    expect(greedy.granted).toBe(8);
    // Nothing frees before the deadline (the window is a minute): the rest is refused at once.
    expect(greedy.refused).toHaveLength(12);
    const e = greedy.refused[0];
    expect(e).toBeInstanceOf(RateLimitedError);
    expect(e.retryAfterSeconds).toBeGreaterThanOrEqual(30);
    expect(e.retryAfterSeconds).toBeLessThanOrEqual(60);
    // V's share is there for it.
    const more = burst(gate, 7, { caller: 'V', deadline: clock.now() + 1_000 });
    await clock.advance(0);
    expect(more.granted).toBe(7);
    await gate.close();
  });

  it('water-filling: waiting together, the lighter caller goes first, FIFO within a caller', async () => {
    const { clock, gate } = limiter();
    // Fill the window with sends without a caller, so everyone below waits in line.
    burst(gate, 16, {});
    await clock.advance(0);
    const order: string[] = [];
    const push = (caller: string, i: number) =>
      void gate.acquire({ priority: 'read', caller }).then(() => order.push(`${caller}${i}`));
    for (let i = 0; i < 3; i++) push('G', i);
    push('V', 0);
    push('W', 0);
    await clock.advance(0);
    expect(order).toEqual([]);
    await clock.advance(60_000);
    expect(order.slice(0, 3).sort()).toEqual(['G0', 'V0', 'W0']);
    expect(order.indexOf('G1')).toBeGreaterThan(order.indexOf('V0'));
    expect(order.indexOf('G2')).toBeGreaterThan(order.indexOf('G1'));
    await gate.close();
  });

  it('more callers than slots (tokens off: one per address): every slot is used, one send per caller first', async () => {
    const { clock, gate } = limiter();
    const byCaller = Array.from({ length: 40 }, (_, i) => burst(gate, 2, { caller: `addr:${i}` }));
    await clock.advance(0);
    // A share under one send must not hold anyone back: a caller with no use in the window goes.
    expect(byCaller.reduce((n, c) => n + c.granted, 0)).toBe(16);
    expect(byCaller.every((c) => c.granted <= 1)).toBe(true);
    // A window later the first sends have left it: every caller's use is 0 again, and so on.
    await clock.advance(60_000);
    expect(byCaller.reduce((n, c) => n + c.granted, 0)).toBe(32);
    await gate.close();
  });

  it('without callers nothing changes: FIFO over the whole window', async () => {
    const { clock, gate } = limiter();
    const all = burst(gate, 20, {});
    await clock.advance(0);
    expect(all.granted).toBe(16);
    await gate.close();
  });

  it("the store counts each caller's sends in the window and the polls its claims hold", async () => {
    const { clock, store, gate } = limiter();
    burst(gate, 3, { caller: 'V' });
    const claim = gate.claim('ats_ext_test_polling', 'G');
    void gate.acquire({ priority: 'read', claim });
    await clock.advance(0);
    const usage = store.read(clock.now()).usage!;
    expect(usage.get('V')).toBe(3);
    expect(usage.get('G')).toBeGreaterThan(1); // its send and the polls reserved for it
    await clock.advance(60_001);
    claim.settle();
    await clock.advance(0);
    expect(store.read(clock.now()).usage).toBeUndefined();
    await gate.close();
  });
});

describeRedis('the Redis store with callers', () => {
  const T = 1_800_000_000_000;
  it("read() gives each caller's use from the log and the claims; a borrowing take is checked in Lua", async () => {
    const prefix = uniquePrefix('fair');
    const redis = createRedis(TEST_REDIS_URL);
    try {
      const s = new RedisSlotStore({ redis, limits: LIMITS, apiKey: 'k', dsn: 'd', prefix });
      for (let i = 0; i < 3; i++)
        expect(
          await s.tryTake(T + i, {
            kind: 'first',
            polls: 0,
            deadline: Infinity,
            expiresAt: 0,
            caller: 'token:V',
          }),
        ).toBeNull();
      expect(
        await s.tryTake(T + 3, {
          kind: 'first',
          claim: 'x:1|token:G',
          polls: 2,
          deadline: Infinity,
          expiresAt: T + 60_000,
          caller: 'token:G',
        }),
      ).toBeNull();
      expect(await s.tryTake(T + 4)).toBeNull(); // no caller: in no one's use
      const state = await s.read(T + 5);
      expect(Object.fromEntries(state.usage!)).toEqual({ 'token:V': 3, 'token:G': 3 });
      // Held to 5 sends in 45 s: refused, with the time the oldest of them leaves that window.
      const held = {
        kind: 'first' as const,
        polls: 0,
        deadline: Infinity,
        expiresAt: 0,
        caller: 'token:G',
        shapes: [{ perWindow: 5, windowMs: 45_000 }],
      };
      expect(await s.tryTake(T + 6, held)).toBe(T + 45_000);
      expect(await s.tryTake(T + 45_001, held)).toBeNull();
      // A minute later every caller's use has left with the window (no key per caller).
      expect((await s.read(T + 60_000 + 45_002)).usage).toBeUndefined();
    } finally {
      await deleteByPrefix(redis, prefix);
      await redis.quit();
    }
  });
});
