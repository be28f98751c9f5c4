import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArchticsClient } from '../../src/archtics/client.js';
import { isArchticsError } from '../../src/archtics/errors.js';
import type { CommandDef } from '../../src/archtics/types.js';
import type { ArchticsConfig } from '../../src/config.js';
import {
  fault,
  pollingProgram,
  refusedPort,
  startArchticsStub,
  type ArchticsStub,
  type StubHandler,
  type StubReply,
  type StubRequest,
} from '../support/archtics-stub.js';
import {
  RecordingLimiter,
  SteppingClock,
  TEST_KEY,
  customerAdd,
  failure,
  memoryLogger,
  ping,
  testConfig,
} from '../support/archtics-fixtures.js';

/**
 * A hostile service that echoes the request URL (key included) into its fault text: the client's
 * scrubbing must hold even when the reference's "a key never appears in any response body" does not.
 */
const echoUrl = (req: StubRequest) =>
  `bad request to ${req.path}?dsn=${req.query.dsn}&apikey=${req.query.apikey} (key ${req.query.apikey})`;

const CASES: {
  name: string;
  reply: (req: StubRequest) => StubReply;
  def?: CommandDef<Record<string, unknown>, unknown>;
  config?: Partial<ArchticsConfig>;
}[] = [
  { name: '401', reply: (req) => fault(401, 'InvalidApiKey', { faultstring: echoUrl(req) }) },
  { name: '404', reply: (req) => fault(404, 'UnknownProduct', { faultstring: echoUrl(req) }) },
  {
    name: '429',
    reply: (req) =>
      fault(429, 'QuotaMinute', { faultstring: echoUrl(req), retryAfterSeconds: 120 }),
  },
  {
    name: '503 (read, retried)',
    reply: (req) => fault(503, 'Unavailable', { faultstring: echoUrl(req) }),
  },
  {
    name: '503 (write)',
    reply: (req) => fault(503, 'Unavailable', { faultstring: echoUrl(req) }),
    def: customerAdd,
  },
  {
    name: 'unexpected 500',
    reply: (req) => ({ status: 500, body: echoUrl(req) }),
    def: customerAdd,
  },
  { name: 'broken JSON', reply: (req) => ({ status: 200, body: `{"oops": "${echoUrl(req)}` }) },
  { name: 'cut-short 200', reply: () => ({ cut: '{"command1":{' }), def: customerAdd },
  {
    name: 'request timeout (write)',
    reply: () => ({ hang: true }),
    def: customerAdd,
    config: { requestTimeoutMs: 300 },
  },
  {
    name: 'request timeout (read)',
    reply: () => ({ hang: true }),
    config: { requestTimeoutMs: 300 },
  },
  { name: 'dropped connection', reply: () => ({ drop: true }), def: customerAdd },
];

function everythingSaidAbout(err: unknown): string[] {
  const out = [String(err), inspect(err, { depth: 10 }), JSON.stringify(err)];
  if (err instanceof Error)
    out.push(err.message, err.stack ?? '', inspect(err.cause, { depth: 10 }));
  if (isArchticsError(err)) out.push(JSON.stringify(err.extensions()));
  return out;
}

describe('the API key never leaves the transport', () => {
  let stub: ArchticsStub;
  const said: string[] = [];
  const { logger, lines } = memoryLogger();
  let current: StubHandler = () => ({ status: 500 });

  beforeAll(async () => {
    stub = await startArchticsStub({ handler: (req) => current(req) });
  });
  afterAll(async () => {
    await stub.close();
    // Everything collected over all cases, checked once more as a whole.
    const all = [...said, ...lines].join('\n');
    expect(all).not.toContain(TEST_KEY);
  });

  it.each(CASES)(
    '$name: no trace of the key in the error (message, String, stack, cause, extensions) or the log',
    async ({ reply, def, config }) => {
      current = reply;
      const client = createArchticsClient({
        config: testConfig(stub.baseUrl, config),
        limiter: new RecordingLimiter(),
        clock: new SteppingClock(),
        logger,
      });
      const before = lines.length;
      const err = await failure(client.run(def ?? ping, {}));
      expect(isArchticsError(err)).toBe(true);
      const texts = everythingSaidAbout(err);
      said.push(...texts);
      for (const text of texts) expect(text).not.toContain(TEST_KEY);
      const newLines = lines.slice(before);
      expect(newLines.length).toBe(1);
      expect(JSON.parse(newLines[0])).toMatchObject({ level: 40, outcome: 'error' });
      for (const line of newLines) expect(line).not.toContain(TEST_KEY);
    },
  );

  it('poll timeout: no trace of the key', async () => {
    current = pollingProgram({ pending: 10_000 });
    const client = createArchticsClient({
      config: testConfig(stub.baseUrl, { pollTimeoutMs: 2_000 }),
      limiter: new RecordingLimiter(),
      clock: new SteppingClock(),
      logger,
    });
    const err = await failure(client.run(customerAdd, {}));
    for (const text of everythingSaidAbout(err)) expect(text).not.toContain(TEST_KEY);
    said.push(...everythingSaidAbout(err));
  });

  it('connection refused: no trace of the key', async () => {
    const port = await refusedPort();
    const client = createArchticsClient({
      config: testConfig(`http://127.0.0.1:${port}`),
      limiter: new RecordingLimiter(),
      clock: new SteppingClock(),
      logger,
    });
    const err = await failure(client.run(ping, {}));
    expect((err as Error).message).toContain('ECONNREFUSED');
    for (const text of everythingSaidAbout(err)) expect(text).not.toContain(TEST_KEY);
    said.push(...everythingSaidAbout(err));
  });

  it('the key was really on the wire (so the checks above could have failed)', () => {
    expect(stub.requests.length).toBeGreaterThan(0);
    expect(stub.requests.every((r) => r.query.apikey === TEST_KEY)).toBe(true);
    expect(said.join('\n')).toContain('apikey=***');
  });
});
