/**
 * Three gateway instances (three createGateway stacks in this process, each with its own Redis
 * connections) sharing one Redis, against ONE sandbox limited to 30 calls a minute.
 *
 * Concurrent, bounded traffic demands far more than 30 upstream calls; the shared budget (Lua over
 * a sorted set) lets at most 30 go in any window across all instances, so the sandbox never
 * answers 429 and the excess gets RATE_LIMITED at once (deadline shorter than the next slot) —
 * the test finishes in seconds without waiting out a minute. The costly hot read is fetched by ONE
 * instance (Redis lock) and served to the others from L2; a write on one instance evicts the
 * other instances' copies (pub/sub).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { quotaNamespace } from '../../src/quota/redis.js';
import { createRedis, deleteByPrefix, type Redis } from '../../src/redis.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { TEST_REDIS_ENV, TEST_REDIS_URL, describeRedis, uniquePrefix } from '../cache/redis-env.js';

interface GqlResponse {
  data?: Record<string, any> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  extensions?: { upstream?: Record<string, number | null> };
}

const LIMIT = 30;
const prefix = uniquePrefix('replicas');
let sandbox: RunningSandbox;
let gateways: Gateway[] = [];
let redis: Redis;
let samples: { accountRange: [number, number]; homeEvents: string[]; concerts: string[] };

async function gql(
  gw: Gateway,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GqlResponse> {
  const res = await gw.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as GqlResponse;
}

const CUSTOMER = /* GraphQL */ `
  query ($id: Int!) {
    customer(acctId: $id) {
      acctId
      lastName
    }
  }
`;
const EVENT = /* GraphQL */ `
  query ($name: String!) {
    event(name: $name) {
      name
      description
    }
  }
`;
const AVAIL = /* GraphQL */ `
  query ($name: String!) {
    event(name: $name) {
      name
      availability {
        section
        available
      }
    }
  }
`;

describeRedis('three gateway instances, one Redis, one sandbox at 30/min', () => {
  beforeAll(async () => {
    sandbox = await startSandbox({ ratePerMinute: LIMIT });
    samples = sandbox.world.samples as typeof samples;
    const config = loadConfig({
      ARCHTICS_BASE_URL: sandbox.url,
      ARCHTICS_API_KEY: sandbox.apiKey,
      ARCHTICS_DSN: sandbox.dsn,
      ARCHTICS_RATE_PER_MINUTE: String(LIMIT),
      // A read that cannot get a slot within 3 s is refused at once (the next slot is ~60 s away).
      ARCHTICS_READ_DEADLINE_MS: '3000',
      ...TEST_REDIS_ENV,
      LOG_LEVEL: 'silent',
    });
    gateways = await Promise.all(
      [0, 1, 2].map(() => createGateway({ config, redisPrefix: prefix, responseCache: false })),
    );
    redis = createRedis(TEST_REDIS_URL);
  });

  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await sandbox?.close();
    if (redis) {
      await deleteByPrefix(redis, prefix);
      await redis.quit();
    }
  });

  it('≤ 30 calls in every window across instances, no 429 upstream, the excess RATE_LIMITED, all instances serving', async () => {
    const [first] = samples.accountRange;
    // Phase 1: the same costly read at every instance, 10 times each, all at once: ONE instance
    // fetches it (Redis lock), the others wait for it in L2.
    const hot = await Promise.all(
      gateways.flatMap((gw, i) =>
        Array.from({ length: 10 }, () =>
          gql(gw, EVENT, { name: samples.homeEvents[0] }).then((r) => ({ i, kind: 'event', r })),
        ),
      ),
    );
    expect(sandbox.stats().commands.event_details ?? 0).toBe(1);
    expect(hot.every((x) => x.r.data?.event?.name === samples.homeEvents[0])).toBe(true);
    expect(hot.reduce((n, x) => n + (x.r.extensions!.upstream!.calls ?? 0), 0)).toBe(1);

    // Phase 2: 3 instances × 20 distinct customers at once — 60 distinct calls demanded of 29 left.
    const results: { i: number; kind: string; r: GqlResponse }[] = [
      ...hot,
      ...(await Promise.all(
        gateways.flatMap((gw, i) =>
          Array.from({ length: 20 }, (_, k) =>
            gql(gw, CUSTOMER, { id: first + i * 20 + k }).then((r) => ({ i, kind: 'customer', r })),
          ),
        ),
      )),
    ];

    const stats = sandbox.stats();
    expect(stats.rateLimited429).toBe(0);
    expect(stats.maxPostsInAnyMinute).toBeLessThanOrEqual(LIMIT);
    expect(stats.posts).toBeLessThanOrEqual(LIMIT);

    const ok = results.filter((x) => !x.r.errors && x.r.data);
    const limited = results.filter((x) =>
      x.r.errors?.some((e) => e.extensions?.code === 'RATE_LIMITED'),
    );
    // Every answer is data or RATE_LIMITED: nothing else went wrong, nothing hung.
    expect(ok.length + limited.length).toBe(results.length);
    expect(limited.length).toBeGreaterThan(0);
    for (const x of limited) {
      expect(x.r.errors![0].extensions!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    }
    // All three instances served, upstream answers included (not only the cached hot read).
    for (const i of [0, 1, 2])
      expect(ok.filter((x) => x.i === i && x.kind === 'customer').length).toBeGreaterThan(0);

    expect(stats.commands.event_details ?? 0).toBe(1);
    // Every upstream call the sandbox saw was granted by the one shared budget (its log in Redis).
    const log = await redis.zcard(`${quotaNamespace(prefix, sandbox.apiKey, sandbox.dsn)}log`);
    expect(log).toBe(stats.posts);
    // The shared budget is what every instance reports.
    const quota = await Promise.all(gateways.map((g) => g.limiter.snapshot()));
    for (const q of quota) expect(q.minuteRemaining).toBe(LIMIT - stats.posts);
    if (process.env.REPORT_FIGURES)
      console.info({
        demanded: results.length,
        posts: stats.posts,
        ok: ok.length,
        limited: limited.length,
        maxPostsInAnyMinute: stats.maxPostsInAnyMinute,
      });
  });

  it('a read cached by one instance is served by every instance without a call (L2, then L1)', async () => {
    // The budget is spent by the previous test: these answers can only come from the shared cache.
    const name = samples.homeEvents[0];
    // event_details of the hot event is in L2 already: instances answer it without a call.
    const posts = sandbox.stats().posts;
    for (const gw of gateways) {
      const r = await gql(gw, EVENT, { name });
      expect(r.data?.event?.name).toBe(name);
      expect(r.extensions!.upstream).toMatchObject({ calls: 0, cacheHits: 1 });
    }
    expect(sandbox.stats().posts).toBe(posts);
    expect(
      gateways
        .map((g) => g.upstream.cache!.stats().l2Hits + g.upstream.cache!.stats().peerFills)
        .some((n) => n > 0),
    ).toBe(true);
  });
});

