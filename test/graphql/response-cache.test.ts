/**
 * The response cache over the command cache (src/plugins/response-cache.ts), through the whole
 * gateway against the sandbox: whole answers per caller, kept no longer than their reads, evicted
 * by the writes that change them, never with errors or stale parts, identical misses executed once,
 * and a cost report that tells the truth on a hit. Upstream calls are counted at the sandbox.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, deleteByPrefix } from '../../src/redis.js';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { TEST_REDIS_ENV, TEST_REDIS_URL, describeRedis, uniquePrefix } from '../cache/redis-env.js';
import {
  TestGateway,
  globalId,
  sandboxStats,
  seasonTicketHolders,
  setFaults,
  startTestSandbox,
} from './harness.js';
import { samplesOf } from '../support/worlds.js';

const READER = 'portal-reader-0001';
const READER_2 = 'portal-reader-0002';
const HOLDER_A = 'sth-portal-holder-a';
const HOLDER_B = 'sth-portal-holder-b';
const auth = (token: string) => ({ authorization: `Bearer ${token}` });

const DASHBOARD = readFileSync(new URL('../operations/dashboard.graphql', import.meta.url), 'utf8');
const CUSTOMER = /* GraphQL */ `
  query Customer($acctId: Int!) {
    customer(acctId: $acctId) {
      acctId
      firstName
      lastName
    }
  }
`;
const AVAILABILITY = /* GraphQL */ `
  query Avail($name: String!) {
    event(name: $name) {
      name
      availability {
        section
        available
      }
    }
  }
`;

interface Report {
  calls: number;
  cacheHits: number;
  responseCacheHit: boolean;
  minuteRemaining: number | null;
}
const report = (r: { extensions?: Record<string, unknown> }) => r.extensions?.upstream as Report;

let sb: RunningSandbox;
let holders: number[];
const posts = async () => (await sandboxStats(sb)).posts;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  sb = await startTestSandbox();
  holders = seasonTicketHolders(sb);
});
afterAll(async () => {
  await sb?.close();
});

