import { sequence, useStubbedClient } from '../support/stubbed-client.js';
import { describe, expect, it } from 'vitest';
import { createArchticsClient, type UpstreamCallEvent } from '../../src/archtics/client.js';
import {
  ArchticsCommandError,
  ProtocolError,
  RateLimitedError,
  SetupError,
  UnauthorizedError,
  UnavailableError,
  UpstreamTimeoutError,
} from '../../src/archtics/errors.js';
import { newTrace } from '../../src/archtics/types.js';
import { fault, okAnswer, refusedPort } from '../support/archtics-stub.js';
import {
  RecordingLimiter,
  SteppingClock,
  customerAdd,
  customerQuery,
  failure,
  localDef,
  paymentRequest,
  ping,
  testConfig,
} from '../support/archtics-fixtures.js';

const setup = useStubbedClient();

/** Lets a stray late request show up before counting. */
const settle = () => new Promise((r) => setTimeout(r, 50));

describe('401 and 404', () => {
  it('401 is UnauthorizedError with the fault code, never retried even for a read', async () => {
    const { client, stub } = await setup(
      sequence(fault(401, 'InvalidApiKey', { faultstring: 'Invalid ApiKey' })),
    );
    const err = await failure(client.run(ping, {}));
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect(err).toMatchObject({
      faultCode: 'InvalidApiKey',
      status: 401,
      command: 'ping',
      code: 'UPSTREAM_UNAUTHORIZED',
    });
    expect((err as Error).message).toContain('Invalid ApiKey');
    expect(stub.requests).toHaveLength(1);
  });

  it('404 is SetupError with the fault code, not retried', async () => {
    const { client, stub } = await setup(sequence(fault(404, 'UnknownDsn')));
    const err = await failure(client.run(ping, {}));
    expect(err).toBeInstanceOf(SetupError);
    expect(err).toMatchObject({ faultCode: 'UnknownDsn', status: 404 });
    expect(stub.requests).toHaveLength(1);
  });
});

describe('429', () => {
  it('a read waits the Retry-After, tells the limiter to pause, and retries', async () => {
    const { client, stub, clock, limiter } = await setup(
      sequence(fault(429, 'QuotaMinute', { retryAfterSeconds: 2 }), (req) => okAnswer(req)),
    );
    const trace = newTrace();
    await client.run(ping, {}, { trace });
    expect(limiter.pauses).toEqual([2_000]);
    expect(clock.sleeps).toEqual([2_000]);
    expect(stub.requests[1].at - stub.requests[0].at).toBe(2_000);
    expect(stub.requests).toHaveLength(2);
    expect(trace).toMatchObject({ calls: 2, retries: 1, polls: 0 });
  });

  it('a read whose Retry-After passes its deadline fails at once with RateLimitedError', async () => {
    const { client, stub, clock, limiter } = await setup(
      sequence(fault(429, 'QuotaMinute', { retryAfterSeconds: 5 })),
      { readDeadlineMs: 3_000 },
    );
    const err = await failure(client.run(ping, {}));
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err).toMatchObject({ source: 'upstream', retryAfterSeconds: 5, status: 429 });
    expect(limiter.pauses).toEqual([5_000]);
    expect(clock.sleeps).toEqual([]);
    expect(stub.requests).toHaveLength(1);
  });

  it('a write is not re-sent after a 429: RateLimitedError to the caller', async () => {
    const { client, stub, limiter } = await setup(
      sequence(fault(429, 'QuotaDay', { retryAfterSeconds: 60 })),
    );
    const err = await failure(client.run(customerAdd, {}));
    expect(err).toMatchObject({ source: 'upstream', retryAfterSeconds: 60 });
    expect(limiter.pauses).toEqual([60_000]);
    await settle();
    expect(stub.requests).toHaveLength(1);
  });
});

