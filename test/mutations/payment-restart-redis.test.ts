/**
 * With Redis holding the idempotency records, a new gateway instance (a restart, or another
 * replica) knows what the old one sent: it settles a lost answer by reading and replays a known
 * outcome — payment_request still runs once. Skips with a printed reason without Redis locally;
 * must run under CI=true.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createIdempotency } from '../../src/idempotency/index.js';
import { createRedis, deleteByPrefix, type Redis } from '../../src/redis.js';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { describeRedis, TEST_REDIS_URL, uniquePrefix } from '../cache/redis-env.js';
import { setFaults, startTestSandbox, TestGateway } from '../graphql/harness.js';
import { restartScenarios } from './restart-scenarios.js';

const PAYMENT_SERVICE_MS = 60_000;

describeRedis('payments across a gateway restart (Redis records)', () => {
  const prefix = uniquePrefix('idempotency');
  const clients: Redis[] = [];
  let sb: RunningSandbox;

  /** A fresh gateway with its own Redis connection, sharing only the records under `prefix`. */
  async function startGateway(): Promise<TestGateway> {
    const redis = createRedis(TEST_REDIS_URL);
    clients.push(redis);
    return TestGateway.start(
      sb,
      {},
      { idempotency: createIdempotency({ redis, redisPrefix: prefix }) },
    );
  }

  beforeAll(async () => {
    sb = await startTestSandbox({ serviceTimeMs: { payment_request: PAYMENT_SERVICE_MS } });
  });
  afterEach(async () => {
    await setFaults(sb, []);
  });
  afterAll(async () => {
    if (clients[0]) await deleteByPrefix(clients[0], prefix);
    for (const c of clients) c.disconnect();
    await sb?.close();
  });

  restartScenarios({
    sandbox: () => sb,
    startGateway,
    paymentServiceMs: PAYMENT_SERVICE_MS,
    events: [20, 21],
    cartsSurvive: false,
  });
});
