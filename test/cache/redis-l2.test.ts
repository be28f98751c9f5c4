/**
 * The shared tier in Redis: entries and their expiry, tag invalidation (in Redis and, by pub/sub,
 * in other replicas' L1), the write/read race tombstone, the fetch lock, remembered tags; and two
 * cached runners (two "replicas") over one Redis: an L2 hit, a stale answer from L2, cross-replica
 * coalescing through the lock, and degrading to L1 when Redis is gone.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventDetails, getAvailSummary, seatsHold } from '../../src/archtics/commands/index.js';
import { RateLimitedError } from '../../src/archtics/errors.js';
import { newTrace } from '../../src/archtics/types.js';
import {
  RedisL2,
  cacheNamespace,
  createCachedRunner,
  type CacheEntry,
} from '../../src/cache/index.js';
import { DEFAULT_TTL_MS, type CacheConfig } from '../../src/config.js';
import { createRedis, deleteByPrefix, type Redis } from '../../src/redis.js';
import { FakeRunner } from './fake-runner.js';
import { TEST_REDIS_URL, describeRedis, redisAvailable, uniquePrefix } from './redis-env.js';

const prefix = uniquePrefix('l2');
const clients: Redis[] = [];
const l2s: RedisL2[] = [];
let redis: Redis;

function newL2(dsn = 'apigee'): RedisL2 {
  const client = createRedis(TEST_REDIS_URL);
  clients.push(client);
  const l2 = new RedisL2({ redis: client, namespace: cacheNamespace(prefix, dsn) });
  l2s.push(l2);
  return l2;
}

const config: CacheConfig = {
  maxBytes: 1 << 20,
  ttlMs: { ...DEFAULT_TTL_MS },
  staleGraceMs: 30 * 60_000,
};
const entry = (value: unknown, tags: string[], ttl = 60_000, now = Date.now()): CacheEntry => ({
  value,
  storedAt: now,
  expiresAt: now + ttl,
  staleUntil: now + ttl + 60_000,
  tags,
});

beforeAll(() => {
  if (redisAvailable) redis = createRedis(TEST_REDIS_URL);
});
afterAll(async () => {
  for (const l2 of l2s) await l2.close();
  for (const c of clients) await c.quit().catch(() => undefined);
  if (redis) {
    await deleteByPrefix(redis, prefix).catch(() => undefined);
    await redis.quit();
  }
});

describeRedis('RedisL2', () => {
  it('stores JSON entries that Redis expires when their stale grace ends; namespaced by DSN', async () => {
    const l2 = newL2();
    const e = entry({ a: 1 }, ['event:EVT01']);
    expect(await l2.set('k1', e, Date.now())).toBe(true);
    expect(await l2.get('k1')).toEqual(e);
    const pttl = await redis.pttl(`${cacheNamespace(prefix, 'apigee')}e:k1`);
    expect(pttl).toBeGreaterThan(60_000);
    expect(pttl).toBeLessThanOrEqual(120_000);
    expect(await newL2('other-dsn').get('k1')).toBeUndefined();
  });

  it('invalidates by tag in Redis and tells the other replicas, not itself', async () => {
    const a = newL2();
    const b = newL2();
    await Promise.all([a.ready, b.ready]);
    const heardByA: string[][] = [];
    const heardByB: string[][] = [];
    a.onRemoteInvalidate((t) => heardByA.push(t));
    b.onRemoteInvalidate((t) => heardByB.push(t));
    await a.set('x1', entry(1, ['event:EVT07']), Date.now());
    await a.set('x2', entry(2, ['event:EVT07', 'cart:9']), Date.now());
    await a.set('x3', entry(3, ['event:EVT08']), Date.now());
    await a.invalidate(['event:EVT07']);
    expect(await b.get('x1')).toBeUndefined();
    expect(await b.get('x2')).toBeUndefined();
    expect(await b.get('x3')).toBeDefined();
    for (let i = 0; i < 100 && heardByB.length === 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(heardByB).toEqual([['event:EVT07']]);
    expect(heardByA).toEqual([]);
  });

  it('refuses to store an answer whose read began before a write invalidated its tag', async () => {
    const l2 = newL2();
    const startedAt = Date.now() - 5_000; // the read began 5 s ago …
    await l2.invalidate(['event:EVT09']); // … a write happened meanwhile
    expect(await l2.set('race', entry('old', ['event:EVT09']), startedAt)).toBe(false);
    expect(await l2.get('race')).toBeUndefined();
    // A read that began after the write (beyond the skew slack) stores.
    expect(await l2.set('race', entry('new', ['event:EVT09']), Date.now() + 2_000)).toBe(true);
  });

  it('has one fetch lock per key, released only by its holder', async () => {
    const a = newL2();
    const b = newL2();
    const lock = await a.tryLock('hot', 5_000);
    expect(lock).toBeDefined();
    expect(await b.tryLock('hot', 5_000)).toBeUndefined();
    expect(await b.isLocked('hot')).toBe(true);
    await lock!.release();
    expect(await b.isLocked('hot')).toBe(false);
    const next = await b.tryLock('hot', 5_000);
    expect(next).toBeDefined();
    await next!.release();
  });

  it("remembers tags under a key (a cart's events) for any replica", async () => {
    const a = newL2();
    await a.remember('cart-events:4242', ['EVT01', 'EVT02']);
    await a.remember('cart-events:4242', ['EVT02']);
    expect((await newL2().recall('cart-events:4242')).sort()).toEqual(['EVT01', 'EVT02']);
  });
});

describeRedis('two cached runners over one Redis', () => {
  it("replica B answers from L2 what replica A fetched: a cache hit on B's trace, no call", async () => {
    const innerA = new FakeRunner();
    const innerB = new FakeRunner();
    const a = createCachedRunner({ inner: innerA, config, l2: newL2() });
    const b = createCachedRunner({ inner: innerB, config, l2: newL2() });
    const fromA = await a.run(eventDetails, { names: ['EVT11'] });
    const trace = newTrace();
    const fromB = await b.run(eventDetails, { names: ['evt11'] }, { trace });
    expect(fromB).toEqual(fromA);
    expect(innerB.calls.length).toBe(0);
    expect(trace).toMatchObject({ calls: 0, cacheHits: 1 });
    expect(b.stats()).toMatchObject({ l2Hits: 1, misses: 0 });
  });

  it('serves a stale answer from L2 when this replica never had it and the upstream refuses', async () => {
    const innerA = new FakeRunner();
    const innerB = new FakeRunner();
    const short = { ...config, ttlMs: { ...config.ttlMs, get_avail_seats: 1 } };
    const a = createCachedRunner({ inner: innerA, config: short, l2: newL2() });
    const b = createCachedRunner({ inner: innerB, config: short, l2: newL2() });
    const fresh = await a.run(getAvailSummary, { eventName: 'EVT12' });
    await new Promise((r) => setTimeout(r, 5)); // past the 1 ms TTL
    innerB.failWith = () => new RateLimitedError('budget', 3, 'budget');
    const trace = newTrace();
    expect(await b.run(getAvailSummary, { eventName: 'EVT12' }, { trace })).toEqual(fresh);
    expect(trace.staleServes).toBe(1);
  });

  it('coalesces a costly read across replicas: the lock holder fetches, the others wait for L2', async () => {
    const inners = [new FakeRunner(), new FakeRunner(), new FakeRunner()];
    const runners = inners.map((inner) =>
      createCachedRunner({ inner, config, l2: newL2(), peerPollMs: 5 }),
    );
    inners[0].hold();
    const first = runners[0].run(eventDetails, { names: ['EVT13'] });
    for (let i = 0; i < 200 && inners[0].calls.length === 0; i++)
      await new Promise((r) => setTimeout(r, 5));
    expect(inners[0].calls.length).toBe(1);
    const traces = [newTrace(), newTrace()];
    const others = [
      runners[1].run(eventDetails, { names: ['EVT13'] }, { trace: traces[0] }),
      runners[2].run(eventDetails, { names: ['EVT13'] }, { trace: traces[1] }),
    ];
    await new Promise((r) => setTimeout(r, 30)); // the others are parked on the lock
    inners[0].release();
    const [v0, v1, v2] = await Promise.all([first, ...others]);
    expect(v1).toEqual(v0);
    expect(v2).toEqual(v0);
    expect(inners[1].calls.length + inners[2].calls.length).toBe(0);
    expect(traces.map((t) => t.cacheHits)).toEqual([1, 1]);
    // Normally both waited on the lock (peerFills); on a slow machine one may arrive after the fill (l2Hits).
    const shared = (r: (typeof runners)[number]) => r.stats().peerFills + r.stats().l2Hits;
    expect(shared(runners[1]) + shared(runners[2])).toBe(2);
  });

  it("a write on one replica evicts the other replica's L1 copy (pub/sub)", async () => {
    const innerA = new FakeRunner();
    const innerB = new FakeRunner();
    const l2a = newL2();
    const l2b = newL2();
    await Promise.all([l2a.ready, l2b.ready]);
    const a = createCachedRunner({ inner: innerA, config, l2: l2a });
    const b = createCachedRunner({ inner: innerB, config, l2: l2b });
    await b.run(getAvailSummary, { eventName: 'EVT14' });
    expect(b.stats().entries).toBe(1);
    await a.run(seatsHold, { eventName: 'EVT14', ticketTypes: [{ code: 'ADULT', numSeats: 1 }] });
    for (let i = 0; i < 100 && b.stats().entries > 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(b.stats().entries).toBe(0);
    await b.run(getAvailSummary, { eventName: 'EVT14' });
    expect(innerB.count('get_avail_seats')).toBe(2);
  });
});

it('degrades to the in-process tier when Redis is unreachable (reads still answered, once)', async () => {
  const dead = createRedis('redis://127.0.0.1:1', {
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    lazyConnect: true,
  });
  dead.on('error', () => undefined);
  const inner = new FakeRunner();
  const warnings: unknown[] = [];
  const cache = createCachedRunner({
    inner,
    config,
    l2: new RedisL2({ redis: dead, namespace: 'test:dead:', subscribe: false }),
    logger: { warn: (o) => warnings.push(o) },
  });
  await cache.run(eventDetails, { names: ['EVT15'] });
  await cache.run(eventDetails, { names: ['EVT15'] });
  expect(inner.count('event_details')).toBe(1);
  expect(warnings.length).toBeGreaterThan(0);
  dead.disconnect();
});
