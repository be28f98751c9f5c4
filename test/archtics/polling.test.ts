import { useStubbedClient } from '../support/stubbed-client.js';
import { describe, expect, it } from 'vitest';
import { createArchticsClient } from '../../src/archtics/client.js';
import { UnavailableError, UpstreamTimeoutError } from '../../src/archtics/errors.js';
import { nextPollInterval, pollWaitMs } from '../../src/archtics/polling.js';
import { newTrace } from '../../src/archtics/types.js';
import { ManualClock } from '../../src/clock.js';
import { fault, okAnswer, pollingProgram, startArchticsStub } from '../support/archtics-stub.js';
import {
  RecordingLimiter,
  customerAdd,
  failure,
  pollingTest,
  testConfig,
} from '../support/archtics-fixtures.js';

const setup = useStubbedClient();

describe('polling an accepted command', () => {
  it('sends back every cookie of the 202 (CID, QTKN and the extra SID) and the identical body bytes until the 200', async () => {
    const program = pollingProgram({
      pending: 3,
      result: (req) => okAnswer(req, { acct_id: 100480, cust_name_id: 7 }),
    });
    const { client, limiter, stub } = await setup(program);
    const trace = newTrace();
    const out = await client.run(
      customerAdd,
      { pin: '1234', customer: { name_first: 'Ada' } },
      { trace },
    );

    expect(out).toMatchObject({ acct_id: 100480 });
    expect(stub.requests).toHaveLength(5);
    expect(program.newCommands).toBe(1); // the stub would have executed a cookie-less POST again
    expect(program.bodyMismatches).toBe(0);
    expect(new Set(stub.requests.map((r) => r.rawBody)).size).toBe(1);
    expect(stub.requests[0].cookies).toEqual({});
    for (const poll of stub.requests.slice(1))
      expect(poll.cookies).toEqual({ CID: 'cmd-7781', QTKN: 'q-19', SID: 'sess-42' });
    expect(trace).toMatchObject({ calls: 1, polls: 4, retries: 0 });
    // The first send competes as a write; every poll goes first in the budget queue.
    expect(limiter.acquires.map((a) => a.priority)).toEqual([
      'write',
      'poll',
      'poll',
      'poll',
      'poll',
    ]);
  });

  it("keeps one jar per command: a second command starts without the first one's cookies", async () => {
    const program = pollingProgram({ pending: 0 });
    const { client, stub } = await setup((req) => (req.index < 2 ? program(req) : okAnswer(req)));
    await client.run(pollingTest, {});
    await client.run(pollingTest, {});
    expect(stub.requests[2].cookies).toEqual({});
  });

  it('waits 300 ms before the first poll, then ×1.5 per poll, capped at pollMaxIntervalMs', async () => {
    const { client, clock, stub } = await setup(pollingProgram({ pending: 9 }));
    await client.run(pollingTest, {});
    const expected = [300, 450, 675, 1012.5, 1518.75, 2278.125, 3000, 3000, 3000, 3000];
    expect(clock.sleeps).toEqual(expected);
    // The stub saw the same spacing on the injected clock.
    const gaps = stub.requests.slice(1).map((r, i) => r.at - stub.requests[i].at);
    expect(gaps).toEqual(expected);
    expect(nextPollInterval(2500, { pollBackoff: 1.5, pollMaxIntervalMs: 3000 })).toBe(3000);
  });

  it('tells the planner, with the first send, how long its polls must wait: the same spacing (a slot free now is not a poll that may go now)', async () => {
    const { client, clock, limiter } = await setup(pollingProgram({ pending: 9 }));
    await client.run(pollingTest, {});
    const [first, ...polls] = limiter.acquires;
    expect(polls.every((p) => p.priority === 'poll' && p.pollWaitMs === undefined)).toBe(true);
    const waits = [1, 2, 3, 10].map((n) => first.pollWaitMs!(n));
    const sum = (n: number) => clock.sleeps.slice(0, n).reduce((a, b) => a + b, 0);
    expect(waits).toEqual([sum(1), sum(2), sum(3), sum(10)]);
    expect(pollWaitMs(2, { pollInitialMs: 300, pollBackoff: 1.5, pollMaxIntervalMs: 1500 })).toBe(
      750,
    );
  });

  it.each([
    ['a write', true, customerAdd],
    ['a read', false, pollingTest],
  ] as const)(
    'gives up %s at pollTimeoutMs with UpstreamTimeoutError (outcomeUnknown %s)',
    async (_label, unknown, def) => {
      const { client, clock, stub } = await setup(pollingProgram({ pending: 10_000 }), {
        pollTimeoutMs: 5_000,
      });
      const started = clock.now();
      const err = await failure(client.run(def, {}));
      expect(err).toBeInstanceOf(UpstreamTimeoutError);
      expect((err as UpstreamTimeoutError).outcomeUnknown).toBe(unknown);
      expect(clock.now() - started).toBe(5_000);
      // 300+450+675+1012.5+1518.75 = 3956.25, then the last poll at exactly 5000.
      expect(stub.requests).toHaveLength(7);
    },
  );

  it('a read polls no longer than its deadline', async () => {
    const { client, clock, stub } = await setup(pollingProgram({ pending: 10_000 }), {
      readDeadlineMs: 2_000,
    });
    const started = clock.now();
    const err = await failure(client.run(pollingTest, {}));
    expect(err).toBeInstanceOf(UpstreamTimeoutError);
    expect(clock.now() - started).toBe(2_000);
    expect(stub.requests.length).toBeLessThan(7);
  });

  it('re-polls with the same cookies after a 429, waiting its Retry-After and pausing the limiter', async () => {
    const program = pollingProgram({ pending: 1 });
    const { client, clock, limiter, stub } = await setup((req) =>
      req.index === 1 ? fault(429, 'QuotaMinute', { retryAfterSeconds: 2 }) : program(req),
    );
    await client.run(customerAdd, {});
    expect(limiter.pauses).toEqual([2_000]);
    expect(clock.sleeps).toEqual([300, 2_000, 450]);
    expect(stub.requests).toHaveLength(4);
    expect(program.newCommands).toBe(1);
    expect(stub.requests[2].cookies.CID).toBe('cmd-7781');
  });

  it('re-polls with the same cookies after a 503', async () => {
    const program = pollingProgram({ pending: 0 });
    const { client, stub } = await setup((req) =>
      req.index === 1 ? fault(503, 'Unavailable') : program(req),
    );
    const trace = newTrace();
    await client.run(customerAdd, {}, { trace });
    expect(stub.requests).toHaveLength(3);
    expect(program.newCommands).toBe(1);
    expect(trace).toMatchObject({ calls: 1, polls: 2, retries: 0 });
  });

  it('never re-polls a write whose poll answer was lost (its cookies may be dead): outcome unknown', async () => {
    const program = pollingProgram({ pending: 5 });
    const { client, stub } = await setup((req) =>
      req.index === 1 ? { drop: true } : program(req),
    );
    const err = await failure(client.run(customerAdd, {}));
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as UnavailableError).outcomeUnknown).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(stub.requests).toHaveLength(2);
  });

  it('never re-polls a write whose poll timed out: UpstreamTimeoutError with outcome unknown', async () => {
    const program = pollingProgram({ pending: 5 });
    const { client, stub } = await setup(
      (req) => (req.index === 1 ? { hang: true } : program(req)),
      { requestTimeoutMs: 300 },
    );
    const err = await failure(client.run(customerAdd, {}));
    expect(err).toBeInstanceOf(UpstreamTimeoutError);
    expect((err as UpstreamTimeoutError).outcomeUnknown).toBe(true);
    expect(stub.requests).toHaveLength(2);
  });

  it('re-polls a read whose poll answer was lost, with its cookies, and counts a retry', async () => {
    const program = pollingProgram({ pending: 1 });
    const { client, stub } = await setup((req) =>
      req.index === 1 ? { drop: true } : program(req),
    );
    const trace = newTrace();
    const out = await client.run(pollingTest, {}, { trace });
    expect(out).toMatchObject({ result: 0 });
    expect(stub.requests).toHaveLength(4);
    expect(program.newCommands).toBe(1);
    expect(trace).toMatchObject({ calls: 1, polls: 3, retries: 1 });
  });
});

