/**
 * The cache through the real GraphQL gateway (createGateway, the real client) against the sandbox,
 * counted where it matters — at the sandbox's /__sandbox/stats: coalescing of concurrent
 * operations, invalidation by a hold mutation, stale answers during 429 and 503 with
 * extensions.stale, the cost report in extensions.upstream, Upstream.quota.cacheHitRatio, /metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { startSandbox, type FaultRule, type RunningSandbox } from '../../src/sandbox/index.js';

const SECRET_KEY = 'sk-test-CACHE-SECRET-7f3a';

interface GqlResponse {
  data?: Record<string, any>;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  extensions?: { upstream?: Record<string, number | null>; stale?: { ageSeconds: number } };
}

/** The real gateway (default cache on, real client) against a sandbox of its own. */
interface SandboxedGateway {
  sandbox: RunningSandbox;
  gateway: Gateway;
  post(body: { query: string; variables?: Record<string, unknown> }): Promise<Response>;
  close(): Promise<void>;
}

async function startSandboxedGateway(opts: {
  apiKey: string;
  env: Record<string, string>;
}): Promise<SandboxedGateway> {
  const sandbox = await startSandbox({ apiKey: opts.apiKey });
  const config = loadConfig({
    ARCHTICS_BASE_URL: sandbox.url,
    ARCHTICS_API_KEY: sandbox.apiKey,
    ARCHTICS_DSN: sandbox.dsn,
    LOG_LEVEL: 'silent',
    ...opts.env,
  });
  // The command cache on its own: the response cache above it would answer repeats whole.
  const gateway = await createGateway({ config, responseCache: false });
  return {
    sandbox,
    gateway,
    post: async (body) =>
      gateway.yoga.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
        },
        body: JSON.stringify(body),
      }),
    async close() {
      await gateway.close();
      await sandbox.close();
    },
  };
}

let gw: SandboxedGateway;
let events: string[];
const gql = async (query: string, variables: Record<string, unknown> = {}): Promise<GqlResponse> =>
  (await gw.post({ query, variables })).json() as Promise<GqlResponse>;
const sandboxCount = (command: string) => gw.sandbox.stats().commands[command] ?? 0;
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

