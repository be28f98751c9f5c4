/**
 * submitPayment sends payment_request at most once per idempotency key — counted by the sandbox
 * itself (executions.payment_request) — whether the key comes again concurrently, after the
 * gateway lost the answer mid-poll, or with another request.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import {
  codes,
  resetSandbox,
  sandboxStats,
  setFaults,
  startTestSandbox,
  TestGateway,
} from '../graphql/harness.js';
import { advanceSandboxClock, heldAndCheckedOut, newKey, pay, paymentReceived } from './support.js';
import { account, samplesOf } from '../support/worlds.js';

/** payment_request takes a minute of sandbox time: it is accepted (202) and polled. */
const PAYMENT_SERVICE_MS = 60_000;

let sb: RunningSandbox;
let gw: TestGateway;
beforeAll(async () => {
  sb = await startTestSandbox({ serviceTimeMs: { payment_request: PAYMENT_SERVICE_MS } });
  gw = await TestGateway.start(sb);
});
afterEach(async () => {
  await setFaults(sb, []);
  await resetSandbox(sb);
});
afterAll(async () => {
  await gw?.close();
  await sb?.close();
});

const payments = async () => (await sandboxStats(sb)).executions.payment_request ?? 0;

/** Advances the sandbox past the payment's service time, so an accepted payment completes. */
const completeQueued = () => advanceSandboxClock(sb, PAYMENT_SERVICE_MS + 1_000);

/** Waits until the sandbox has received `n` payment_request commands in this test. */
const received = (n = 1) => paymentReceived(sb, n - 1, sandboxStats);

