/**
 * Issue 13, "stale means at once" and "one deadline per operation", at the client:
 * - a read with a fallback (RunOptions.failFast) takes a slot only at once and is never re-sent or
 *   re-polled after a refusal or a lost answer: the first refusal is its answer (the cache then
 *   serves its stale copy);
 * - a read's deadline is its caller's (the operation's) when given, and lost answers cut short by
 *   it end as UPSTREAM_TIMEOUT.
 * Counted at the stub (POSTs) and on a stepping clock (no wall-clock time).
 */
import { sequence, useStubbedClient } from '../support/stubbed-client.js';
import { describe, expect, it } from 'vitest';
import {
  ProtocolError,
  RateLimitedError,
  UnavailableError,
  UpstreamTimeoutError,
} from '../../src/archtics/errors.js';
import { FAIL_FAST_SLOT_WAIT_MS } from '../../src/archtics/polling.js';
import { fault, okAnswer, pollingProgram, type StubReply } from '../support/archtics-stub.js';
import { customerAdd, failure, ping, pollingTest } from '../support/archtics-fixtures.js';

// random 0.99: backoffs near their ceilings (198, 396, 792 ms).
const setup = useStubbedClient({ random: () => 0.99 });

describe('a read with a fallback (failFast)', () => {
  it('asks the budget for a slot at once only (startBy), and a read without one waits as before', async () => {
    const { client, limiter, clock } = await setup((req) => okAnswer(req));
    const t0 = clock.now();
    await client.run(ping, {}, { failFast: true });
    await client.run(ping, {});
    expect(limiter.acquires.map((a) => a.startBy)).toEqual([
      t0 + FAIL_FAST_SLOT_WAIT_MS,
      undefined,
    ]);
  });

  it.each([
    [
      'a 429 (whatever its Retry-After)',
      fault(429, 'QuotaMinute', { retryAfterSeconds: 2 }),
      RateLimitedError,
    ],
    ['a 503', fault(503, 'Unavailable'), UnavailableError],
    ['a dropped connection', { drop: true } as StubReply, UnavailableError],
  ] as const)(
    'is not re-sent after %s: one POST, no wait, the refusal as is',
    async (_label, reply, type) => {
      const { client, stub, clock } = await setup(sequence(reply, (req) => okAnswer(req)));
      expect(await failure(client.run(ping, {}, { failFast: true }))).toBeInstanceOf(type);
      expect(stub.requests).toHaveLength(1);
      expect(clock.sleeps).toEqual([]);
    },
  );

  it('a broken answer (an HTML page) is a ProtocolError at once', async () => {
    const { client, stub } = await setup(
      sequence({
        status: 200,
        body: '<html>maintenance</html>',
        headers: { 'content-type': 'text/html' },
      }),
    );
    expect(await failure(client.run(ping, {}, { failFast: true }))).toBeInstanceOf(ProtocolError);
    expect(stub.requests).toHaveLength(1);
  });

  it('an accepted read is polled, but a refused poll ends it at once (no re-poll after its Retry-After)', async () => {
    const program = pollingProgram({ pending: 3 });
    const { client, stub, limiter } = await setup((req) =>
      req.index === 1 ? fault(429, 'QuotaMinute', { retryAfterSeconds: 2 }) : program(req),
    );
    expect(await failure(client.run(pollingTest, {}, { failFast: true }))).toBeInstanceOf(
      RateLimitedError,
    );
    expect(stub.requests).toHaveLength(2);
    expect(limiter.acquires.map((a) => [a.priority, a.startBy !== undefined])).toEqual([
      ['read', true],
      ['poll', true],
    ]);
  });

  it('a write is never fail-fast: it waits and is polled as before', async () => {
    const program = pollingProgram({ pending: 1 });
    const { client, limiter } = await setup((req) =>
      req.index === 1 ? fault(429, 'QuotaMinute', { retryAfterSeconds: 2 }) : program(req),
    );
    await client.run(customerAdd, {}, { failFast: true });
    expect(limiter.acquires.every((a) => a.startBy === undefined)).toBe(true);
  });
});

describe("a read's deadline", () => {
  it("is the caller's when given (a GraphQL operation's: src/context.ts), else its own", async () => {
    const { client, limiter, clock } = await setup((req) => okAnswer(req));
    const t0 = clock.now();
    await client.run(ping, {}, { deadline: t0 + 5_000 });
    await client.run(ping, {});
    expect(limiter.acquires.map((a) => a.deadline)).toEqual([t0 + 5_000, t0 + 30_000]);
  });

  it("already past when the read starts (its operation's earlier reads took the time): RATE_LIMITED at once, nothing asked or sent", async () => {
    // Bench suite 4: a dashboard's seats_sold began when its customer_query had used the whole
    // operation deadline waiting for budget, and failed UPSTREAM_TIMEOUT though nothing was sent.
    const { client, limiter, stub, clock } = await setup((req) => okAnswer(req));
    const err = await failure(client.run(ping, {}, { deadline: clock.now() }));
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err).toMatchObject({ code: 'RATE_LIMITED', source: 'budget', retryAfterSeconds: 1 });
    expect(limiter.acquires).toHaveLength(0);
    expect(stub.requests).toHaveLength(0);
  });

  it('lost answers cut short by it end as UPSTREAM_TIMEOUT, with no attempt past it', async () => {
    // Every answer lost; backoffs 198 then 396 ms: the second retry would pass a 500 ms deadline.
    const { client, stub, clock } = await setup(sequence({ drop: true }));
    const t0 = clock.now();
    const err = await failure(client.run(ping, {}, { deadline: t0 + 500 }));
    expect(err).toBeInstanceOf(UpstreamTimeoutError);
    expect(err).toMatchObject({ code: 'UPSTREAM_TIMEOUT', outcomeUnknown: false });
    expect(stub.requests).toHaveLength(2);
    expect(clock.now()).toBeLessThan(t0 + 500);
  });

  it('bounds the polls of an accepted read', async () => {
    const { client, clock } = await setup(pollingProgram({ pending: 100 }));
    const t0 = clock.now();
    expect(await failure(client.run(pollingTest, {}, { deadline: t0 + 2_000 }))).toBeInstanceOf(
      UpstreamTimeoutError,
    );
    expect(clock.now()).toBe(t0 + 2_000);
  });
});
