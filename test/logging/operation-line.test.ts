/**
 * The operation line of an incremental answer is written once its stream ends — also when the
 * client leaves before the last payload: then it says so (aborted) and the operation's upstream
 * work still in flight is cancelled with it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { readMultipart } from '../defer/multipart.js';
import { startTestSandbox, TestGateway } from '../graphql/harness.js';
import { MemoryLog } from '../support/memory-log.js';
import { samplesOf } from '../support/worlds.js';

const query = (name: string) =>
  `query Slow { event(name: "${name}") { name ... @defer { availability { section available } } } }`;

const log = new MemoryLog();
const lines = () => log.lines();
let sandbox: RunningSandbox;
let gw: TestGateway;

beforeAll(async () => {
  const logger = createLogger({ level: 'debug', destination: log.stream });
  sandbox = await startTestSandbox({
    serviceTimeMs: { get_avail_seats: 1_500 },
    asyncThresholdMs: 1_000,
  });
  gw = await TestGateway.start(sandbox, {}, { logger });
});
afterAll(async () => {
  await gw?.close();
  await sandbox?.close();
});

it('logs a stream the client left after the first payload, as aborted', async () => {
  const client = new AbortController();
  const res = await gw.fetch('/graphql', {
    method: 'POST',
    signal: client.signal,
    headers: { 'content-type': 'application/json', accept: 'multipart/mixed' },
    body: JSON.stringify({ query: query(samplesOf(sandbox).homeEvents[0]) }),
  });
  const requestId = res.headers.get('x-request-id');
  const parts = readMultipart(res);
  const first = await parts.next();
  expect(first.value).toMatchObject({
    data: { event: { name: samplesOf(sandbox).homeEvents[0] } },
    hasNext: true,
  });
  client.abort(); // the client goes away
  await parts.return(undefined);

  const operation = () =>
    lines().find((l) => l.msg === 'graphql operation' && l.requestId === requestId);
  await expect.poll(operation, { timeout: 10_000 }).toBeDefined();
  // Whether the stream was closed before or after its (undeliverable) last payload is a race: the
  // line says "aborted" either way.
  expect(operation()).toMatchObject({
    operationName: 'Slow',
    aborted: true,
    outcome: 'error',
    payloads: expect.any(Number),
  });
  // get_avail_seats never completed for this operation: it was cancelled, not left running.
  await expect
    .poll(() => lines().find((l) => l.command === 'get_avail_seats' && l.requestId === requestId), {
      timeout: 10_000,
    })
    .toMatchObject({ outcome: 'error', errorCode: 'ABORTED' });
  expect(
    lines().filter((l) => l.msg === 'graphql operation' && l.requestId === requestId),
  ).toHaveLength(1);
});

it('logs a complete stream once, after its last payload', async () => {
  const res = await gw.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'multipart/mixed' },
    body: JSON.stringify({ query: query(samplesOf(sandbox).homeEvents[0]) }),
  });
  const requestId = res.headers.get('x-request-id');
  let payloads = 0;
  for await (const payload of readMultipart(res)) {
    payloads++;
    if (payload.hasNext)
      expect(
        lines().some((l) => l.msg === 'graphql operation' && l.requestId === requestId),
        'no line before the end',
      ).toBe(false);
  }
  expect(payloads).toBe(2);
  const mine = () =>
    lines().filter((l) => l.msg === 'graphql operation' && l.requestId === requestId);
  await expect.poll(() => mine().length, { timeout: 5_000 }).toBe(1);
  expect(mine()[0]).toMatchObject({
    operationName: 'Slow',
    payloads: 2,
    outcome: 'ok',
    errorCodes: [],
    upstream: { calls: 2 },
  });
  expect(mine()[0].cutShort).toBeUndefined();
  expect(mine()[0].aborted).toBeUndefined();
});