describe('503, timeouts and lost connections', () => {
  it('a read is retried after 503s with jittered exponential backoff and succeeds', async () => {
    const unavailable = fault(503, 'Unavailable');
    const { client, stub, clock } = await setup(
      sequence(unavailable, unavailable, (req) => okAnswer(req)),
      {},
      () => 0.5,
    );
    const trace = newTrace();
    await client.run(customerQuery, {}, { trace });
    expect(stub.requests).toHaveLength(3);
    expect(clock.sleeps).toEqual([100, 200]); // half of 200 ms, then half of 400 ms
    expect(trace).toMatchObject({ calls: 3, retries: 2 });
  });

  it('a read gives up after 4 attempts with UnavailableError', async () => {
    const { client, stub, events } = await setup(
      sequence(fault(503, 'Unavailable')),
      {},
      () => 0.99,
    );
    const err = await failure(client.run(ping, {}));
    expect(err).toBeInstanceOf(UnavailableError);
    expect(stub.requests).toHaveLength(4);
    expect(events[0]).toMatchObject({
      attempts: 4,
      status: 503,
      outcome: 'error',
      errorCode: 'UPSTREAM_UNAVAILABLE',
    });
  });

  it('a read is not retried past its deadline', async () => {
    // Backoffs of 198 then 396 ms: the second would end past a 500 ms deadline.
    const { client, stub } = await setup(
      sequence(fault(503, 'Unavailable')),
      { readDeadlineMs: 500 },
      () => 0.99,
    );
    expect(await failure(client.run(ping, {}))).toBeInstanceOf(UnavailableError);
    expect(stub.requests).toHaveLength(2);
  });

  it('a read is retried after a request timeout and after a dropped connection', async () => {
    const { client, stub } = await setup(
      sequence({ hang: true }, { drop: true }, (req) => okAnswer(req)),
      { requestTimeoutMs: 300 },
    );
    const trace = newTrace();
    await client.run(ping, {}, { trace });
    expect(stub.requests).toHaveLength(3);
    expect(trace.retries).toBe(2);
  });

  it("a body that stalls after the headers times out too: a read is retried, a write's outcome is unknown", async () => {
    const { client, stub, events } = await setup(
      sequence({ stall: '{"command1":' }, (req) => okAnswer(req)),
      { requestTimeoutMs: 300 },
    );
    await client.run(ping, {});
    expect(stub.requests).toHaveLength(2);
    stub.handle(() => ({ stall: '{"command1":' }));
    const err = await failure(client.run(customerAdd, {}));
    expect(err).toBeInstanceOf(UpstreamTimeoutError);
    expect((err as UpstreamTimeoutError).outcomeUnknown).toBe(true);
    expect(events[1]).toMatchObject({ attempts: 1, status: 'timeout' });
    expect(stub.requests).toHaveLength(3);
  });

  it('a read that times out every time ends in UpstreamTimeoutError with a known outcome', async () => {
    const { client, events } = await setup(
      sequence({ hang: true }),
      { requestTimeoutMs: 300 },
      () => 0,
    );
    const err = await failure(client.run(ping, {}));
    expect(err).toBeInstanceOf(UpstreamTimeoutError);
    expect((err as UpstreamTimeoutError).outcomeUnknown).toBe(false);
    // Counted client-side: a request that timed out may not even have reached the stub yet.
    expect(events[0]).toMatchObject({ attempts: 4, status: 'timeout' });
  });

  it.each([
    ['503', fault(503, 'Unavailable'), UnavailableError, false],
    ['a dropped connection', { drop: true } as const, UnavailableError, true],
    ['a request timeout', { hang: true } as const, UpstreamTimeoutError, true],
  ] as const)(
    'a write is never re-sent after %s (exactly one POST)',
    async (_label, reply, type, unknown) => {
      // A tight timeout only where the stub hangs: elsewhere a slow, loaded machine must not time out.
      const { client, stub, events } = await setup(sequence(reply), {
        requestTimeoutMs: 'hang' in reply ? 300 : 5_000,
      });
      const err = await failure(client.run(paymentRequest, { order_num: 1 }));
      expect(err).toBeInstanceOf(type);
      expect((err as UnavailableError | UpstreamTimeoutError).outcomeUnknown).toBe(unknown);
      await settle();
      expect(stub.requests).toHaveLength(1);
      expect(events[0]).toMatchObject({ attempts: 1, kind: 'write', outcome: 'error' });
    },
  );

  it('connection refused (nothing sent) is retried for reads and writes, and its outcome is known', async () => {
    const port = await refusedPort();
    for (const def of [ping, customerAdd]) {
      const events: UpstreamCallEvent[] = [];
      const client = createArchticsClient({
        config: testConfig(`http://127.0.0.1:${port}`),
        limiter: new RecordingLimiter(),
        clock: new SteppingClock(),
        onUpstreamCall: (e) => events.push(e),
      });
      const err = await failure(client.run(def, {}));
      expect(err).toBeInstanceOf(UnavailableError);
      expect((err as UnavailableError).outcomeUnknown).toBe(false);
      expect((err as Error).message).toContain('ECONNREFUSED');
      expect(events[0]).toMatchObject({ attempts: 4, status: 'network' });
    }
  });
});

