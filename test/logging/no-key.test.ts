/**
 * Structured logs through the real gateway, the real command client and the sandbox, with a
 * distinctive API key and a logger at level trace writing to memory: every line is JSON, each
 * operation has one line carrying the request id the client got in x-request-id, each upstream
 * command has a line (command, product, status, attempts, polls, duration) with the same id —
 * and the key is nowhere: not in a log line, a response body, or an error's extensions. Runs
 * succeed and fail (401 wrong key, 503, 429, broken JSON, timeouts, 202 polling).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import type { FaultRule, RunningSandbox } from '../../src/sandbox/index.js';
import { readMultipart } from '../defer/multipart.js';
import { startTestSandbox, TestGateway } from '../graphql/harness.js';
import { MemoryLog } from '../support/memory-log.js';
import { samplesOf } from '../support/worlds.js';

const KEY = `k3y-SECRET-${randomBytes(12).toString('hex')}`;
const WRONG_KEY = `k3y-SECRET-wrong-${randomBytes(12).toString('hex')}`;

/** Fast failures: one attempt times out after 300 ms, a read gives up after 5 s. */
const ENV = { ARCHTICS_REQUEST_TIMEOUT_MS: '300', ARCHTICS_READ_DEADLINE_MS: '5000' };
/** The sandbox accepts KEY; get_avail_seats is slow enough to be answered 202 and polled. */
const SANDBOX = { apiKey: KEY, serviceTimeMs: { get_avail_seats: 1_000 }, asyncThresholdMs: 500 };

// ping is never cached: every fault below reaches the sandbox.
const PING = 'query Health { upstream { ping { systemAvailable dbName } } }';
const oneEvent = (name: string) => `query OneEvent { event(name: "${name}") { name date } }`;
const eventLater = (name: string) =>
  `query EventLater { event(name: "${name}") { name ... @defer { availability { section available } } } }`;

interface LogLine {
  level: number;
  msg: string;
  requestId?: string;
  [k: string]: unknown;
}

interface Outcome {
  name: string;
  requestId: string;
  body: string;
  /** Error codes of the answer. */
  codes: string[];
}

async function run(
  gw: TestGateway,
  name: string,
  query: string,
  headers: Record<string, string> = {},
): Promise<Outcome> {
  const res = await gw.fetch('/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...headers,
    },
    body: JSON.stringify({ query }),
  });
  const requestId = res.headers.get('x-request-id');
  expect(requestId, `${name}: x-request-id`).toBeTruthy();
  let body = '';
  const payloads: any[] = [];
  if ((res.headers.get('content-type') ?? '').startsWith('multipart/mixed')) {
    for await (const p of readMultipart(res)) payloads.push(p);
    body = JSON.stringify(payloads);
  } else {
    body = await res.text();
    payloads.push(JSON.parse(body));
  }
  const errors = payloads.flatMap((p) => [
    ...(p.errors ?? []),
    ...(p.incremental ?? []).flatMap((i: any) => i.errors ?? []),
  ]);
  return { name, requestId: requestId!, body, codes: errors.map((e: any) => e.extensions?.code) };
}