describeRedis('cross-instance invalidation after a real write', () => {
  const prefix2 = uniquePrefix('replicas-inval');
  let sb: RunningSandbox;
  let gws: Gateway[] = [];
  let client: Redis;

  beforeAll(async () => {
    sb = await startSandbox();
    const config = loadConfig({
      ARCHTICS_BASE_URL: sb.url,
      ARCHTICS_API_KEY: sb.apiKey,
      ARCHTICS_DSN: sb.dsn,
      ...TEST_REDIS_ENV,
      LOG_LEVEL: 'silent',
    });
    gws = await Promise.all(
      [0, 1].map(() => createGateway({ config, redisPrefix: prefix2, responseCache: false })),
    );
    client = createRedis(TEST_REDIS_URL);
    // Wait until both instances listen for invalidations (bounded).
    for (
      let i = 0;
      i < 100 && (await client.pubsub('NUMSUB', `${prefix2}cache:${sb.dsn}:inval`))[1] !== 2;
      i++
    )
      await new Promise((r) => setTimeout(r, 10));
  });

  afterAll(async () => {
    await Promise.all(gws.map((g) => g.close()));
    await sb?.close();
    if (client) {
      await deleteByPrefix(client, prefix2);
      await client.quit();
    }
  });

  it('a hold on instance A evicts the availability instance B holds in its L1', async () => {
    const name = (sb.world.samples as { homeEvents: string[] }).homeEvents[1];
    const total = (r: GqlResponse) =>
      (r.data!.event!.availability as { available: number }[]).reduce((n, s) => n + s.available, 0);
    const [a, b] = gws;
    const fromA = await gql(a, AVAIL, { name });
    const fromB = await gql(b, AVAIL, { name }); // L2 → B's L1
    expect(fromB.extensions!.upstream).toMatchObject({ calls: 0 });
    const again = await gql(b, AVAIL, { name }); // B's L1
    expect(again.extensions!.upstream).toMatchObject({ calls: 0, cacheHits: 2 });

    const hold = await gql(
      a,
      /* GraphQL */ `
        mutation ($name: String!) {
          holdBestAvailable(input: { eventName: $name, quantity: 3 }) {
            __typename
          }
        }
      `,
      { name },
    );
    expect(hold.data?.holdBestAvailable.__typename).toBe('HoldSeatsSuccess');
    // The pub/sub message reaches B (bounded wait for delivery, no timing assertion).
    const bCache = b.upstream.cache!;
    const before = bCache.stats().misses;
    let afterB: GqlResponse | undefined;
    for (let i = 0; i < 50; i++) {
      afterB = await gql(b, AVAIL, { name });
      if (total(afterB) === total(fromA) - 3) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(total(afterB!)).toBe(total(fromA) - 3);
    expect(bCache.stats().misses).toBeGreaterThan(before);
  });
});
