/**
 * Nothing lost when the gateway process dies (no Redis: records in the durable store, DATA_DIR).
 * The gateway runs as a real child process (`node --import tsx src/main.ts`) against a sandbox in
 * this process whose payment_request takes 12 s (accepted 202, polled):
 *
 * - kill -9 mid-poll, restart on the same DATA_DIR, same key: never CartExpired; the answer is
 *   PAYMENT_OUTCOME_UNKNOWN while the payment may still run, then PaymentSuccess settled by
 *   reading — and the sandbox executed payment_request exactly once;
 * - SIGTERM mid-poll: new requests are refused (503), a read past the grace is cut, the payment is
 *   polled to its outcome and answered, its outcome is logged with its key, the process exits 0;
 *   after a restart the key replays the outcome without a second payment_request.
 *
 * Figures (wall-clock, printed, never asserted): restart time, the first retry's answer time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { sandboxStats, startTestSandbox } from '../graphql/harness.js';
import {
  advanceSandboxClock,
  CHECKOUT,
  HOLD_BEST,
  newKey,
  PAY,
  payInput,
  paymentReceived,
} from '../mutations/support.js';
import { GatewayProcess } from '../support/processes.js';
import { account, samplesOf } from '../support/worlds.js';

const PAYMENT_MS = 12_000;

let sb: RunningSandbox;
let dataDir: string;
const running: GatewayProcess[] = [];

beforeAll(async () => {
  // Sandbox time runs 10× slower than real time: the 12 s payment completes when the test advances
  // the sandbox clock, however slow the machine (the test never depends on wall-clock timing).
  sb = await startTestSandbox({ serviceTimeMs: { payment_request: PAYMENT_MS }, timeScale: 10 });
  dataDir = mkdtempSync(join(tmpdir(), 'gateway-crash-'));
});
afterEach(async () => {
  for (const g of running.splice(0)) await g.stop();
});
afterAll(async () => {
  await sb?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function startGateway(extra: Record<string, string> = {}): Promise<GatewayProcess> {
  const gw = await GatewayProcess.start({
    ARCHTICS_BASE_URL: sb.url,
    ARCHTICS_API_KEY: sb.apiKey,
    ARCHTICS_DSN: sb.dsn,
    ARCHTICS_RATE_PER_MINUTE: '100000',
    ARCHTICS_RATE_PER_DAY: '10000000',
    DATA_DIR: dataDir,
    // A crashed attempt's key is taken over within 2 s (the default is 10 s).
    IDEMPOTENCY_LEASE_MS: '2000',
    ...extra,
  });
  running.push(gw);
  return gw;
}

type Payload = { __typename: string; [k: string]: unknown };

async function heldAndCheckedOut(
  gw: GatewayProcess,
  eventName: string,
): Promise<{ orderNum: number; amountDue: string }> {
  const held = await gw.exec<{ holdBestAvailable: Payload }>(HOLD_BEST, {
    input: { eventName, quantity: 2 },
  });
  expect(held.data?.holdBestAvailable.__typename, JSON.stringify(held)).toBe('HoldSeatsSuccess');
  const orderNum = held.data!.holdBestAvailable.orderNum as number;
  const checked = await gw.exec<{ checkout: Payload & { amountDue: { amount: string } } }>(
    CHECKOUT,
    { input: { orderNum, acctId: account(sb) } },
  );
  expect(checked.data?.checkout.__typename, JSON.stringify(checked)).toBe('CheckoutSuccess');
  return { orderNum, amountDue: checked.data!.checkout.amountDue.amount };
}

const pay = (gw: GatewayProcess, key: string, orderNum: number, amount: string) =>
  gw.exec<{ submitPayment: Payload }>(PAY, payInput(key, account(sb), orderNum, amount));
const executions = async () => (await sandboxStats(sb)).executions.payment_request ?? 0;
const received = async () => (await sandboxStats(sb)).commands.payment_request ?? 0;

describe('a payment in flight when the gateway process dies', () => {
  it('kill -9 mid-poll → restart → same key: never CartExpired; settled by reading; payment_request executed once', async () => {
    const first = await startGateway();
    const { orderNum, amountDue } = await heldAndCheckedOut(first, samplesOf(sb).homeEvents[10]);
    const key = newKey();
    const before = await executions();
    const seen = await received();
    const lost = pay(first, key, orderNum, amountDue).catch((e: unknown) => e);
    await paymentReceived(sb, seen, sandboxStats);
    first.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(await lost).toBeInstanceOf(Error); // the client saw the connection die

    const restartAt = Date.now();
    const second = await startGateway();
    const restartMs = Date.now() - restartAt;
    const askedAt = Date.now();
    let early = await pay(second, key, orderNum, amountDue);
    const earlyMs = Date.now() - askedAt;
    // Restarted within the dead attempt's 2 s lease: answered at once "in progress", retry after
    // what is left of the lease — after which the record is taken over and settled by reading.
    for (
      let round = 0;
      round < 3 && (early.errors?.[0]?.extensions?.retryAfterSeconds as number) <= 2;
      round++
    ) {
      await new Promise((r) =>
        setTimeout(r, (early.errors![0].extensions!.retryAfterSeconds as number) * 1000),
      );
      early = await pay(second, key, orderNum, amountDue);
    }
    // The payment is still queued upstream: reads show the cart and no sale, which proves nothing.
    expect(early.errors?.[0]?.extensions).toMatchObject({
      code: 'PAYMENT_OUTCOME_UNKNOWN',
      idempotencyKey: key,
    });
    // retryAfterSeconds tells the truth: the settlement horizon (poll timeout + request timeout, 630 s).
    expect(early.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(600);
    expect(await executions()).toBe(before);

    await advanceSandboxClock(sb, PAYMENT_MS + 1_000); // the service carries the payment out
    expect(await executions()).toBe(before + 1);
    const settled = await pay(second, key, orderNum, amountDue);
    expect(settled.errors).toBeUndefined();
    expect(settled.data!.submitPayment).toMatchObject({
      __typename: 'PaymentSuccess',
      settledByReading: true,
      replayed: false,
      orderNum,
    });
    const again = await pay(second, key, orderNum, amountDue);
    expect(again.data!.submitPayment).toMatchObject({
      __typename: 'PaymentSuccess',
      settledByReading: true,
      replayed: true,
    });
    expect(await executions()).toBe(before + 1);
    expect((await sandboxStats(sb)).commands.payment_request).toBe(seen + 1);
    console.log(
      `[figures] kill -9: restart ${restartMs} ms; first retry answered in ${earlyMs} ms (lease 2 s); payment_request executions ${(await executions()) - before}`,
    );
  });

  it('SIGTERM mid-poll: new requests 503, a read cut after the grace, the payment answered and logged, exit 0; the key replays after a restart', async () => {
    const gw = await startGateway({ SHUTDOWN_GRACE_MS: '1000' });
    const { orderNum, amountDue } = await heldAndCheckedOut(gw, samplesOf(sb).homeEvents[11]);
    const key = newKey();
    const before = await executions();
    const seen = await received();
    const paying = pay(gw, key, orderNum, amountDue);
    // A read that needs 10 s of sandbox time (ats_ext_test_polling): still running at SIGTERM.
    const reading = gw.exec(`{ upstream { pollingTest { completed } } }`).then(
      (r) => ({ answered: r }),
      (e: unknown) => ({ cut: e }),
    );
    await paymentReceived(sb, seen, sandboxStats);
    const signalledAt = Date.now();
    gw.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    const refused = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ __typename }"}',
    }).then(
      (r) => r.status,
      () => 'connection refused',
    );
    expect([503, 'connection refused']).toContain(refused);
    // Past the 1 s grace the read is cut; the payment keeps polling.
    expect(await reading).toHaveProperty('cut');
    expect(gw.child.exitCode).toBeNull();

    await advanceSandboxClock(sb, PAYMENT_MS + 1_000);
    const paid = await paying;
    expect(paid.data!.submitPayment).toMatchObject({
      __typename: 'PaymentSuccess',
      replayed: false,
      settledByReading: false,
    });
    const exit = await gw.exited;
    const drainMs = Date.now() - signalledAt;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(gw.logged('shutdown: write finished')).toEqual([
      expect.objectContaining({ idempotencyKey: key, state: 'done', outcome: 'paid', orderNum }),
    ]);
    expect(gw.logged(/write outcome unknown at exit/)).toEqual([]);
    expect(await executions()).toBe(before + 1);

    const next = await startGateway();
    const replay = await pay(next, key, orderNum, amountDue);
    expect(replay.data!.submitPayment).toMatchObject({
      __typename: 'PaymentSuccess',
      replayed: true,
      confirmationNumber: paid.data!.submitPayment.confirmationNumber,
    });
    expect(await executions()).toBe(before + 1);
    console.log(
      `[figures] SIGTERM: exit 0 ${drainMs} ms after the signal, after the payment's outcome (grace 1 s)`,
    );
  });
});