describe('whole answers, per caller', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    const tokens = [
      { token: READER, scopes: ['read'] },
      { token: READER_2, scopes: ['read'] },
      { token: HOLDER_A, scopes: ['read', 'hold', 'buy'], acctId: holders[0] },
      { token: HOLDER_B, scopes: ['read', 'hold', 'buy'], acctId: holders[1] },
    ];
    gw = await TestGateway.start(sb, { GATEWAY_TOKENS: JSON.stringify(tokens) }, { cache: true });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('a repeated dashboard is answered whole: no call, calls 0 and a hit flag, the budget as it is now', async () => {
    const variables = { ids: holders.slice(0, 5).map((a) => globalId('Customer', a)), first: 5 };
    const first = await gw.exec(DASHBOARD, variables, auth(READER));
    expect(first.errors).toBeUndefined();
    expect(report(first)).toMatchObject({ responseCacheHit: false });
    expect(report(first).calls).toBeGreaterThan(0);
    const before = await posts();

    const again = await gw.exec(DASHBOARD, variables, auth(READER));
    const third = await gw.exec(DASHBOARD, variables, auth(READER));
    expect(await posts()).toBe(before);
    expect(again.data).toEqual(first.data);
    // Not the first operation's report replayed, and not one hit's report carried into the next.
    for (const hit of [again, third]) {
      expect(report(hit)).toEqual({
        estimatedCalls: 0,
        calls: 0,
        polls: 0,
        retries: 0,
        cacheHits: 0,
        staleServes: 0,
        minuteRemaining: report(first).minuteRemaining,
        dayRemaining: expect.any(Number),
        responseCacheHit: true,
      });
      expect(hit.extensions?.stale).toBeUndefined();
    }
    expect(again.headers.get('etag')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('an account-bound token never receives another account’s cached answer', async () => {
    const [a] = holders;
    const mine = await gw.exec(CUSTOMER, { acctId: a }, auth(HOLDER_A));
    expect(mine.data).toMatchObject({ customer: { acctId: a } });
    expect(report(await gw.exec(CUSTOMER, { acctId: a }, auth(HOLDER_A)))).toMatchObject({
      responseCacheHit: true,
    });

    // The same document and variables from the token bound to B: refused, not A's answer.
    const theirs = await gw.exec(CUSTOMER, { acctId: a }, auth(HOLDER_B));
    expect((theirs.data as { customer: unknown } | null)?.customer ?? null).toBeNull();
    expect(theirs.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(report(theirs)).toMatchObject({ responseCacheHit: false });
    // Another token that may read it executes for itself (no cross-token entry), costing no call.
    const reader = await gw.exec(CUSTOMER, { acctId: a }, auth(READER_2));
    expect(reader.data).toEqual(mine.data);
    expect(report(reader)).toMatchObject({ responseCacheHit: false, calls: 0 });
    // Without a valid token there is no cached answer either: 401.
    expect((await gw.exec(CUSTOMER, { acctId: a })).status).toBe(401);
    expect((await gw.exec(CUSTOMER, { acctId: a }, auth('not-a-configured-token'))).status).toBe(
      401,
    );
  });

  it('a write evicts the answers built from what it changed, and only those', async () => {
    const [a, b] = holders;
    await gw.exec(CUSTOMER, { acctId: a }, auth(HOLDER_A));
    await gw.exec(CUSTOMER, { acctId: b }, auth(HOLDER_B));
    expect(report(await gw.exec(CUSTOMER, { acctId: a }, auth(HOLDER_A)))).toMatchObject({
      responseCacheHit: true,
    });

    const update = await gw.exec(
      /* GraphQL */ `
        mutation ($in: UpdateCustomerInput!) {
          updateCustomer(input: $in) {
            __typename
            ... on UpdateCustomerSuccess {
              customer {
                firstName
              }
            }
          }
        }
      `,
      { in: { acctId: a, firstName: 'Renamed' } },
      auth(HOLDER_A),
    );
    expect(update.data).toMatchObject({ updateCustomer: { __typename: 'UpdateCustomerSuccess' } });

    const after = await gw.exec(CUSTOMER, { acctId: a }, auth(HOLDER_A));
    expect(report(after)).toMatchObject({ responseCacheHit: false, calls: 1 });
    expect(after.data).toMatchObject({ customer: { acctId: a, firstName: 'Renamed' } });
    // B's answer was not built from A's record: still served whole.
    expect(report(await gw.exec(CUSTOMER, { acctId: b }, auth(HOLDER_B)))).toMatchObject({
      responseCacheHit: true,
    });
  });

  it('a hold evicts the availability answers of its event', async () => {
    const name = samplesOf(sb).homeEvents[6];
    const first = await gw.exec(AVAILABILITY, { name }, auth(READER));
    expect(report(await gw.exec(AVAILABILITY, { name }, auth(READER)))).toMatchObject({
      responseCacheHit: true,
    });
    const hold = await gw.exec(
      /* GraphQL */ `
        mutation ($in: HoldBestAvailableInput!) {
          holdBestAvailable(input: $in) {
            __typename
            ... on HoldSeatsSuccess {
              heldSeats {
                section
              }
            }
          }
        }
      `,
      { in: { eventName: name, quantity: 2 } },
      auth(HOLDER_A),
    );
    expect(hold.data).toMatchObject({ holdBestAvailable: { __typename: 'HoldSeatsSuccess' } });
    const section = (hold.data as { holdBestAvailable: { heldSeats: { section: string }[] } })
      .holdBestAvailable.heldSeats[0].section;

    const after = await gw.exec(AVAILABILITY, { name }, auth(READER));
    expect(report(after)).toMatchObject({ responseCacheHit: false, calls: 1 });
    type Avail = { event: { availability: { section: string; available: number }[] } };
    const count = (r: { data?: unknown }) =>
      (r.data as Avail).event.availability.find((s) => s.section === section)!.available;
    expect(count(after)).toBe(count(first) - 2);
  });

  it('answers with errors are never kept; the live budget (Query.upstream) is never kept', async () => {
    const withError = /* GraphQL */ `
      query ($a: Int!) {
        customer(acctId: $a) {
          acctId
        }
        event(name: "NOT A NAME") {
          name
        }
      }
    `;
    const r1 = await gw.exec(withError, { a: holders[2] }, auth(READER));
    expect(r1.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    const r2 = await gw.exec(withError, { a: holders[2] }, auth(READER));
    expect(report(r2)).toMatchObject({ responseCacheHit: false });

    const quota = /* GraphQL */ `{ customer(acctId: ${holders[2]}) { acctId } upstream { quota { minuteRemaining } } }`;
    await gw.exec(quota, {}, auth(READER));
    expect(report(await gw.exec(quota, {}, auth(READER)))).toMatchObject({
      responseCacheHit: false,
    });
  });

  it('10 simultaneous identical cold dashboards execute once: the upstream calls of one', async () => {
    const variables = { ids: holders.slice(10, 20).map((a) => globalId('Customer', a)), first: 3 };
    const before = await posts();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => gw.exec(DASHBOARD, variables, auth(READER))),
    );
    const spent = (await posts()) - before;
    const executed = answers.filter((r) => !report(r).responseCacheHit);
    expect(executed).toHaveLength(1);
    expect(report(executed[0]).calls).toBe(spent);
    for (const r of answers) expect(r.data).toEqual(executed[0].data);
    for (const r of answers)
      if (r !== executed[0]) expect(report(r)).toMatchObject({ calls: 0, responseCacheHit: true });
  });
});

describe('lifetime: no longer than the reads it was built from', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await TestGateway.start(sb, { CACHE_TTL_CUSTOMER_QUERY_MS: '400' }, { cache: true });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('goes when its shortest-lived command answer goes', async () => {
    const acctId = holders[3];
    const first = await gw.exec(CUSTOMER, { acctId });
    expect(report(first)).toMatchObject({ calls: 1, responseCacheHit: false });
    expect(report(await gw.exec(CUSTOMER, { acctId }))).toMatchObject({ responseCacheHit: true });
    await sleep(500);
    expect(report(await gw.exec(CUSTOMER, { acctId }))).toMatchObject({
      calls: 1,
      responseCacheHit: false,
    });
  });

  it('an answer with a stale part is never kept', async () => {
    const acctId = holders[4];
    await gw.exec(CUSTOMER, { acctId });
    await sleep(500);
    await setFaults(sb, [{ kind: 'unavailable', commands: ['customer_query'] }]);
    try {
      const stale = await gw.exec(CUSTOMER, { acctId });
      expect(stale.extensions?.stale).toBeDefined();
      const again = await gw.exec(CUSTOMER, { acctId });
      expect(again.extensions?.stale).toBeDefined();
      expect(report(again)).toMatchObject({ responseCacheHit: false });
    } finally {
      await setFaults(sb, []);
    }
  });
});

describe('switched off', () => {
  it('RESPONSE_CACHE=false: every operation executes (over the command cache)', async () => {
    const gw = await TestGateway.start(sb, { RESPONSE_CACHE: 'false' }, { cache: true });
    try {
      await gw.exec(CUSTOMER, { acctId: holders[5] });
      const again = await gw.exec(CUSTOMER, { acctId: holders[5] });
      expect(report(again)).toMatchObject({ calls: 0, cacheHits: 1, responseCacheHit: false });
      expect(gw.gateway.responses).toBeUndefined();
    } finally {
      await gw.close();
    }
  });
});

describeRedis('with REDIS_URL: one store for every replica', () => {
  const prefix = uniquePrefix('response-cache');
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    const env = { ...TEST_REDIS_ENV };
    a = await TestGateway.start(sb, env, { cache: true, redisPrefix: prefix });
    b = await TestGateway.start(sb, env, { cache: true, redisPrefix: prefix });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    const redis = createRedis(TEST_REDIS_URL);
    await deleteByPrefix(redis, prefix);
    await redis.quit();
  });

  it('an answer built on one replica is served whole by another; a write on either evicts it for both', async () => {
    const acctId = holders[6];
    expect(report(await a.exec(CUSTOMER, { acctId }))).toMatchObject({
      calls: 1,
      responseCacheHit: false,
    });
    const fromB = await b.exec(CUSTOMER, { acctId });
    expect(report(fromB)).toMatchObject({ calls: 0, responseCacheHit: true });
    expect(fromB.extensions?.stale).toBeUndefined();

    const update = await b.exec(
      /* GraphQL */ `
        mutation ($in: UpdateCustomerInput!) {
          updateCustomer(input: $in) {
            __typename
          }
        }
      `,
      { in: { acctId, firstName: 'Shared' } },
    );
    expect(update.data).toEqual({ updateCustomer: { __typename: 'UpdateCustomerSuccess' } });
    const afterA = await a.exec(CUSTOMER, { acctId });
    expect(report(afterA)).toMatchObject({ responseCacheHit: false });
    expect(afterA.data).toMatchObject({ customer: { firstName: 'Shared' } });
  });
});