const EVENT = /* GraphQL */ `
  query ($name: String!) {
    event(name: $name) {
      name
      description
      venue
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

beforeAll(async () => {
  gw = await startSandboxedGateway({
    apiKey: SECRET_KEY,
    // event_price_info expires at once (stale tests); events are read name by name, as the counts
    // below assume (the catalogue, one entry for every event, is tested in idle-budget.test.ts);
    // the rest keep their defaults.
    env: { CACHE_TTL_EVENT_PRICE_INFO_MS: '1', CACHE_CATALOGUE: 'false' },
  });
  events = gw.sandbox.world.samples.homeEvents as string[];
});
afterAll(async () => {
  await gw?.close();
});

describe('cache through the gateway', () => {
  it('50 concurrent identical operations → ONE event_details at the sandbox; the report says who paid', async () => {
    const before = sandboxCount('event_details');
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => gql(EVENT, { name: events[0] })),
    );
    expect(responses.every((r) => r.data?.event?.name === events[0])).toBe(true);
    expect(sandboxCount('event_details') - before).toBe(1);
    const upstream = responses.map((r) => r.extensions!.upstream!);
    expect(upstream.reduce((n, u) => n + (u.calls ?? 0), 0)).toBe(1);
    expect(upstream.reduce((n, u) => n + (u.cacheHits ?? 0), 0)).toBe(49);
    for (const u of upstream) {
      expect(u).toMatchObject({ polls: 0, staleServes: 0 });
      expect(u.minuteRemaining).toBeGreaterThanOrEqual(0);
      expect(u.dayRemaining).toBeGreaterThan(0);
    }
    expect(responses.every((r) => r.extensions!.stale === undefined)).toBe(true);
  });

  it('a repeated operation later is a cache hit: no call, minuteRemaining unchanged', async () => {
    const first = await gql(EVENT, { name: events[1] });
    const again = await gql(EVENT, { name: events[1] });
    expect(first.extensions!.upstream).toMatchObject({ calls: 1, cacheHits: 0 });
    expect(again.extensions!.upstream).toMatchObject({ calls: 0, cacheHits: 1 });
    expect(again.extensions!.upstream!.minuteRemaining).toBe(
      first.extensions!.upstream!.minuteRemaining,
    );
  });

  it("a hold evicts that event's availability: the next read goes upstream and sees fewer seats", async () => {
    const name = events[2];
    const total = (r: GqlResponse) =>
      (r.data!.event.availability as { available: number }[]).reduce((n, s) => n + s.available, 0);
    const first = await gql(AVAIL, { name });
    const cached = await gql(AVAIL, { name });
    expect(cached.extensions!.upstream!.cacheHits).toBeGreaterThan(0);
    const availCalls = sandboxCount('get_avail_seats');
    const hold = await gql(
      /* GraphQL */ `
        mutation ($name: String!) {
          holdBestAvailable(input: { eventName: $name, quantity: 4 }) {
            __typename
            ... on HoldSeatsSuccess {
              heldSeats {
                id
              }
            }
          }
        }
      `,
      { name },
    );
    expect(hold.data?.holdBestAvailable.__typename).toBe('HoldSeatsSuccess');
    const after = await gql(AVAIL, { name });
    expect(sandboxCount('get_avail_seats')).toBeGreaterThan(availCalls);
    expect(total(after)).toBe(total(first) - 4);
  });

  it('Upstream.quota reports the cache hit ratio and the queue, at no upstream cost', async () => {
    const r = await gql(/* GraphQL */ `
      {
        upstream {
          quota {
            minuteRemaining
            dayRemaining
            queueLength
            cacheHitRatio
          }
        }
      }
    `);
    expect(r.errors).toBeUndefined();
    expect(r.data!.upstream.quota.cacheHitRatio).toBeGreaterThan(0.8);
    expect(r.data!.upstream.quota.queueLength).toBe(0);
    expect(r.extensions!.upstream).toMatchObject({ calls: 0 });
    const stats = gw.gateway.upstream.cache!.stats();
    expect(stats.hitRatio).toBe(r.data!.upstream.quota.cacheHitRatio);
  });
});

/** event_price_info answers served stale to the callers of this file, for the /metrics test. */
let staleServed = 0;

describe('stale answers through the gateway while the upstream refuses', () => {
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

  const faults: [string, FaultRule][] = [
    [
      '429 (rate limited upstream)',
      { kind: 'rateLimit', commands: ['event_price_info'], retryAfterSeconds: 1 },
    ],
    ['503 (unavailable)', { kind: 'unavailable', commands: ['event_price_info'] }],
  ];
  for (const [label, fault] of faults) {
    it(`serves the expired answer on ${label}, marked extensions.stale`, async () => {
      const name = events[3];
      gw.sandbox.setFaults([]);
      const fresh = await gql(PRICES, { name });
      expect(fresh.errors).toBeUndefined();
      // After the 429 case the budget may still be paused for its Retry-After: then this read, too,
      // is answered stale (at once). /metrics must count what the callers were given.
      staleServed += fresh.extensions?.upstream?.staleServes ?? 0;
      await settle(5); // event_price_info's TTL here is 1 ms: the entry is now expired, within its grace
      const refusedBefore =
        gw.sandbox.stats().byStatus[label.startsWith('429') ? '429' : '503'] ?? 0;
      gw.sandbox.setFaults([fault]);
      const stale = await gql(PRICES, { name });
      gw.sandbox.setFaults([]);
      expect(
        gw.sandbox.stats().byStatus[label.startsWith('429') ? '429' : '503'] ?? 0,
      ).toBeGreaterThan(refusedBefore);
      expect(stale.errors).toBeUndefined();
      expect(stale.data!.event.priceCodes).toEqual(fresh.data!.event.priceCodes);
      expect(stale.extensions!.stale).toEqual({ ageSeconds: expect.any(Number) });
      expect(stale.extensions!.stale!.ageSeconds).toBeGreaterThanOrEqual(0);
      expect(stale.extensions!.upstream).toMatchObject({ staleServes: 1 });
      staleServed += 1;
    });
  }

  it('with nothing cached to serve, the typed error reaches the client (RATE_LIMITED)', async () => {
    gw.sandbox.setFaults([
      { kind: 'rateLimit', commands: ['event_price_info'], retryAfterSeconds: 1 },
    ]);
    const r = await gql(PRICES, { name: events[4] });
    gw.sandbox.setFaults([]);
    expect(r.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(r.extensions!.stale).toBeUndefined();
  });
});

describe('/metrics', () => {
  it('serves Prometheus text: calls by command and status, cache results, queue waits — never the key', async () => {
    const res = await gw.gateway.yoga.fetch('http://gateway.test/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(
      /archtics_upstream_calls_total\{command="event_details",status="200",outcome="ok"\} [1-9]/,
    );
    expect(text).toMatch(
      /archtics_cache_requests_total\{command="event_details",result="coalesced"\} 49/,
    );
    expect(staleServed).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(
      new RegExp(
        `archtics_cache_requests_total\\{command="event_price_info",result="stale"\\} ${staleServed}\n`,
      ),
    );
    expect(text).toMatch(/archtics_quota_queue_wait_seconds_count\{priority="read"\} [1-9]/);
    expect(text).toMatch(/archtics_quota_minute_remaining \d+/);
    expect(text).toContain('archtics_upstream_polls_total');
    expect(text).not.toContain(SECRET_KEY);
  });
});
