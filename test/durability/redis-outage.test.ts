/**
 * Redis as a dependency that fails: a redis-server this test owns (its own port, no persistence)
 * is killed mid-run and restarted EMPTY, under a gateway process (`node --import tsx src/main.ts`)
 * against a sandbox at the real 80 calls a minute. What must hold:
 *
 * - the breaker opens, and cached reads are then answered without a Redis round-trip;
 * - uncached reads are served, or refused RATE_LIMITED / UPSTREAM_UNAVAILABLE — nothing else;
 * - upstream.quota answers from the local view; a payment is refused with a typed retryable code
 *   (UPSTREAM_UNAVAILABLE + retryAfterSeconds) and nothing reaches the service;
 * - Redis back empty: the breaker closes, the replica re-seeds the shared window from its durable
 *   log before sending, so the sandbox sees 0 × 429 before, during and after.
 *
 * Timings are measured and printed as figures, never asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRedis } from '../../src/redis.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { describeRedis } from '../cache/redis-env.js';
import { CHECKOUT, HOLD_BEST, newKey, PAY, payInput } from '../mutations/support.js';
import { GatewayProcess, RedisServer } from '../support/processes.js';
import { account } from '../support/worlds.js';

const CACHED = /* GraphQL */ `
  query ($name: String!) {
    event(name: $name) {
      name
      description
    }
  }
`;
const CUSTOMER = /* GraphQL */ `
  query ($id: Int!) {
    customer(acctId: $id) {
      acctId
      lastName
    }
  }
`;
const QUOTA = /* GraphQL */ `
  {
    upstream {
      quota {
        minuteRemaining
        dayRemaining
        queueLength
      }
    }
  }
`;

type Result = Awaited<ReturnType<GatewayProcess['exec']>>;
const codeOf = (r: Result) => r.errors?.[0]?.extensions?.code;
const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

let redis: RedisServer;
let sb: RunningSandbox;
let gw: GatewayProcess;
let dataDir: string;

