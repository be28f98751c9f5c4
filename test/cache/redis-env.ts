/**
 * Redis for tests: 127.0.0.1:6379 unless TEST_REDIS_URL says otherwise. Without a reachable Redis
 * the Redis suites skip with a printed reason locally, and FAIL under CI=true (they must run there).
 * Every suite uses its own key prefix and deletes only keys under it.
 */
import { randomUUID } from 'node:crypto';
import { describe } from 'vitest';
import { redisReachable } from '../../src/redis.js';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * REDIS_URL for tests about sharing through Redis, not about Redis failing: a generous command
 * timeout, so that event-loop stalls of a loaded machine never open the breaker (its own tests,
 * test/durability/redis-outage.test.ts, keep the default).
 */
export const TEST_REDIS_ENV = {
  REDIS_URL: TEST_REDIS_URL,
  REDIS_COMMAND_TIMEOUT_MS: '5000',
} as const;

export const redisAvailable = await redisReachable(TEST_REDIS_URL, 1_500);

if (!redisAvailable) {
  const reason = `Redis is not reachable at ${TEST_REDIS_URL}`;
  if (process.env.CI === 'true')
    throw new Error(
      `${reason}, and CI=true: the Redis suites must run in CI (start redis-server).`,
    );
  console.warn(
    `[skip] ${reason}: skipping the Redis suites (they run, and must pass, under CI=true).`,
  );
}

/** describe() when Redis is up, describe.skip() (with the reason printed above) when not. */
export const describeRedis: typeof describe = redisAvailable
  ? describe
  : (describe.skip as typeof describe);

/** A key prefix no other run shares: `test:<suite>:<pid>:<random>:`. */
export function uniquePrefix(suite: string): string {
  return `test:${suite}:${process.pid}:${randomUUID().slice(0, 8)}:`;
}
