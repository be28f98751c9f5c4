/**
 * The cache's use of idle budget, against a fake inner runner and a ManualClock (no timing):
 * the event catalogue as one entry, and refresh-ahead of hot reads at the budget's idle priority.
 */
import { describe, expect, it } from 'vitest';
import { customerQuery, eventDetails, shoppingCart } from '../../src/archtics/commands/index.js';
import { RateLimitedError } from '../../src/archtics/errors.js';
import { newTrace } from '../../src/archtics/types.js';
import {
  RedisL2,
  cacheNamespace,
  createCachedRunner,
  type RefreshEvent,
} from '../../src/cache/index.js';
import { RedisRefreshLedger } from '../../src/cache/redis-refresh-ledger.js';
import { ManualClock } from '../../src/clock.js';
import { DEFAULT_TTL_MS, type CacheConfig, type RefreshConfig } from '../../src/config.js';
import { createRedis, deleteByPrefix } from '../../src/redis.js';
import { createGateway } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { FakeRunner } from './fake-runner.js';
import { TEST_REDIS_URL, describeRedis, uniquePrefix } from './redis-env.js';

const MIN = 60_000;

/** event_details over a list of events: a name filter, or every event paged by prev_event_name/count. */
function eventWorld(names: string[]) {
  const sorted = [...names].sort();
  return (req: unknown, n: number) => {
    const r = req as { names?: string[]; prevEventName?: string; count?: number };
    let list = r.names
      ? sorted.filter((e) => r.names!.map((x) => x.toUpperCase()).includes(e))
      : sorted;
    if (r.prevEventName !== undefined) list = list.filter((e) => e > r.prevEventName!);
    list = list.slice(0, r.count ?? 500);
    return {
      count: list.length,
      events: list.map((name) => ({ name, description: `${name} #${n}` })),
    };
  };
}

const refreshOn = (over: Partial<RefreshConfig> = {}): RefreshConfig => ({
  enabled: true,
  maxPerMinute: 20,
  decayMs: 10 * MIN,
  aheadFraction: 0.25,
  minHotness: 1,
  headroom: 8,
  tickMs: 1_000,
  ...over,
});

function setup(over: Partial<CacheConfig> = {}, events = ['EVT01', 'EVT02', 'EVT03']) {
  const clock = new ManualClock();
  const inner = new FakeRunner();
  const world = eventWorld(events);
  inner.answer = (command, req, n) =>
    command === 'event_details'
      ? world(req, n)
      : { command, req, n, customer: { acctId: (req as { acctId: number }).acctId } };
  const refreshes: RefreshEvent[] = [];
  const config: CacheConfig = {
    maxBytes: 1 << 20,
    ttlMs: { ...DEFAULT_TTL_MS },
    staleGraceMs: 30 * MIN,
    ...over,
  };
  const cache = createCachedRunner({
    inner,
    config,
    clock,
    context: { siteName: 'vanilla' },
    onRefresh: (e) => refreshes.push(e),
  });
  return { clock, inner, cache, refreshes };
}

const catalogueOn = { catalogue: { enabled: true, ttlMs: 10 * MIN } };