describe('200 answers the protocol does not allow', () => {
  it.each([
    ['not JSON', { status: 200, body: '<html>oops</html>' }],
    ['empty', { status: 200, body: '' }],
    ['cut short', { cut: '{"command1":{"cmd":"ping","res' }],
    ['JSON but not an object', { status: 200, body: '[1,2]' }],
  ] as const)(
    "a 200 whose body is %s is a ProtocolError; a write's outcome is then unknown",
    async (_label, reply) => {
      const { client, stub } = await setup(sequence(reply));
      const read = await failure(client.run(ping, {}));
      expect(read).toBeInstanceOf(ProtocolError);
      expect((read as ProtocolError).outcomeUnknown).toBe(false);
      const write = await failure(client.run(customerAdd, {}));
      expect(write).toBeInstanceOf(ProtocolError);
      expect((write as ProtocolError).outcomeUnknown).toBe(true);
      expect(stub.requests).toHaveLength(2); // neither retried
    },
  );

  it.each([1, 2, 3])(
    'header.result %i is a ProtocolError carrying it (the envelope was refused: nothing ran)',
    async (code) => {
      const { client } = await setup((req) =>
        okAnswer(req, {}, { headerResult: code, omitCommand1: true }),
      );
      const err = await failure(client.run(customerAdd, {}));
      expect(err).toBeInstanceOf(ProtocolError);
      expect(err).toMatchObject({ headerResult: code, outcomeUnknown: false });
    },
  );

  it('a 200 without command1 is a ProtocolError', async () => {
    const { client } = await setup((req) => okAnswer(req, {}, { omitCommand1: true }));
    const err = await failure(client.run(ping, {}));
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toContain('no command1');
  });

  it("command1.result != 0 surfaces the def's ArchticsCommandError, not retried", async () => {
    const { client, stub } = await setup((req) =>
      okAnswer(req, { result: 5024, sql_code: 100, error_detail: 'Customer not found' }),
    );
    const err = await failure(client.run(customerQuery, {}));
    expect(err).toBeInstanceOf(ArchticsCommandError);
    expect(err).toMatchObject({ result: 5024, sqlCode: 100 });
    expect(stub.requests).toHaveLength(1);
  });

  it('a parser that crashes on an odd answer yields a ProtocolError, not a TypeError', async () => {
    const def = {
      ...localDef('customer_add'),
      parse: (): never => {
        throw new TypeError('cannot read acct_id');
      },
    };
    const { client } = await setup((req) => okAnswer(req));
    const err = await failure(client.run(def, {}));
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).outcomeUnknown).toBe(true);
  });

  it('an unexpected status is a ProtocolError; a 5xx on a write leaves its outcome unknown', async () => {
    const { client } = await setup(
      sequence({ status: 500, body: 'boom' }, { status: 400, body: '' }),
    );
    expect(await failure(client.run(customerAdd, {}))).toMatchObject({
      code: 'UPSTREAM_PROTOCOL_ERROR',
      status: 500,
      outcomeUnknown: true,
    });
    expect(await failure(client.run(customerAdd, {}))).toMatchObject({
      status: 400,
      outcomeUnknown: false,
    });
  });
});

describe('the budget gate', () => {
  it("acquires before every POST with the command kind's priority and the read deadline", async () => {
    const { client, limiter, clock } = await setup((req) => okAnswer(req));
    const t0 = clock.now();
    await client.run(ping, {});
    await client.run(customerAdd, {});
    await client.run(customerAdd, {}, { deadline: t0 + 1234 });
    expect(limiter.acquires.map((a) => [a.priority, a.command, a.deadline])).toEqual([
      ['read', 'ping', t0 + 30_000],
      ['write', 'customer_add', undefined],
      ['write', 'customer_add', t0 + 1234],
    ]);
  });

  it('a budget refusal reaches the caller as is and nothing is sent', async () => {
    const { client, limiter, stub, events } = await setup((req) => okAnswer(req));
    limiter.refuseWith = new RateLimitedError('budget exhausted', 12, 'budget');
    const err = await failure(client.run(ping, {}));
    expect(err).toBe(limiter.refuseWith);
    expect(stub.requests).toHaveLength(0);
    expect(events[0]).toMatchObject({ status: 'none', attempts: 0, errorCode: 'RATE_LIMITED' });
  });

  it('a deadline already past sends nothing (a read refused at once: RATE_LIMITED, as the planner refuses one it cannot finish)', async () => {
    const { client, stub, clock } = await setup((req) => okAnswer(req));
    const err = await failure(client.run(ping, {}, { deadline: clock.now() - 1 }));
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(stub.requests).toHaveLength(0);
  });

  it('an abort while queued for budget sends nothing and rejects with the reason', async () => {
    const { client, stub } = await setup((req) => okAnswer(req));
    const controller = new AbortController();
    const reason = new Error('gone');
    controller.abort(reason);
    expect(await failure(client.run(ping, {}, { signal: controller.signal }))).toBe(reason);
    expect(stub.requests).toHaveLength(0);
  });
});