describe('exactly once per idempotency key', () => {
  it('the same key sent 5 times at once pays once: the duplicates answer at once ("in progress", retry after the lease), then replay the one confirmation', async () => {
    const { orderNum, amountDue } = await heldAndCheckedOut(gw, samplesOf(sb).homeEvents[11]);
    const key = newKey();
    const answered: { r: Awaited<ReturnType<typeof pay>>; paidBefore: Promise<number> }[] = [];
    let fourAnswered!: () => void;
    const four = new Promise<void>((resolve) => (fourAnswered = resolve));
    const racing = Array.from({ length: 5 }, () =>
      pay(gw, key, account(sb), orderNum, amountDue).then((r) => {
        answered.push({ r, paidBefore: payments() });
        if (answered.length === 4) fourAnswered();
        return r;
      }),
    );
    // The first send is queued upstream (202) and cannot complete until the sandbox clock moves:
    // four answers while it is queued prove that the duplicates did not wait for it.
    await received();
    await four;
    const early = [...answered];
    expect(early.every(({ r }) => r.errors !== undefined)).toBe(true);
    for (const { r, paidBefore } of early) {
      expect(await paidBefore).toBe(0);
      expect(codes(r)).toEqual(['PAYMENT_OUTCOME_UNKNOWN']);
      expect(r.errors![0].extensions).toMatchObject({ idempotencyKey: key });
      // The truth: until the attempt's lease (IDEMPOTENCY_LEASE_MS, 10 s, renewed by a third) ends.
      const after = r.errors![0].extensions!.retryAfterSeconds as number;
      expect(after).toBeGreaterThanOrEqual(6);
      expect(after).toBeLessThanOrEqual(10);
    }
    await completeQueued();
    const results = await Promise.all(racing);
    const first = results.find((r) => r.errors === undefined)!;
    expect(first.data!.submitPayment).toMatchObject({
      __typename: 'PaymentSuccess',
      replayed: false,
    });
    expect(await payments()).toBe(1);

    const retries = await Promise.all(
      early.map(() => pay(gw, key, account(sb), orderNum, amountDue)),
    );
    for (const later of retries) {
      expect(later.data!.submitPayment).toMatchObject({
        __typename: 'PaymentSuccess',
        replayed: true,
        confirmationNumber: first.data!.submitPayment.confirmationNumber,
      });
    }
    expect(await payments()).toBe(1);
  });

  it('the same key with a different request is BAD_USER_INPUT and sends nothing', async () => {
    const { orderNum, amountDue } = await heldAndCheckedOut(gw, samplesOf(sb).homeEvents[12]);
    const key = newKey();
    const first = pay(gw, key, account(sb), orderNum, amountDue);
    await received();
    await completeQueued();
    expect((await first).data!.submitPayment.__typename).toBe('PaymentSuccess');
    const before = await sandboxStats(sb);
    const other = await pay(gw, key, account(sb), orderNum, amountDue, '4242424242424242');
    expect(codes(other)).toEqual(['BAD_USER_INPUT']);
    expect((await sandboxStats(sb)).posts).toBe(before.posts);
  });

  it('cut off mid-poll: PAYMENT_OUTCOME_UNKNOWN; retries settle it by reading and never pay again', async () => {
    const { orderNum, amountDue } = await heldAndCheckedOut(gw, samplesOf(sb).homeEvents[13]);
    await setFaults(sb, [
      { kind: 'dropConnection', commands: ['payment_request'], only: 'polls', count: 1 },
    ]);
    const key = newKey();

    const lost = await pay(gw, key, account(sb), orderNum, amountDue);
    expect(codes(lost)).toEqual(['PAYMENT_OUTCOME_UNKNOWN']);
    expect(lost.errors![0].extensions).toMatchObject({ idempotencyKey: key });
    expect((await sandboxStats(sb)).faults.dropConnection).toBe(1);

    // The service still has the payment queued: reads show the cart and no sale, which proves
    // nothing yet — the answer stays unknown and nothing is sent.
    const early = await pay(gw, key, account(sb), orderNum, amountDue);
    expect(codes(early)).toEqual(['PAYMENT_OUTCOME_UNKNOWN']);
    expect(early.errors![0].extensions?.retryAfterSeconds).toBeGreaterThan(0);
    expect(await payments()).toBe(0);

    await completeQueued();
    expect(await payments()).toBe(1);

    const settled = await pay(gw, key, account(sb), orderNum, amountDue);
    expect(settled.errors).toBeUndefined();
    expect(settled.data!.submitPayment).toMatchObject({
      __typename: 'PaymentSuccess',
      orderNum,
      acctId: account(sb),
      settledByReading: true,
      confirmationNumber: null,
      amount: { amount: amountDue },
    });
    const again = await pay(gw, key, account(sb), orderNum, amountDue);
    expect(again.data!.submitPayment).toMatchObject({
      __typename: 'PaymentSuccess',
      settledByReading: true,
      replayed: true,
    });
    const stats = await sandboxStats(sb);
    expect(stats.executions.payment_request).toBe(1);
    expect(stats.commands.payment_request).toBe(1);
  });

  it('dropped on the first send, after the service accepted it: the retry reads, and does not pay again', async () => {
    const { orderNum, amountDue } = await heldAndCheckedOut(gw, samplesOf(sb).homeEvents[14]);
    await setFaults(sb, [
      { kind: 'dropConnection', commands: ['payment_request'], only: 'firstSends', count: 1 },
    ]);
    const key = newKey();
    const lost = await pay(gw, key, account(sb), orderNum, amountDue);
    expect(codes(lost)).toEqual(['PAYMENT_OUTCOME_UNKNOWN']);
    await completeQueued();
    const settled = await pay(gw, key, account(sb), orderNum, amountDue);
    expect(settled.data!.submitPayment).toMatchObject({
      __typename: 'PaymentSuccess',
      settledByReading: true,
    });
    expect(await payments()).toBe(1);
  });

  it('refused before the service ran it (503): the key stays open and the retry pays — once', async () => {
    const { orderNum, amountDue } = await heldAndCheckedOut(gw, samplesOf(sb).homeEvents[15]);
    await setFaults(sb, [
      { kind: 'unavailable', commands: ['payment_request'], only: 'firstSends', count: 1 },
    ]);
    const key = newKey();
    const refused = await pay(gw, key, account(sb), orderNum, amountDue);
    expect(codes(refused)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(await payments()).toBe(0);

    const retry = pay(gw, key, account(sb), orderNum, amountDue);
    await received(2);
    await completeQueued();
    expect((await retry).data!.submitPayment).toMatchObject({
      __typename: 'PaymentSuccess',
      replayed: false,
      settledByReading: false,
    });
    expect(await payments()).toBe(1);
  });
});
