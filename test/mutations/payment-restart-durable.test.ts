/**
 * Without Redis, the idempotency records live in the durable store (SQLite in DATA_DIR): a new
 * gateway instance on the same DATA_DIR (a restart) knows what the old one sent. It settles a lost
 * answer by reading, replays a known outcome, and a payment whose cart is gone is never answered
 * "expired" unless the reads prove nothing was bought. payment_request runs once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import {
  codes,
  sandboxStats,
  setFaults,
  startTestSandbox,
  TestGateway,
} from '../graphql/harness.js';
import { heldAndCheckedOut, newKey, pay } from './support.js';
import { account, samplesOf } from '../support/worlds.js';
import { restartScenarios } from './restart-scenarios.js';

const PAYMENT_SERVICE_MS = 60_000;

describe('payments across a gateway restart (SQLite records in DATA_DIR)', () => {
  let sb: RunningSandbox;
  let dataDir: string;

  /** A fresh gateway on the shared DATA_DIR (stores: undefined = the durable default from config). */
  const startGateway = () => TestGateway.start(sb, { DATA_DIR: dataDir }, { stores: undefined });
  const payments = async () => (await sandboxStats(sb)).executions.payment_request ?? 0;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gateway-data-'));
    sb = await startTestSandbox({ serviceTimeMs: { payment_request: PAYMENT_SERVICE_MS } });
  });
  afterEach(async () => {
    await setFaults(sb, []);
  });
  afterAll(async () => {
    await sb?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  restartScenarios({
    sandbox: () => sb,
    startGateway,
    paymentServiceMs: PAYMENT_SERVICE_MS,
    events: [30, 31],
    cartsSurvive: true,
  });

  it('a cart released after checkout: a payment proves by reading that nothing was bought (CartExpired, settledByReading)', async () => {
    const gw = await startGateway();
    try {
      const { orderNum, amountDue } = await heldAndCheckedOut(gw, samplesOf(sb).homeEvents[32]);
      // The first key's check_out records the cart's seats; abort the cart, then pay.
      await setFaults(sb, [
        { kind: 'unavailable', commands: ['payment_request'], only: 'firstSends', count: 1 },
      ]);
      expect(codes(await pay(gw, newKey(), account(sb), orderNum, amountDue))).toEqual([
        'UPSTREAM_UNAVAILABLE',
      ]);
      const released = await gw.exec(
        `mutation ($n: Int!) { releaseCart(orderNum: $n) { __typename } }`,
        { n: orderNum },
      );
      expect(released.errors).toBeUndefined();
      const before = await payments();
      const answer = await gw.exec<
        { submitPayment: { __typename: string; settledByReading?: boolean } },
        unknown
      >(
        `mutation ($input: SubmitPaymentInput!) { submitPayment(input: $input) { __typename ... on CartExpired { orderNum settledByReading } } }`,
        {
          input: {
            idempotencyKey: newKey(),
            acctId: account(sb),
            orderNum,
            amount: amountDue,
            card: {
              type: 'VISA',
              number: '4111111111111111',
              cvv: '123',
              expiry: '1239',
              firstName: 'A',
              lastName: 'B',
            },
          },
        },
      );
      expect(answer.data!.submitPayment).toEqual({
        __typename: 'CartExpired',
        orderNum,
        settledByReading: true,
      });
      expect(await payments()).toBe(before);
    } finally {
      await gw.close();
    }
  });
});
