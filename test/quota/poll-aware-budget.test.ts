/**
 * Issue #11's headline: a faithful service that answers every command 202 first and gives the
 * result on the second poll (sandbox forceAsync + pollsToResult 2), 80 POSTs a minute. 15 reads
 * spend 45 POSTs (and teach the planner that a customer_query costs 2 polls); then 150 concurrent
 * reads of distinct customers. The room left is 35 POSTs = 11 whole reads: those are served, every
 * other read is refused at once with RATE_LIMITED — none is sent to time out in its polls.
 *
 * The same with three gateways sharing one Redis (window, reservations and learnt polls shared).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createRedis, deleteByPrefix } from '../../src/redis.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { TEST_REDIS_ENV, TEST_REDIS_URL, describeRedis, uniquePrefix } from '../cache/redis-env.js';

const PER_MINUTE = 80;
const WARM_READS = 15;
const BURST = 150;
const CUSTOMER = /* GraphQL */ `
  query ($id: Int!) {
    customer(acctId: $id) {
      acctId
      lastName
    }
  }
`;

interface Answer {
  data?: { customer: { acctId: number } | null } | null;
  errors?: { message: string; extensions?: { code?: string; retryAfterSeconds?: number } }[];
}

async function read(gw: Gateway, acctId: number): Promise<Answer> {
  const res = await gw.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query: CUSTOMER, variables: { id: acctId } }),
  });
  return (await res.json()) as Answer;
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function scenario(opts: { replicas: number; redisPrefix?: string }) {
  const sandbox: RunningSandbox = await startSandbox({
    ratePerMinute: PER_MINUTE,
    forceAsync: true,
    pollsToResult: 2,
  });
  cleanups.push(() => sandbox.close());
  const config = loadConfig({
    ARCHTICS_BASE_URL: sandbox.url,
    ARCHTICS_API_KEY: sandbox.apiKey,
    ARCHTICS_DSN: sandbox.dsn,
    ARCHTICS_RATE_PER_MINUTE: String(PER_MINUTE),
    LOG_LEVEL: 'silent',
    ...(opts.redisPrefix ? TEST_REDIS_ENV : {}),
  });
  const gateways = await Promise.all(
    Array.from({ length: opts.replicas }, () =>
      createGateway({ config, ...(opts.redisPrefix ? { redisPrefix: opts.redisPrefix } : {}) }),
    ),
  );
  cleanups.push(() => Promise.all(gateways.map((g) => g.close())));
  const [firstAcct] = (sandbox.world.samples as { accountRange: [number, number] }).accountRange;

  // 45 POSTs spent: 15 reads × (first send + 2 polls), spread over the replicas.
  const warm = await Promise.all(
    Array.from({ length: WARM_READS }, (_, i) =>
      read(gateways[i % gateways.length], firstAcct + i),
    ),
  );
  expect(warm.every((a) => a.data?.customer?.acctId !== undefined && !a.errors)).toBe(true);
  expect(sandbox.stats()).toMatchObject({
    posts: 3 * WARM_READS,
    polls: 2 * WARM_READS,
    commands: { customer_query: WARM_READS },
  });

  // 150 concurrent reads of other customers, spread over the replicas.
  const answers = await Promise.all(
    Array.from({ length: BURST }, (_, i) =>
      read(gateways[i % gateways.length], firstAcct + WARM_READS + i),
    ),
  );
  const served = answers.filter((a) => a.data?.customer?.acctId !== undefined && !a.errors);
  const codes = answers.flatMap((a) => (a.errors ?? []).map((e) => e.extensions?.code));
  const refused = answers.filter(
    (a) => a.errors?.length && a.errors.every((e) => e.extensions?.code === 'RATE_LIMITED'),
  );

  // Every answer is data or RATE_LIMITED (with a retry time); no read timed out upstream.
  expect(served.length + refused.length).toBe(BURST);
  expect(codes.filter((c) => c === 'UPSTREAM_TIMEOUT')).toHaveLength(0);
  for (const a of refused)
    expect(a.errors![0].extensions!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  // 35 POSTs of room = 11 whole reads.
  expect(served.length).toBeGreaterThanOrEqual(10);
  expect(served.length).toBeLessThanOrEqual(11);

  // The upstream's own counts: every command sent ran to its result; nothing refused; ≤ 80 in any minute.
  const stats = sandbox.stats();
  expect(stats.rateLimited429).toBe(0);
  expect(stats.maxPostsInAnyMinute).toBeLessThanOrEqual(PER_MINUTE);
  expect(stats.commands.customer_query).toBe(WARM_READS + served.length);
  expect(stats.delivered).toBe(WARM_READS + served.length);
  expect(stats.polls).toBe(2 * (WARM_READS + served.length));
  expect(stats.posts).toBe(3 * (WARM_READS + served.length));
  return { served: served.length, refused: refused.length };
}

describe('poll-aware budget against a 202-first service (SANDBOX_ASYNC=always, result on poll 2)', () => {
  it('45 POSTs spent, then 150 concurrent distinct reads: 0 UPSTREAM_TIMEOUT, 0 × 429, ≤ 80 POSTs a minute, ≥ 10 served, the rest RATE_LIMITED at once', async () => {
    const { served, refused } = await scenario({ replicas: 1 });
    expect(served + refused).toBe(BURST);
  });
});

describeRedis('poll-aware budget, three replicas on one Redis', () => {
  it('the same burst spread over three gateways: reservations and learnt polls are shared, so the same counts hold', async () => {
    const prefix = uniquePrefix('pollplan');
    const redis = createRedis(TEST_REDIS_URL);
    cleanups.push(async () => {
      await deleteByPrefix(redis, prefix);
      await redis.quit();
    });
    const { served, refused } = await scenario({ replicas: 3, redisPrefix: prefix });
    expect(served + refused).toBe(BURST);
  });
});
