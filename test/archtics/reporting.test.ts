import { useStubbedClient } from '../support/stubbed-client.js';
import { describe, expect, it } from 'vitest';
import { createArchticsClient } from '../../src/archtics/client.js';
import { backoffDelay, mayRepoll, mayResend } from '../../src/archtics/retry.js';
import { retryAfterMs } from '../../src/archtics/envelope.js';
import { fault, okAnswer, pollingProgram, startArchticsStub } from '../support/archtics-stub.js';
import {
  RecordingLimiter,
  customerAdd,
  failure,
  ping,
  pollingTest,
  testConfig,
} from '../support/archtics-fixtures.js';

const setup = useStubbedClient({ logged: true });

describe('one report per upstream command', () => {
  it('a polled command reports its attempts, polls and clock duration once, and logs one debug line', async () => {
    const { client, events, lines } = await setup(pollingProgram({ pending: 2 }));
    await client.run(pollingTest, {}, { requestId: 'op-1', ref: 'r-9' });
    expect(events).toEqual([
      {
        command: 'ats_ext_test_polling',
        product: 'sth-customer',
        kind: 'read',
        status: 200,
        attempts: 1,
        polls: 3,
        durationMs: 300 + 450 + 675,
        outcome: 'ok',
      },
    ]);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({
      level: 20,
      command: 'ats_ext_test_polling',
      product: 'sth-customer',
      status: 200,
      attempts: 1,
      polls: 3,
      durationMs: 1425,
      requestId: 'op-1',
      ref: 'r-9',
    });
  });

  it('a failure reports the error code and logs one warn line with the outcome flag', async () => {
    const { client, events, lines } = await setup(() => ({ drop: true }));
    await failure(client.run(customerAdd, {}, { requestId: 'op-2' }));
    expect(events).toEqual([
      expect.objectContaining({
        status: 'network',
        attempts: 1,
        outcome: 'error',
        errorCode: 'UPSTREAM_UNAVAILABLE',
      }),
    ]);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({
      level: 40,
      requestId: 'op-2',
      outcomeUnknown: true,
      errorCode: 'UPSTREAM_UNAVAILABLE',
    });
  });

  it('a poll loop that gives up reports status "timeout"', async () => {
    const { client, events } = await setup(pollingProgram({ pending: 1_000 }), {
      pollTimeoutMs: 1_000,
    });
    await failure(client.run(pollingTest, {}));
    // Waits of 300, 450; a third poll 250 ms later, at the 1 s limit, would break the protocol's
    // spacing (≥ 300 ms between polls): it gives up at 750 ms instead.
    expect(events[0]).toMatchObject({
      status: 'timeout',
      errorCode: 'UPSTREAM_TIMEOUT',
      polls: 2,
      durationMs: 750,
    });
  });

  it('an aborted command reports ABORTED', async () => {
    const { client, events } = await setup((req) => okAnswer(req));
    const c = new AbortController();
    c.abort();
    await failure(client.run(ping, {}, { signal: c.signal }));
    expect(events[0]).toMatchObject({ outcome: 'error', errorCode: 'ABORTED', status: 'none' });
  });

  it('a throwing metrics hook does not fail the command', async () => {
    const stub = setup.adopt(await startArchticsStub({ handler: (req) => okAnswer(req) }));
    const client = createArchticsClient({
      config: testConfig(stub.baseUrl),
      limiter: new RecordingLimiter(),
      onUpstreamCall: () => {
        throw new Error('metrics bug');
      },
    });
    await expect(client.run(ping, {})).resolves.toMatchObject({ cmd: 'ping' });
  });

  it('reports 429 with its status', async () => {
    const { client, events } = await setup(() =>
      fault(429, 'QuotaDay', { retryAfterSeconds: 3600 }),
    );
    await failure(client.run(customerAdd, {}));
    expect(events[0]).toMatchObject({ status: 429, errorCode: 'RATE_LIMITED' });
  });
});

describe('retry rules', () => {
  it('full-jitter backoff stays below 200 ms × 2^(n-1), capped', () => {
    expect([1, 2, 3].map((n) => backoffDelay(n, undefined, () => 0.999999))).toEqual([
      199, 399, 799,
    ]);
    expect(backoffDelay(1, undefined, () => 0)).toBe(0);
    expect(backoffDelay(20, undefined, () => 0.5)).toBe(2_500);
  });

  it('a write is re-sent only when nothing was sent; a read after any transient failure', () => {
    const h = new Headers();
    const response = (status: number) => ({
      type: 'response' as const,
      status,
      headers: h,
      body: '',
      cutShort: false,
    });
    expect(mayResend('write', { type: 'network', sent: false, code: 'ECONNREFUSED' })).toBe(true);
    expect(mayResend('write', { type: 'network', sent: true, code: 'UND_ERR_SOCKET' })).toBe(false);
    expect(mayResend('write', { type: 'timeout' })).toBe(false);
    expect(mayResend('write', response(503))).toBe(false);
    expect(mayResend('read', response(503))).toBe(true);
    expect(mayResend('read', response(429))).toBe(true);
    expect(mayResend('read', response(401))).toBe(false);
    expect(mayResend('read', { type: 'timeout' })).toBe(true);
    expect(mayRepoll('write', response(429))).toBe('transient');
    expect(mayRepoll('write', { type: 'timeout' })).toBe(false);
    expect(mayRepoll('read', { type: 'timeout' })).toBe('lost');
  });

  it('reads Retry-After as whole seconds or an HTTP date', () => {
    const now = Date.UTC(2026, 10, 29, 12, 0, 0);
    expect(retryAfterMs('7', now)).toBe(7_000);
    expect(retryAfterMs(new Date(now + 4_000).toUTCString(), now)).toBe(4_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});
