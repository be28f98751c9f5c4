/**
 * With Redis holding the idempotency records, a new gateway instance (a restart, or another
 * replica) knows what the old one sent: it settles a lost answer by reading and replays a known
 * outcome — payment_request still runs once. Skips with a printed reason without Redis locally;
 * must run under CI=true.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createIdempotency } from '../../src/idempotency/index.js';
import { createRedis, deleteByPrefix, type Redis } from '../../src/redis.js';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { describeRedis, TEST_REDIS_URL, uniquePrefix } from '../cache/redis-env.js';
import { codes, sandboxStats, setFaults, startTestSandbox, TestGateway } from '../graphql/harness.js';
import { advanceSandboxClock, heldAndCheckedOut, newKey, pay, paymentReceived } from './support.js';
import { account, samplesOf } from '../support/worlds.js';

const PAYMENT_SERVICE_MS = 60_000;

describeRedis('payments across a gateway restart (Redis records)', () => {
  const prefix = uniquePrefix('idempotency');
  const clients: Redis[] = [];
  let sb: RunningSandbox;

  /** A fresh gateway with its own Redis connection, sharing only the records under `prefix`. */
  async function startGateway(): Promise<TestGateway> {
    const redis = createRedis(TEST_REDIS_URL);
    clients.push(redis);
    return TestGateway.start(sb, {}, { idempotency: createIdempotency({ redis, redisPrefix: prefix }) });
  }

  const payments = async () => (await sandboxStats(sb)).executions.payment_request ?? 0;

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

  it('an answer lost before the restart is settled by reading after it; payment_request ran once', async () => {
    const first = await startGateway();
    const { orderNum, amountDue } = await heldAndCheckedOut(first, samplesOf(sb).homeEvents[20]);
    await setFaults(sb, [{ kind: 'dropConnection', commands: ['payment_request'], only: 'polls', count: 1 }]);
    const key = newKey();
    expect(codes(await pay(first, key, account(sb), orderNum, amountDue))).toEqual(['PAYMENT_OUTCOME_UNKNOWN']);
    await first.close();

    await advanceSandboxClock(sb, PAYMENT_SERVICE_MS + 1_000);
    const second = await startGateway();
    try {
      const settled = await pay(second, key, account(sb), orderNum, amountDue);
      expect(settled.errors).toBeUndefined();
      expect(settled.data!.submitPayment).toMatchObject({ __typename: 'PaymentSuccess', settledByReading: true, orderNum });
      expect(await payments()).toBe(1);
    } finally {
      await second.close();
    }
  });

  it('a payment made before the restart is replayed after it, without a second payment_request', async () => {
    const first = await startGateway();
    const { orderNum, amountDue } = await heldAndCheckedOut(first, samplesOf(sb).homeEvents[21]);
    const before = await payments();
    const sent = (await sandboxStats(sb)).commands.payment_request ?? 0;
    const key = newKey();
    const paying = pay(first, key, account(sb), orderNum, amountDue);
    await paymentReceived(sb, sent, sandboxStats);
    await advanceSandboxClock(sb, PAYMENT_SERVICE_MS + 1_000);
    const paid = await paying;
    expect(paid.data!.submitPayment).toMatchObject({ __typename: 'PaymentSuccess', replayed: false });
    await first.close();

    const second = await startGateway();
    try {
      const replay = await pay(second, key, account(sb), orderNum, amountDue);
      expect(replay.data!.submitPayment).toMatchObject({ __typename: 'PaymentSuccess', replayed: true, confirmationNumber: paid.data!.submitPayment.confirmationNumber });
      expect(await payments()).toBe(before + 1);
    } finally {
      await second.close();
    }
  });
});
