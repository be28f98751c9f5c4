/**
 * Issue 13, "stale means at once", through the real gateway (cache on, real client) against the
 * sandbox, its faults set over /__sandbox/faults and its POSTs counted at /__sandbox/stats:
 * - after a 429 with Retry-After: 30, an expired cached read is answered stale while the pause is
 *   still in force (the limiter says so), with 0 POSTs — the pause holds back sending, not serving;
 * - a broken answer (an HTML maintenance page) serves the stale copy instead of
 *   UPSTREAM_PROTOCOL_ERROR;
 * - GRAPHQL_OPERATION_DEADLINE_MS is one deadline for every read of an operation: two reads that
 *   are each well within their own deadline, under dropped connections, end the operation with
 *   UPSTREAM_TIMEOUT at the operation's deadline, and nothing is sent after it.
 * Figures (wall-clock, printed, never asserted): the answer times of the three.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/app.js';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { createMemoryStores } from '../../src/store/index.js';
import {
  codes,
  gatewayConfig,
  sandboxStats,
  setFaults,
  startTestSandbox,
  TestGateway,
} from '../graphql/harness.js';

interface GqlResponse {
  data?: Record<string, any> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  extensions?: { upstream?: Record<string, number | null>; stale?: { ageSeconds: number } };
}

const PRICES = /* GraphQL */ `
  query ($name: String!) {
    event(name: $name) {
      name
      priceCodes {
        code
      }
    }
  }
`;
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('stale answers at once', () => {
  let sb: RunningSandbox;
  let gateway: Gateway;
  let events: string[];
  const gql = async (
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<GqlResponse> => {
    const res = await gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as GqlResponse;
  };
  /** Reads the event's prices fresh, then lets them expire (TTL 1 ms) — within their grace. */
  const cachedThenExpired = async (name: string): Promise<GqlResponse> => {
    const fresh = await gql(PRICES, { name });
    expect(fresh.errors).toBeUndefined();
    await settle(5);
    return fresh;
  };

  beforeAll(async () => {
    sb = await startTestSandbox();
    events = sb.world.samples.homeEvents as string[];
  });
  afterEach(async () => {
    await setFaults(sb, []);
    await gateway?.close();
  });
  afterAll(async () => {
    await sb?.close();
  });
  const start = async () => {
    // The command cache alone (the response cache above it would answer repeats whole).
    // Budget window in memory: a Retry-After pause must not outlive its test in DATA_DIR.
    gateway = await createGateway({
      config: gatewayConfig(sb, { CACHE_TTL_EVENT_PRICE_INFO_MS: '1' }),
      responseCache: false,
      stores: createMemoryStores(),
    });
  };

  it('after a 429 with Retry-After: 30, an expired read is served stale while the pause lasts, with 0 POSTs', async () => {
    await start();
    const [a, b] = events;
    const freshA = await cachedThenExpired(a);
    const freshB = await cachedThenExpired(b);
    await setFaults(sb, [
      { kind: 'rateLimit', commands: ['event_price_info'], retryAfterSeconds: 30, count: 1 },
    ]);

    // The read that meets the 429: one POST, answered stale (not retried after 30 s).
    const first = await gql(PRICES, { name: a });
    expect(first.errors).toBeUndefined();
    expect(first.data!.event.priceCodes).toEqual(freshA.data!.event.priceCodes);
    expect(first.extensions!.stale).toEqual({ ageSeconds: expect.any(Number) });
    expect((await sandboxStats(sb)).byStatus['429']).toBe(1);

    // The gateway is now paused for 30 s. Another expired read: stale at once, nothing sent.
    const postsBefore = (await sandboxStats(sb)).posts;
    const askedAt = Date.now();
    const second = await gql(PRICES, { name: b });
    const answeredInMs = Date.now() - askedAt;
    const answeredAt = await gateway.limiter.snapshot();
    expect(second.errors).toBeUndefined();
    expect(second.data!.event.priceCodes).toEqual(freshB.data!.event.priceCodes);
    expect(second.extensions!.stale).toEqual({ ageSeconds: expect.any(Number) });
    expect(second.extensions!.upstream).toMatchObject({ calls: 0, staleServes: 1 });
    // Answered before the pause ended: the Retry-After pause is still in force.
    expect(answeredAt.pausedUntil).toBeGreaterThan(Date.now());
    expect((await sandboxStats(sb)).posts).toBe(postsBefore);

    console.log(
      `[figures] stale under Retry-After 30: answered in ${answeredInMs} ms with 0 POSTs (pause left: ${Math.round(((answeredAt.pausedUntil ?? 0) - Date.now()) / 1000)} s)`,
    );
  });

  it('a broken answer (an HTML maintenance page) serves the stale copy, not UPSTREAM_PROTOCOL_ERROR', async () => {
    await start();
    const name = events[3];
    const fresh = await cachedThenExpired(name);
    const before = await sandboxStats(sb);
    await setFaults(sb, [{ kind: 'brokenJson', body: 'html', commands: ['event_price_info'] }]);
    const askedAt = Date.now();
    const stale = await gql(PRICES, { name });
    const answeredInMs = Date.now() - askedAt;
    expect(stale.errors).toBeUndefined();
    expect(stale.data!.event.priceCodes).toEqual(fresh.data!.event.priceCodes);
    expect(stale.extensions!.stale).toEqual({ ageSeconds: expect.any(Number) });
    const after = await sandboxStats(sb);
    expect(after.faults.brokenJson - before.faults.brokenJson).toBe(1);
    // One POST (the broken one), not re-sent.
    expect(after.commands.event_price_info - before.commands.event_price_info).toBe(1);
    console.log(`[figures] stale under broken JSON (HTML page): answered in ${answeredInMs} ms`);
  });
});

describe('one deadline per operation (GRAPHQL_OPERATION_DEADLINE_MS)', () => {
  let sb: RunningSandbox;
  let gw: TestGateway;
  beforeAll(async () => {
    // Every command answers 202 and its result comes on the 2nd poll: a read takes at least
    // 300 + 450 ms of polling, so the two reads of the query below need at least 1.5 s together,
    // each far within its own 30 s read deadline.
    sb = await startTestSandbox({ forceAsync: true, pollsToResult: 2 });
    gw = await TestGateway.start(sb, { GRAPHQL_OPERATION_DEADLINE_MS: '1200' });
  });
  afterAll(async () => {
    await gw?.close();
    await sb?.close();
  });

  it("reads in sequence under dropped connections end with UPSTREAM_TIMEOUT at the operation's deadline; nothing is sent after it", async () => {
    await setFaults(sb, [{ kind: 'dropConnection', only: 'polls', count: 2 }]);
    const events = sb.world.samples.homeEvents as string[];
    const startedAt = Date.now();
    const r = await gw.exec<{ event: { name: string } | null }, unknown>(
      /* GraphQL */ `
        query ($name: String!) {
          event(name: $name) {
            name
            availability {
              section
              available
            }
          }
        }
      `,
      { name: events[0] },
    );
    const tookMs = Date.now() - startedAt;
    expect(codes(r)).toEqual(['UPSTREAM_TIMEOUT']);
    const stats = await sandboxStats(sb);
    expect(stats.faults.dropConnection).toBeGreaterThanOrEqual(1);
    // Every read of the operation stopped at its deadline: no POST goes out afterwards.
    await settle(1_000);
    expect((await sandboxStats(sb)).posts).toBe(stats.posts);
    console.log(
      `[figures] operation under dropped connections (deadline 1200 ms): ended UPSTREAM_TIMEOUT after ${tookMs} ms, ${stats.posts} POSTs`,
    );
  });
});
