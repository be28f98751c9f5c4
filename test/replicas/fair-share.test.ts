/**
 * Fair shares across replicas: two gateways on one Redis (the shared budget, src/quota/redis.ts),
 * the greedy token on one, the dashboard token on the other, one sandbox at 80 POSTs a minute. The
 * greedy gateway sees the other caller's use of the window only through Redis (the log's members
 * name their caller), and its borrowing is checked in the same Lua script as every take.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { quotaNamespace } from '../../src/quota/redis.js';
import { createRedis, deleteByPrefix, type Redis } from '../../src/redis.js';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { TEST_REDIS_URL, describeRedis, uniquePrefix } from '../cache/redis-env.js';
import {
  PER_MINUTE,
  SCENARIO_TIMEOUT_MS,
  fairShareConfig,
  runFairShareScenario,
  scaledGateway,
  startScenarioSandbox,
  warmUp,
  type ScaledGateway,
} from '../support/fair-share.js';

describeRedis('fair shares across two replicas on one Redis, sandbox at 80/min', () => {
  const prefix = uniquePrefix('fair-share');
  let sb: RunningSandbox;
  let redis: Redis;
  let gateways: ScaledGateway[] = [];

  beforeAll(async () => {
    await warmUp();
    sb = await startScenarioSandbox();
    redis = createRedis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await sb?.close();
    if (redis) {
      await deleteByPrefix(redis, prefix);
      await redis.quit();
    }
  });

  it(
    'greedy on one replica, dashboards on the other: ≥ 90% served, 0 × 429, one shared window',
    async () => {
      const config = fairShareConfig(sb);
      gateways = [
        await scaledGateway(sb, config, { redis, redisPrefix: prefix }),
        await scaledGateway(sb, config, { redis, redisPrefix: prefix }),
      ];
      const f = await runFairShareScenario(sb, gateways[0].gateway, gateways[1].gateway);
      if (process.env.REPORT_FIGURES)
        console.info('fair share, two replicas', {
          ...f,
          greedyRetryAfter: f.greedyRetryAfter.length,
        });
      expect(f.victimOps).toBeGreaterThanOrEqual(12);
      expect(f.victimServed / f.victimOps).toBeGreaterThanOrEqual(0.9);
      expect(f.rateLimited429).toBe(0);
      expect(f.maxPostsInAnyMinute).toBeLessThanOrEqual(PER_MINUTE);
      expect(f.greedyRateLimited).toBeGreaterThan(0);
      expect(f.posts - f.victimCalls).toBeGreaterThan(f.victimCalls);
      // Every POST was granted by the one shared log, its members naming the caller (a digest, never the token).
      const ns = quotaNamespace(prefix, sb.apiKey, sb.dsn);
      expect(await redis.zcard(`${ns}log`)).toBe(f.posts);
      const members = await redis.zrange(`${ns}log`, '0', '-1');
      expect(members.every((m) => /\|token:[\w-]{22}$/.test(m))).toBe(true);
      expect(members.some((m) => m.includes('greedy-token') || m.includes('victim-token'))).toBe(
        false,
      );
    },
    SCENARIO_TIMEOUT_MS,
  );
});