// Twice: with the logger production builds (it also redacts the key from any line), and with a
// logger given no secrets, which proves no code path hands the key to the logger at all.
describe.each([
  { logger: 'redacting the key, as createGateway builds it', secrets: [KEY, WRONG_KEY] },
  { logger: 'told no secrets', secrets: [] },
])('structured logs without the key (logger $logger)', ({ secrets }) => {
  const log = new MemoryLog();
  let sandbox: RunningSandbox;
  let gw: TestGateway;
  let wrong: TestGateway;
  const outcomes: Outcome[] = [];

  beforeAll(async () => {
    const logger = createLogger({ level: 'trace', secrets, destination: log.stream });
    sandbox = await startTestSandbox(SANDBOX);
    gw = await TestGateway.start(sandbox, ENV, { logger });
    wrong = await TestGateway.start(sandbox, { ...ENV, ARCHTICS_API_KEY: WRONG_KEY }, { logger });

    const scenario = async (
      name: string,
      query: string,
      faults: FaultRule[] = [],
      on = gw,
      headers: Record<string, string> = {},
    ) => {
      sandbox.setFaults(faults);
      outcomes.push(await run(on, name, query, headers));
      sandbox.setFaults([]);
    };
    const events = samplesOf(sandbox).homeEvents;
    await scenario('ok', oneEvent(events[0]));
    await scenario('ok ping, id from the client', PING, [], gw, {
      'x-request-id': 'client-chosen-id-42',
    });
    await scenario('polled (202) and deferred', eventLater(events[1]), [], gw, {
      accept: 'multipart/mixed',
    });
    await scenario('wrong key', PING, [], wrong);
    await scenario('503', PING, [{ kind: 'unavailable' }]);
    await scenario('broken JSON', PING, [{ kind: 'brokenJson', body: 'truncated' }]);
    await scenario('not JSON', PING, [{ kind: 'brokenJson', body: 'html' }]);
    await scenario('timeout', PING, [{ kind: 'slow', delayMs: 1_000 }]);
    // Last upstream call: a Retry-After pauses the gateway's limiter, refusing what would follow.
    await scenario('429', PING, [{ kind: 'rateLimit', retryAfterSeconds: 5 }]);
    await scenario('invalid query', '{ nope }');
  });
  afterAll(async () => {
    await gw?.close();
    await wrong?.close();
    await sandbox?.close();
  });

  it('got the failures it provoked', () => {
    const codes = Object.fromEntries(outcomes.map((o) => [o.name, o.codes]));
    expect(codes).toEqual({
      ok: [],
      'ok ping, id from the client': [],
      'polled (202) and deferred': [],
      'wrong key': ['UPSTREAM_UNAUTHORIZED'],
      '503': ['UPSTREAM_UNAVAILABLE'],
      '429': ['RATE_LIMITED'],
      'broken JSON': ['UPSTREAM_PROTOCOL_ERROR'],
      'not JSON': ['UPSTREAM_PROTOCOL_ERROR'],
      timeout: ['UPSTREAM_TIMEOUT'],
      'invalid query': ['GRAPHQL_VALIDATION_FAILED'],
    });
    expect(outcomes.find((o) => o.name === 'ok ping, id from the client')!.requestId).toBe(
      'client-chosen-id-42',
    );
  });

  it('writes only JSON lines', () => {
    expect(log.text.endsWith('\n')).toBe(true);
    expect(log.lines<LogLine>().length).toBeGreaterThan(outcomes.length);
  });

  it('logs each operation once, with the request id of its response, its duration, error codes and upstream counts', () => {
    const lines = log.lines<LogLine>().filter((l) => l.msg === 'graphql operation');
    expect(lines).toHaveLength(outcomes.length);
    for (const o of outcomes) {
      const mine = lines.filter((l) => l.requestId === o.requestId);
      expect(mine, o.name).toHaveLength(1);
      const [line] = mine;
      expect(line.durationMs, o.name).toEqual(expect.any(Number));
      expect(line.errorCodes, o.name).toEqual(o.codes);
      expect(line.outcome, o.name).toBe(o.codes.length ? 'error' : 'ok');
      if (o.name === 'invalid query') {
        expect(line.upstream, 'never executed').toBeUndefined();
      } else {
        expect(line.operationName, o.name).toEqual(expect.any(String));
        expect(line.upstream, o.name).toMatchObject({
          calls: expect.any(Number),
          polls: expect.any(Number),
          retries: expect.any(Number),
        });
      }
    }
    const deferred = lines.find((l) => l.operationName === 'EventLater')!;
    expect(deferred.payloads).toBe(2);
    expect(deferred.upstream).toMatchObject({ calls: 2, polls: expect.any(Number) });
    expect((deferred.upstream as { polls: number }).polls).toBeGreaterThanOrEqual(1);
  });

  it('logs every upstream command with command, product, status, attempts, polls, duration and the request id', () => {
    const calls = log
      .lines()
      .filter((l) => l.msg === 'archtics command ok' || l.msg === 'archtics command failed');
    for (const o of outcomes.filter((x) => x.name !== 'invalid query')) {
      const mine = calls.filter((l) => l.requestId === o.requestId);
      expect(mine.length, o.name).toBeGreaterThanOrEqual(1);
      for (const line of mine) {
        expect(line, o.name).toMatchObject({
          command: expect.any(String),
          product: expect.stringMatching(/^sth-/),
          attempts: expect.any(Number),
          polls: expect.any(Number),
          durationMs: expect.any(Number),
        });
        expect([200, 202, 401, 429, 503, 'timeout', 'network', 'none'], o.name).toContain(
          line.status,
        );
      }
    }
    const byName = (name: string) =>
      calls.filter((l) => l.requestId === outcomes.find((o) => o.name === name)!.requestId);
    expect(byName('wrong key')).toEqual([
      expect.objectContaining({
        command: 'ping',
        status: 401,
        outcome: 'error',
        errorCode: 'UPSTREAM_UNAUTHORIZED',
      }),
    ]);
    expect(byName('503')[0]).toMatchObject({ status: 503, errorCode: 'UPSTREAM_UNAVAILABLE' });
    expect((byName('503')[0].attempts as number) > 1, 'a read is re-sent after a 503').toBe(true);
    expect(byName('429')[0]).toMatchObject({ status: 429, errorCode: 'RATE_LIMITED' });
    expect(byName('timeout')[0]).toMatchObject({
      status: 'timeout',
      errorCode: 'UPSTREAM_TIMEOUT',
    });
    const avail = byName('polled (202) and deferred').find((l) => l.command === 'get_avail_seats')!;
    expect(avail).toMatchObject({ product: 'sth-inventory', status: 200, outcome: 'ok' });
    expect(avail.polls as number).toBeGreaterThanOrEqual(1);
  });

  it('never writes the key: not in logs, response bodies or error extensions', () => {
    expect(log.text.length).toBeGreaterThan(0);
    for (const key of [KEY, WRONG_KEY]) {
      expect(log.text.includes(key), 'key in the logs').toBe(false);
      for (const o of outcomes)
        expect(o.body.includes(key), `key in the ${o.name} response`).toBe(false);
    }
    // Not even a recognisable part of it.
    expect(log.text).not.toContain('k3y-SECRET');
    for (const o of outcomes) expect(o.body).not.toContain('k3y-SECRET');
  });
});