describe('cancelling a poll loop', () => {
  it('an abort during the wait between polls rejects at once with the reason and sends nothing more', async () => {
    const clock = new ManualClock();
    const stub = setup.adopt(
      await startArchticsStub({ handler: pollingProgram({ pending: 100 }), clock }),
    );
    const client = createArchticsClient({
      config: testConfig(stub.baseUrl),
      limiter: new RecordingLimiter(),
      clock,
    });
    const controller = new AbortController();
    const running = failure(client.run(pollingTest, {}, { signal: controller.signal }));
    for (let i = 0; i < 400 && clock.pending === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(clock.pending).toBe(1); // parked in the 300 ms wait after the 202
    const reason = new Error('caller went away');
    controller.abort(reason);
    expect(await running).toBe(reason);
    await clock.advance(10_000);
    expect(stub.requests).toHaveLength(1);
  });

  it('an abort while a poll is in flight ends the loop with no further POST', async () => {
    const controller = new AbortController();
    const program = pollingProgram({ pending: 100 });
    const { client, stub } = await setup((req) => {
      if (req.index === 3) controller.abort(new Error('stop'));
      return program(req);
    });
    const err = await failure(client.run(customerAdd, {}, { signal: controller.signal }));
    expect((err as Error).message).toBe('stop');
    await new Promise((r) => setTimeout(r, 50));
    expect(stub.requests).toHaveLength(4);
  });

  it('close() ends commands in flight with UnavailableError', async () => {
    const clock = new ManualClock();
    const stub = setup.adopt(
      await startArchticsStub({ handler: pollingProgram({ pending: 100 }), clock }),
    );
    const client = createArchticsClient({
      config: testConfig(stub.baseUrl),
      limiter: new RecordingLimiter(),
      clock,
    });
    const running = failure(client.run(pollingTest, {}));
    for (let i = 0; i < 400 && clock.pending === 0; i++) await new Promise((r) => setTimeout(r, 5));
    await client.close();
    expect(await running).toBeInstanceOf(UnavailableError);
    expect(await failure(client.run(pollingTest, {}))).toBeInstanceOf(UnavailableError);
    expect(stub.requests).toHaveLength(1);
  });
});
