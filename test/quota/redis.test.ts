/**
 * The shared budget in Redis: the Lua scripts' decisions at chosen instants (exact), the read
 * model's remaining counts, the shared Retry-After pause, the hashed key, and several
 * QueuedLimiters (one per "replica", each with its own connection) drawing from one budget.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RateLimitedError } from '../../src/archtics/errors.js';
import { ManualClock, systemClock } from '../../src/clock.js';
import {
  MemorySlotStore,
  QueuedLimiter,
  remaining,
  type WindowLimits,
} from '../../src/quota/index.js';
import { createLimiter } from '../../src/quota/redis-limiter.js';
import { RedisSlotStore, quotaNamespace } from '../../src/quota/redis.js';
import { ResilientSlotStore } from '../../src/quota/resilient.js';
import { createRedis, deleteByPrefix, type Redis } from '../../src/redis.js';
import { TEST_REDIS_URL, describeRedis, redisAvailable, uniquePrefix } from '../cache/redis-env.js';

const DAY = 24 * 60 * 60_000;
const prefix = uniquePrefix('quota');
let redis: Redis;
const extra: Redis[] = [];

beforeAll(() => {
  if (redisAvailable) redis = createRedis(TEST_REDIS_URL);
});
afterAll(async () => {
  if (!redis) return;
  await deleteByPrefix(redis, prefix).catch(() => undefined);
  for (const r of [redis, ...extra]) await r.quit().catch(() => undefined);
});

let n = 0;
function store(limits: WindowLimits, apiKey = `key-${n++}`, client = redis) {
  return new RedisSlotStore({ redis: client, limits, apiKey, dsn: 'apigee', prefix });
}

describeRedis('RedisSlotStore (Lua, exact instants)', () => {
  const T = 1_800_000_000_000;

  it('takes perWindow slots, then answers when the next one opens; the window slides', async () => {
    const s = store({ perWindow: 3, windowMs: 60_000, perDay: 100, dayMs: DAY });
    expect(await s.tryTake(T)).toBeNull();
    expect(await s.tryTake(T + 10_000)).toBeNull();
    expect(await s.tryTake(T + 20_000)).toBeNull();
    // The oldest of the last 3 (T) leaves the window at T + 60 000.
    expect(await s.tryTake(T + 30_000)).toBe(T + 60_000);
    expect(await s.tryTake(T + 59_999)).toBe(T + 60_000);
    expect(await s.tryTake(T + 60_000)).toBeNull();
    expect(await s.tryTake(T + 60_001)).toBe(T + 70_000);
  });

  it('enforces the day as well as the minute', async () => {
    const s = store({ perWindow: 10, windowMs: 60_000, perDay: 4, dayMs: DAY });
    for (let i = 0; i < 4; i++) expect(await s.tryTake(T + i * 60_000)).toBeNull();
    expect(await s.tryTake(T + 10 * 60_000)).toBe(T + DAY);
    expect(await s.tryTake(T + DAY)).toBeNull();
  });

  it('shares a Retry-After pause; the later pause wins', async () => {
    const s = store({ perWindow: 10, windowMs: 60_000, perDay: 100, dayMs: DAY });
    await s.pauseUntil(T + 5_000);
    await s.pauseUntil(T + 2_000);
    expect(await s.tryTake(T)).toBe(T + 5_000);
    expect((await s.read(T)).pausedUntil).toBe(T + 5_000);
    expect(await s.tryTake(T + 5_000)).toBeNull();
  });

  it('untake() gives back an unsent take: its log entry goes, a poll goes back to its claim', async () => {
    const s = store({ perWindow: 10, windowMs: 60_000, perDay: 100, dayMs: DAY });
    const expiresAt = T + 600_000;
    expect(
      await s.tryTake(T, {
        kind: 'first',
        claim: 'c1',
        polls: 2,
        deadline: Infinity,
        expiresAt,
        id: 'r:t1',
      }),
    ).toBeNull();
    const poll = { kind: 'poll', claim: 'c1', id: 'r:t2' } as const;
    expect(await s.tryTake(T + 300, poll)).toBeNull();
    expect(await s.read(T + 300)).toMatchObject({ reserved: 1 });
    expect((await s.read(T + 300)).sends).toHaveLength(2);
    await s.untake(T + 300, poll);
    expect(await s.read(T + 300)).toMatchObject({ sends: [T], reserved: 2 });
    expect(await s.pauseEnd()).toBe(0);
    await s.pauseUntil(T + 5_000);
    expect(await s.pauseEnd()).toBe(T + 5_000);
  });

  it('the resilient store gives an unsent take back to both logs and reads the later pause', async () => {
    const limits = { perWindow: 10, windowMs: 60_000, perDay: 100, dayMs: DAY };
    const apiKey = `key-${n++}`;
    const shared = store(limits, apiKey);
    const local = new MemorySlotStore(limits, undefined, T);
    let degraded = false;
    const clock = new ManualClock(T);
    const s = new ResilientSlotStore({
      shared,
      redis,
      health: { degraded: () => degraded, onStateChange: () => undefined },
      limits,
      local,
      namespace: quotaNamespace(prefix, apiKey, 'apigee'),
      clock,
      heartbeatMs: 60_000,
    });
    try {
      const take = {
        kind: 'first',
        polls: 0,
        deadline: Infinity,
        expiresAt: T + 1_000,
        id: 'r:t9',
      } as const;
      expect(await s.tryTake(T, take)).toBeNull();
      expect([(await shared.read(T)).sends.length, local.read(T).sends.length]).toEqual([1, 1]);
      await s.untake(T, take);
      expect([(await shared.read(T)).sends.length, local.read(T).sends.length]).toEqual([0, 0]);
      await shared.pauseUntil(T + 4_000); // another replica's 429
      local.pauseUntil(T + 2_000);
      expect(await s.pauseEnd()).toBe(T + 4_000);
      degraded = true;
      expect(await s.pauseEnd()).toBe(T + 2_000);
    } finally {
      s.close();
    }
  });

  it('read(): a log of the exact length (exact remaining counts) without shipping the whole day', async () => {
    const limits = { perWindow: 5, windowMs: 60_000, perDay: 1_000, dayMs: DAY };
    const s = store(limits);
    // 600 sends over the past hours, then 3 in the current minute.
    for (let i = 0; i < 600; i++) expect(await s.tryTake(T + i * 20_000)).toBeNull();
    const now = T + 600 * 20_000 + 100_000;
    for (let i = 0; i < 3; i++) expect(await s.tryTake(now - 30_000 + i)).toBeNull();
    const state = await s.read(now);
    expect(state.sends.length).toBe(603);
    expect(remaining(state.sends, now, limits)).toEqual({ window: 2, day: 397 });
    // Ascending, real at both ends.
    expect([...state.sends].sort((a, b) => a - b)).toEqual(state.sends);
    expect(state.sends[0]).toBe(T);
    expect(state.sends.at(-1)).toBe(now - 30_000 + 2);
  });

  it('keeps the API key out of Redis: the budget is keyed by a hash of key + DSN', async () => {
    const secret = 'sk-live-THIS-IS-SECRET';
    const s = store({ perWindow: 1, windowMs: 60_000, perDay: 10, dayMs: DAY }, secret);
    await s.tryTake(T);
    const keys = await redis.keys(`${prefix}*`);
    expect(keys.some((k) => k.startsWith(quotaNamespace(prefix, secret, 'apigee')))).toBe(true);
    expect(keys.join('\n')).not.toContain(secret);
    // Another DSN is another budget.
    const other = new RedisSlotStore({
      redis,
      limits: { perWindow: 1, windowMs: 60_000, perDay: 10, dayMs: DAY },
      apiKey: secret,
      dsn: 'other',
      prefix,
    });
    expect(await other.tryTake(T)).toBeNull();
  });
});

describeRedis('QueuedLimiter over Redis: three replicas, one budget', () => {
  it('never grants more than perWindow in any window across replicas, and refuses past deadlines at once', async () => {
    const windowMs = 400;
    const perWindow = 4;
    const limits = { perWindow, windowMs, perDay: 1_000, dayMs: DAY };
    const apiKey = 'shared-key';
    const replicas = [0, 1, 2].map(() => {
      const client = createRedis(TEST_REDIS_URL);
      extra.push(client);
      return new QueuedLimiter({
        store: store(limits, apiKey, client),
        limits,
        queueMax: 100,
        clock: systemClock,
      });
    });
    // 8 callers per replica want a slot within ~2.5 windows: 24 demanded, about 12 fit.
    const deadline = Date.now() + Math.floor(windowMs * 2.5);
    const outcomes = await Promise.all(
      replicas.flatMap((lim) =>
        Array.from({ length: 8 }, () =>
          lim.acquire({ priority: 'read', deadline }).then(
            () => 'granted' as const,
            (e: unknown) =>
              e instanceof RateLimitedError && e.source === 'budget'
                ? ('refused' as const)
                : Promise.reject(e),
          ),
        ),
      ),
    );
    const granted = outcomes.filter((o) => o === 'granted').length;
    expect(granted).toBeGreaterThanOrEqual(perWindow);
    expect(outcomes.filter((o) => o === 'refused').length).toBeGreaterThan(0);
    // The shared log itself: any perWindow+1 consecutive sends span at least one window.
    const raw = (await redis.zrange(
      `${quotaNamespace(prefix, apiKey, 'apigee')}log`,
      0,
      '-1',
      'WITHSCORES',
    )) as string[];
    const scores = raw.filter((_, i) => i % 2 === 1).map(Number);
    expect(scores.length).toBe(granted);
    for (let i = 0; i + perWindow < scores.length; i++)
      expect(scores[i + perWindow] - scores[i]).toBeGreaterThanOrEqual(windowMs);
    // Every replica got a share.
    const perReplica = [0, 1, 2].map(
      (r) => outcomes.slice(r * 8, r * 8 + 8).filter((o) => o === 'granted').length,
    );
    expect(perReplica.every((g) => g > 0)).toBe(true);
    await Promise.all(replicas.map((l) => l.close()));
  });

  it('createLimiter(config, redis) shares the budget; without redis it is the in-process limiter', async () => {
    const config = {
      archtics: {
        ratePerMinute: 2,
        ratePerDay: 100,
        queueMax: 10,
        windowMarginMs: 1_000,
        apiKey: 'factory-key',
        dsn: 'apigee',
      },
    } as Parameters<typeof createLimiter>[0];
    const a = createLimiter(config, redis, { prefix });
    const b = createLimiter(config, redis, { prefix });
    await a.acquire({ priority: 'read' });
    expect((await b.snapshot()).minuteRemaining).toBe(1);
    await b.acquire({ priority: 'write' });
    expect((await a.snapshot()).minuteRemaining).toBe(0);
    await expect(a.acquire({ priority: 'read', deadline: Date.now() + 50 })).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      source: 'budget',
    });
    const local = createLimiter(config);
    expect((await local.snapshot()).minuteRemaining).toBe(2);
    await Promise.all([a.close(), b.close(), local.close()]);
  });
});