describe('the catalogue as one entry', () => {
  it('one unfiltered call holds every event: any event then costs 0 calls while it is fresh', async () => {
    const { inner, cache, clock } = setup(catalogueOn);
    const t1 = newTrace();
    const first = await cache.run(eventDetails, { names: ['evt02'] }, { trace: t1 });
    expect(first.events.map((e) => e.name)).toEqual(['EVT02']);
    expect(inner.calls.map((c) => c.req)).toEqual([{ count: 500 }]); // no filter: the whole catalogue
    expect(t1).toMatchObject({ calls: 1 });
    const t2 = newTrace();
    const other = await cache.run(eventDetails, { names: ['EVT03', 'EVT01'] }, { trace: t2 });
    expect(other.events.map((e) => e.name)).toEqual(['EVT01', 'EVT03']);
    expect(inner.calls).toHaveLength(1);
    expect(t2).toMatchObject({ calls: 0, cacheHits: 1 });
    // Its own TTL: fresh until then, one call again after.
    await clock.advance(10 * MIN - 1);
    await cache.run(eventDetails, { names: ['EVT01'] });
    expect(inner.calls).toHaveLength(1);
    await clock.advance(1);
    await cache.run(eventDetails, { names: ['EVT01'] });
    expect(inner.calls).toHaveLength(2);
  });

  it('pages past 500 by prev_event_name', async () => {
    const names = Array.from({ length: 1_203 }, (_, i) => `E${String(i).padStart(4, '0')}`);
    const { inner, cache } = setup(catalogueOn, names);
    const res = await cache.run(eventDetails, { names: ['E1202', 'E0000'] });
    expect(res.events.map((e) => e.name)).toEqual(['E0000', 'E1202']);
    expect(inner.calls.map((c) => c.req)).toEqual([
      { count: 500 },
      { prevEventName: 'E0499', count: 500 },
      { prevEventName: 'E0999', count: 500 },
    ]);
    await cache.run(eventDetails, { names: ['E0777'] });
    expect(inner.calls).toHaveLength(3);
  });

  it('a name missing from the catalogue (a new event) falls back to the filtered call for that name only', async () => {
    const { inner, cache } = setup(catalogueOn);
    await cache.run(eventDetails, { names: ['EVT01'] });
    const res = await cache.run(eventDetails, { names: ['EVT02', 'NEW01'] });
    expect(res.events.map((e) => e.name)).toEqual(['EVT02']);
    expect(inner.calls.map((c) => c.req)).toEqual([{ count: 500 }, { names: ['NEW01'] }]);
    // The unknown name is cached like any filtered answer.
    await cache.run(eventDetails, { names: ['NEW01'] });
    expect(inner.calls).toHaveLength(2);
  });

  it('a synchronous getFresh answers from the catalogue', async () => {
    const { cache } = setup(catalogueOn);
    expect(cache.getFresh(eventDetails, { names: ['EVT01'] })).toBeUndefined();
    await cache.run(eventDetails, { names: ['EVT01'] });
    const trace = newTrace();
    expect(
      cache
        .getFresh(eventDetails, { names: ['EVT03'] }, { trace })
        ?.value.events.map((e) => e.name),
    ).toEqual(['EVT03']);
    expect(trace.cacheHits).toBe(1);
  });

  it('off (or absent from the config): a filtered call per operation, as before', async () => {
    const { inner, cache } = setup({ catalogue: { enabled: false, ttlMs: 10 * MIN } });
    await cache.run(eventDetails, { names: ['EVT01'] });
    await cache.run(eventDetails, { names: ['EVT02'] });
    expect(inner.calls.map((c) => c.req)).toEqual([{ names: ['EVT01'] }, { names: ['EVT02'] }]);
  });

  it('when the upstream refuses and the catalogue has expired, its stale copy answers', async () => {
    const { inner, cache, clock } = setup(catalogueOn);
    await cache.run(eventDetails, { names: ['EVT01'] });
    await clock.advance(11 * MIN);
    inner.failWith = () => new RateLimitedError('busy', 5, 'upstream');
    const trace = newTrace();
    const res = await cache.run(eventDetails, { names: ['EVT02'] }, { trace });
    expect(res.events.map((e) => e.name)).toEqual(['EVT02']);
    expect(trace.staleServes).toBe(1);
  });
});

