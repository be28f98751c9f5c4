/**
 * Payments across a gateway restart, whatever keeps the idempotency records (the durable store in
 * DATA_DIR, or Redis): a new gateway instance knows what the old one sent, settles a lost answer by
 * reading, replays a known outcome, and payment_request runs once.
 */
import { expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { codes, sandboxStats, setFaults, type TestGateway } from '../graphql/harness.js';
import { account, samplesOf } from '../support/worlds.js';
import { advanceSandboxClock, heldAndCheckedOut, newKey, pay, paymentReceived } from './support.js';

export interface RestartSetup {
  sandbox(): RunningSandbox;
  /** A fresh gateway sharing the records of the ones before it. */
  startGateway(): Promise<TestGateway>;
  /** How long a payment takes at the sandbox. */
  paymentServiceMs: number;
  /** Home games (indices into the world's samples) this suite may buy seats at: two. */
  events: readonly [number, number];
  /** The cart's seats survive the restart too (so a new key for the gone cart settles by reading). */
  cartsSurvive: boolean;
}

export function restartScenarios(setup: RestartSetup): void {
  const payments = async () =>
    (await sandboxStats(setup.sandbox())).executions.payment_request ?? 0;

  it('an answer lost before the restart is settled by reading after it; payment_request ran once', async () => {
    const sb = setup.sandbox();
    const first = await setup.startGateway();
    const { orderNum, amountDue } = await heldAndCheckedOut(
      first,
      samplesOf(sb).homeEvents[setup.events[0]],
    );
    await setFaults(sb, [
      { kind: 'dropConnection', commands: ['payment_request'], only: 'polls', count: 1 },
    ]);
    const key = newKey();
    expect(codes(await pay(first, key, account(sb), orderNum, amountDue))).toEqual([
      'PAYMENT_OUTCOME_UNKNOWN',
    ]);
    await first.close();

    await advanceSandboxClock(sb, setup.paymentServiceMs + 1_000);
    const second = await setup.startGateway();
    try {
      const settled = await pay(second, key, account(sb), orderNum, amountDue);
      expect(settled.errors).toBeUndefined();
      expect(settled.data!.submitPayment).toMatchObject({
        __typename: 'PaymentSuccess',
        settledByReading: true,
        orderNum,
      });
      expect(await payments()).toBe(1);
    } finally {
      await second.close();
    }
  });

  it('a payment made before the restart is replayed after it, without a second payment_request', async () => {
    const sb = setup.sandbox();
    const first = await setup.startGateway();
    const { orderNum, amountDue } = await heldAndCheckedOut(
      first,
      samplesOf(sb).homeEvents[setup.events[1]],
    );
    const before = await payments();
    const sent = (await sandboxStats(sb)).commands.payment_request ?? 0;
    const key = newKey();
    const paying = pay(first, key, account(sb), orderNum, amountDue);
    await paymentReceived(sb, sent, sandboxStats);
    await advanceSandboxClock(sb, setup.paymentServiceMs + 1_000);
    const paid = await paying;
    expect(paid.data!.submitPayment).toMatchObject({
      __typename: 'PaymentSuccess',
      replayed: false,
    });
    await first.close();

    const second = await setup.startGateway();
    try {
      const replay = await pay(second, key, account(sb), orderNum, amountDue);
      expect(replay.data!.submitPayment).toMatchObject({
        __typename: 'PaymentSuccess',
        replayed: true,
        confirmationNumber: paid.data!.submitPayment.confirmationNumber,
      });
      if (setup.cartsSurvive) {
        // A new key for the same (now gone) cart: its seats were recorded, the reads show them sold.
        const other = await pay(second, newKey(), account(sb), orderNum, amountDue);
        expect(other.data!.submitPayment).toMatchObject({
          __typename: 'PaymentSuccess',
          settledByReading: true,
          replayed: false,
        });
      }
      expect(await payments()).toBe(before + 1);
    } finally {
      await second.close();
    }
  });
}