// describeRedis: the suite needs redis-server (it runs its own); CI must have it.
describeRedis('a Redis outage under a running gateway', () => {
  beforeAll(async () => {
    redis = await RedisServer.start();
    sb = await startSandbox({ ratePerMinute: 80 });
    dataDir = mkdtempSync(join(tmpdir(), 'gateway-outage-'));
    gw = await GatewayProcess.start({
      ARCHTICS_BASE_URL: sb.url,
      ARCHTICS_API_KEY: sb.apiKey,
      ARCHTICS_DSN: sb.dsn,
      REDIS_URL: redis.url,
      REDIS_BREAKER_HALF_OPEN_MS: '500',
      // An uncached read that cannot get a slot within 3 s is refused at once (the next is ~60 s away).
      ARCHTICS_READ_DEADLINE_MS: '3000',
      DATA_DIR: dataDir,
    });
  });
  afterAll(async () => {
    await gw?.stop();
    await redis?.down();
    await sb?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('degrades at once, refuses payments retryably, recovers, and never makes the service answer 429', async () => {
    const samples = sb.world.samples as { homeEvents: string[]; accountRange: [number, number] };
    const event = samples.homeEvents[0];
    let nextAcct = samples.accountRange[0];
    const uncached = async (n: number) =>
      Promise.all(Array.from({ length: n }, () => gw.exec(CUSTOMER, { id: nextAcct++ })));
    const timedCached = async (n: number) => {
      const times: number[] = [];
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        const r = await gw.exec(CACHED, { name: event });
        times.push(performance.now() - t);
        expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
        expect((r.data as { event: { name: string } }).event.name).toBe(event);
      }
      return times;
    };

    // ── before: warm the cache, a cart to pay, most of the minute's budget spent ────────────────
    expect((await gw.exec(CACHED, { name: event })).errors).toBeUndefined();
    const before = await timedCached(20);
    const held = await gw.exec<{ holdBestAvailable: { orderNum: number } }>(HOLD_BEST, {
      input: { eventName: event, quantity: 2 },
    });
    const orderNum = held.data!.holdBestAvailable.orderNum;
    const checked = await gw.exec<{ checkout: { amountDue: { amount: string } } }>(CHECKOUT, {
      input: { orderNum, acctId: account(sb) },
    });
    const amount = checked.data!.checkout.amountDue.amount;
    // In batches: each grant is a Redis round trip, and a loaded machine must not turn 45 at once
    // into deadline refusals.
    const spent: Result[] = [];
    for (let i = 0; i < 9; i++) spent.push(...(await uncached(5)));
    expect(spent.filter((r) => r.errors).map((r) => r.errors)).toEqual([]);
    expect(await gw.metric('archtics_redis_breaker_state{state="closed"}')).toBe(1);

    // ── Redis dies ───────────────────────────────────────────────────────────────────────────
    await redis.down();
    const outageAt = performance.now();
    const during = await timedCached(30);
    const openAfterMs = performance.now() - outageAt;
    expect(await gw.metric('archtics_redis_breaker_state{state="open"}')).toBe(1);
    // No Redis round-trips for cached reads once open: only the breaker's probes still try.
    const failedBefore = (await gw.metric('archtics_redis_commands_total{result="failed"}')) ?? 0;
    const more = await timedCached(30);
    const failedAfter = (await gw.metric('archtics_redis_commands_total{result="failed"}')) ?? 0;
    expect(failedAfter - failedBefore).toBeLessThanOrEqual(
      Math.ceil(more.reduce((a, b) => a + b, 0) / 500) + 2,
    );

    const quota = await gw.exec<{ upstream: { quota: { minuteRemaining: number } } }>(QUOTA);
    expect(quota.errors).toBeUndefined();
    expect(quota.data!.upstream.quota.minuteRemaining).toBeLessThanOrEqual(80 - 45);

    const uncachedAt = performance.now();
    const degraded = await uncached(40);
    const uncachedMs = performance.now() - uncachedAt;
    for (const r of degraded) {
      if (r.errors)
        expect(['RATE_LIMITED', 'UPSTREAM_UNAVAILABLE'], JSON.stringify(r.errors)).toContain(
          codeOf(r),
        );
    }
    const servedDuring = degraded.filter((r) => !r.errors).length;
    expect(servedDuring).toBeGreaterThan(0);
    expect(degraded.some((r) => codeOf(r) === 'RATE_LIMITED')).toBe(true); // the share ran out

    const paid = await gw.exec(PAY, payInput(newKey(), account(sb), orderNum, amount));
    expect(codeOf(paid)).toBe('UPSTREAM_UNAVAILABLE');
    expect(paid.errors![0].extensions!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(sb.stats().commands.payment_request ?? 0).toBe(0);

    // ── Redis back, empty ────────────────────────────────────────────────────────────────────
    await redis.up();
    const upAt = performance.now();
    for (
      let i = 0;
      i < 400 && (await gw.metric('archtics_redis_breaker_state{state="closed"}')) !== 1;
      i++
    )
      await new Promise((r) => setTimeout(r, 25));
    const recoveryMs = performance.now() - upAt;
    expect(await gw.metric('archtics_redis_breaker_state{state="closed"}')).toBe(1);
    const after = await uncached(30);
    for (const r of after) if (r.errors) expect(codeOf(r)).toBe('RATE_LIMITED');
    const afterCached = await timedCached(20);

    // The replica put its window back into the empty Redis before sending again.
    const check = createRedis(redis.url);
    try {
      const [, keys] = await check.scan('0', 'MATCH', 'archtics:quota:*:log', 'COUNT', 1000);
      expect(keys).toHaveLength(1);
      expect(await check.zcard(keys[0])).toBeGreaterThanOrEqual(45 + servedDuring);
    } finally {
      check.disconnect();
    }
    const stats = sb.stats();
    expect(stats.rateLimited429).toBe(0);
    expect(stats.maxPostsInAnyMinute).toBeLessThanOrEqual(80);

    console.log(
      `[figures] cached reads p50: before ${p50(before).toFixed(1)} ms, first 30 after the outage ${p50(during).toFixed(1)} ms (breaker open within ${openAfterMs.toFixed(0)} ms), ` +
        `next 30 ${p50(more).toFixed(1)} ms, after recovery ${p50(afterCached).toFixed(1)} ms; 40 uncached reads in ${uncachedMs.toFixed(0)} ms (${servedDuring} served, rest RATE_LIMITED/UPSTREAM_UNAVAILABLE); ` +
        `recovery ${recoveryMs.toFixed(0)} ms after Redis came back; after recovery ${after.filter((r) => !r.errors).length}/30 served; 429s at the sandbox: ${stats.rateLimited429}; max posts in any minute ${stats.maxPostsInAnyMinute}`,
    );
  });
});