describe('refresh-ahead in the cache', () => {
  const read = (cache: ReturnType<typeof setup>['cache'], acctId: number, trace = newTrace()) =>
    cache.run(customerQuery, { acctId }, { trace });

  it('renews a hot entry before it expires, at idle priority, so the next reader finds it fresh', async () => {
    const { inner, cache, clock, refreshes } = setup({ refresh: refreshOn() });
    await read(cache, 1);
    await read(cache, 1); // hot: two reads
    expect(inner.count('customer_query')).toBe(1);
    // customer_query lives 2 min; due in its last 30 s.
    await clock.advance(89_000);
    expect(inner.count('customer_query')).toBe(1);
    await clock.advance(2_000);
    expect(inner.count('customer_query')).toBe(2);
    expect(inner.calls[1].opts.idle).toEqual({ headroom: 8 });
    expect(refreshes).toEqual([{ command: 'customer_query', outcome: 'refreshed', posts: 1 }]);
    // Past the first answer's expiry: a hit, counted as a refreshed one, no call of the caller's.
    await clock.advance(40_000);
    const trace = newTrace();
    await read(cache, 1, trace);
    expect(trace).toMatchObject({ calls: 0, cacheHits: 1, refreshHits: 1 });
    expect(inner.count('customer_query')).toBe(2);
    await cache.close();
  });

  it('refreshes only keys read within the decay window', async () => {
    const { inner, cache, clock } = setup({
      refresh: refreshOn({ decayMs: 3 * MIN, minHotness: 0.1 }),
    });
    await read(cache, 1);
    // Expires at 2 min, due from 1.5 min: refreshed while the read is within 3 min.
    await clock.advance(100_000);
    expect(inner.count('customer_query')).toBe(2);
    // The refreshed entry expires at ~3.7 min, due from ~3.2 min: by then the only read is more than
    // 3 min old, so it is left to expire.
    await clock.advance(5 * MIN);
    expect(inner.count('customer_query')).toBe(2);
    await cache.close();
  });

  it('with minExpectedReads, refreshes only where a reader is expected before the refreshed entry would expire', async () => {
    const { inner, cache, clock, refreshes } = setup({
      refresh: refreshOn({ minExpectedReads: 0.7 }),
    });
    for (let i = 0; i < 3; i++) await read(cache, 1);
    for (let i = 0; i < 2; i++) await read(cache, 2);
    expect(inner.count('customer_query')).toBe(2);
    // Both due from 90 s. Three reads lately promise about 0.8 reads in the 90 s a refresh then
    // adds; two, never more than about 0.6 (less and less as they age): left to their next reader.
    await clock.advance(3 * MIN);
    expect(inner.calls.slice(2).map((c) => (c.req as { acctId: number }).acctId)).toEqual([1]);
    expect(refreshes.map((r) => r.outcome)).toEqual(['refreshed']);
    await cache.close();
  });

  it('stops at its cap (CACHE_REFRESH_MAX_PER_MINUTE)', async () => {
    const { inner, cache, clock, refreshes } = setup({
      refresh: refreshOn({ maxPerMinute: 2, minHotness: 0.1 }),
    });
    for (let a = 1; a <= 5; a++) await read(cache, a);
    await clock.advance(100_000);
    expect(inner.count('customer_query')).toBe(5 + 2);
    expect(refreshes.filter((r) => r.outcome === 'capped').length).toBeGreaterThan(0);
    await cache.close();
  });

  it('a budget refusal (callers need the window) is a refused refresh: nothing stored, nothing spent', async () => {
    const { inner, cache, clock, refreshes } = setup({
      refresh: refreshOn({ maxPerMinute: 1, minHotness: 0.1 }),
    });
    await read(cache, 1);
    inner.failWith = () => new RateLimitedError('no idle upstream budget now', 1, 'budget');
    await clock.advance(90_000);
    expect(refreshes.map((r) => r.outcome)).toEqual(['refused']);
    expect(refreshes[0].posts).toBe(0);
    // The cap was given back: the next round may still refresh.
    inner.failWith = undefined;
    await clock.advance(1_000);
    expect(refreshes.map((r) => r.outcome)).toEqual(['refused', 'refreshed']);
    await cache.close();
  });

  it('keeps the catalogue fresh: one idle call renews every event', async () => {
    const { inner, cache, clock } = setup({ ...catalogueOn, refresh: refreshOn() });
    await cache.run(eventDetails, { names: ['EVT01'] });
    await clock.advance(7 * MIN);
    await cache.run(eventDetails, { names: ['EVT02'] });
    await cache.run(eventDetails, { names: ['EVT03'] });
    await clock.advance(MIN);
    expect(inner.count('event_details')).toBe(2);
    expect(inner.calls[1]).toMatchObject({ req: { count: 500 }, opts: { idle: { headroom: 8 } } });
    await clock.advance(4 * MIN);
    const trace = newTrace();
    await cache.run(eventDetails, { names: ['EVT03'] }, { trace });
    expect(trace).toMatchObject({ calls: 0, refreshHits: 1 });
    await cache.close();
  });

  it('only reads whose definition allows it (cache.refreshAhead): a hot cart is left to expire', async () => {
    const { inner, cache, clock, refreshes } = setup({ refresh: refreshOn({ minHotness: 0.1 }) });
    expect(shoppingCart.cache?.refreshAhead).toBeUndefined();
    await cache.run(shoppingCart, { orderNum: 42 });
    await cache.run(shoppingCart, { orderNum: 42 });
    await clock.advance(60_000);
    expect(inner.count('shopping_cart')).toBe(1);
    expect(refreshes).toEqual([]);
    await cache.close();
  });

  it('off: nothing is fetched that no caller asked for', async () => {
    const { inner, cache, clock } = setup({ refresh: refreshOn({ enabled: false }) });
    await read(cache, 1);
    await read(cache, 1);
    await clock.advance(10 * MIN);
    expect(inner.count('customer_query')).toBe(1);
  });
});

