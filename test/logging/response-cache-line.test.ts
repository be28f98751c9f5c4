/**
 * A response-cache hit is answered before execution, yet its operation line still tells what the
 * operation cost upstream: nothing (zeros), marked responseCacheHit — not a line with no upstream
 * work at all, which reads like an operation that never ran.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { startTestSandbox, TestGateway } from '../graphql/harness.js';
import { MemoryLog } from '../support/memory-log.js';
import { samplesOf } from '../support/worlds.js';

const query = (name: string) => `query Names { events(names: ["${name}"]) { name date } }`;

const log = new MemoryLog();
const lines = () => log.lines();
let sandbox: RunningSandbox;
let gw: TestGateway;

beforeAll(async () => {
  const logger = createLogger({ level: 'info', destination: log.stream });
  sandbox = await startTestSandbox();
  gw = await TestGateway.start(sandbox, {}, { logger, cache: true });
});
afterAll(async () => {
  await gw?.close();
  await sandbox?.close();
});

it('logs a hit with zero upstream work and responseCacheHit, a miss with its calls', async () => {
  const post = () =>
    gw.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: query(samplesOf(sandbox).homeEvents[0]),
        operationName: 'Names',
      }),
    });
  const miss = await post();
  const missId = miss.headers.get('x-request-id');
  expect((await miss.json()).extensions.upstream).toMatchObject({
    calls: 1,
    responseCacheHit: false,
  });
  const hit = await post();
  const hitId = hit.headers.get('x-request-id');
  expect((await hit.json()).extensions.upstream).toMatchObject({
    calls: 0,
    responseCacheHit: true,
  });

  const line = (id: string | null) =>
    lines().find((l) => l.msg === 'graphql operation' && l.requestId === id);
  await expect.poll(() => line(hitId)).toBeDefined();
  expect(line(missId)).toMatchObject({
    operationName: 'Names',
    outcome: 'ok',
    upstream: { calls: 1 },
  });
  expect(line(missId)?.responseCacheHit).toBeUndefined();
  expect(line(hitId)).toMatchObject({
    operationName: 'Names',
    outcome: 'ok',
    responseCacheHit: true,
    upstream: { calls: 0, polls: 0, retries: 0, cacheHits: 0, staleServes: 0 },
  });
});