describeRedis('refresh-ahead across replicas (one Redis)', () => {
  it('one replica refreshes a hot key; the other sees the renewed entry through Redis without a call', async () => {
    const redis = createRedis(TEST_REDIS_URL);
    const prefix = uniquePrefix('refresh');
    const clock = new ManualClock(Date.now());
    const namespace = cacheNamespace(prefix, 'apigee');
    const config: CacheConfig = {
      maxBytes: 1 << 20,
      ttlMs: { ...DEFAULT_TTL_MS },
      staleGraceMs: 30 * MIN,
      refresh: refreshOn(),
    };
    const replicas = [0, 1].map(() => {
      const inner = new FakeRunner();
      inner.answer = (command, req, n) => ({ command, req, n });
      const l2 = new RedisL2({
        redis: createRedis(TEST_REDIS_URL),
        namespace,
        now: () => clock.now(),
        ownsClient: true,
      });
      const refreshes: RefreshEvent[] = [];
      const cache = createCachedRunner({
        inner,
        config,
        clock,
        l2,
        refreshLedger: new RedisRefreshLedger(redis, namespace, 20),
        onRefresh: (e) => refreshes.push(e),
      });
      return { inner, cache, refreshes };
    });
    try {
      for (const r of replicas) {
        await r.cache.run(customerQuery, { acctId: 7 });
        await r.cache.run(customerQuery, { acctId: 7 });
      }
      // The first replica fetched; the second found it in Redis.
      expect(replicas.map((r) => r.inner.count('customer_query'))).toEqual([1, 0]);
      // Rounds wait on Redis (real I/O): step the clock a second at a time and let them finish.
      await clock.advance(88_000);
      for (let s = 0; s < 6; s++) {
        await clock.advance(1_000);
        await new Promise((r) => setTimeout(r, 50));
      }
      const calls = replicas.map((r) => r.inner.count('customer_query'));
      expect(calls[0] + calls[1]).toBe(2); // one refresh between them
      const outcomes = replicas.flatMap((r) => r.refreshes.map((e) => e.outcome));
      expect(outcomes.filter((o) => o === 'refreshed')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'shared').length).toBeGreaterThanOrEqual(1);
      // Both answer the renewed entry without a call after the first one's expiry.
      await clock.advance(40_000);
      for (const r of replicas) {
        const trace = newTrace();
        await r.cache.run(customerQuery, { acctId: 7 }, { trace });
        expect(trace).toMatchObject({ calls: 0, refreshHits: 1 });
      }
      expect(await new RedisRefreshLedger(redis, namespace, 20).spent(clock.now())).toBe(1);
    } finally {
      for (const r of replicas) await r.cache.close();
      await deleteByPrefix(redis, prefix);
      await redis.quit();
    }
  });

  it('the spend cap is shared: two replicas together stay under it', async () => {
    const redis = createRedis(TEST_REDIS_URL);
    const namespace = cacheNamespace(uniquePrefix('refresh-cap'), 'apigee');
    try {
      const a = new RedisRefreshLedger(redis, namespace, 3);
      const b = new RedisRefreshLedger(redis, namespace, 3);
      const now = Date.now();
      expect([
        await a.tryTake(now),
        await b.tryTake(now),
        await a.tryTake(now),
        await b.tryTake(now),
      ]).toEqual([true, true, true, false]);
      expect(await a.spent(now)).toBe(3);
      await a.giveBack(); // a's last take was not sent after all
      expect(await a.spent(now)).toBe(2);
      expect(await b.tryTake(now)).toBe(true);
      expect(await a.tryTake(now + 60_000)).toBe(true); // the window moved on
    } finally {
      await deleteByPrefix(redis, namespace);
      await redis.quit();
    }
  });
});

describe('through the gateway, with the defaults (the real client against the sandbox)', () => {
  it('the first event read holds every event: another event then costs 0 calls; /metrics has the refresher counters', async () => {
    const sb = await startSandbox({});
    const config = loadConfig({
      ARCHTICS_BASE_URL: sb.url,
      ARCHTICS_API_KEY: sb.apiKey,
      ARCHTICS_DSN: sb.dsn,
      LOG_LEVEL: 'silent',
    });
    expect(config.cache.catalogue?.enabled).toBe(true);
    expect(config.cache.refresh?.enabled).toBe(true);
    const gateway = await createGateway({ config, responseCache: false });
    const gql = async (name: string) => {
      const res = await gateway.yoga.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: 'query ($name: String!) { event(name: $name) { name venue } }',
          variables: { name },
        }),
      });
      return (await res.json()) as {
        data?: { event: { name: string } | null };
        extensions: { upstream: Record<string, unknown> };
      };
    };
    try {
      const [a, b] = (sb.world.samples.homeEvents as string[]).slice(0, 2);
      const first = await gql(a);
      const second = await gql(b);
      expect([first.data?.event?.name, second.data?.event?.name]).toEqual([a, b]);
      expect(first.extensions.upstream).toMatchObject({ calls: 1, cacheHits: 0 });
      expect(second.extensions.upstream).toMatchObject({ calls: 0, cacheHits: 1 });
      expect(sb.stats().commands.event_details).toBe(1);
      // No refresh has renewed anything yet: the field is absent rather than 0.
      expect(second.extensions.upstream.refreshHits).toBeUndefined();
      const metrics = await (await gateway.yoga.fetch('http://gateway.test/metrics')).text();
      expect(metrics).toContain('# TYPE archtics_cache_refreshes_total counter');
      expect(metrics).toContain('# TYPE archtics_cache_refresh_posts_total counter');
    } finally {
      await gateway.close();
      await sb.close();
    }
  });
});
