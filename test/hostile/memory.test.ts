/**
 * Issue #12's out-of-memory crash: 8 distinct ≈10 MB `query Q<n> { __typename ×953 250 }`
 * documents, with and without a token. The gateway runs in a child process with
 * --max-old-space-size=512 (memory-child.ts); it must live, answer each with a 4xx (401 without a
 * token, 413 over the body limit, 400 from the parser's token limit when the body limit is raised
 * so the document is read), make no upstream call, and keep its RSS under 400 MB.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';

const TOKEN = 'memory-test-token-0123';
let child: ChildProcess;
let urls: Record<'default' | 'raised', string>;

function next<T>(): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as T));
    child.once('exit', (code) => reject(new Error(`gateway process exited (${code})`)));
  });
}

beforeAll(async () => {
  child = fork(new URL('./memory-child.ts', import.meta.url).pathname, [], {
    execPath: process.execPath,
    execArgv: ['--max-old-space-size=512', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  urls = (await next<{ ready: typeof urls }>()).ready;
}, 120_000);

afterAll(() => {
  child?.disconnect();
});

async function send(url: string, n: number, token: boolean): Promise<number> {
  const body = JSON.stringify({ query: `query Q${n} { ${'__typename '.repeat(953_250)}}` });
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(token ? { authorization: `Bearer ${TOKEN}` } : {}),
      },
      body,
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return -1;
  }
}

it('8 × 10 MB distinct documents, with and without a token: 4xx each, the process lives, RSS < 400 MB, no upstream call', async () => {
  // Without a token the body is never read, whatever its limit: one run of 8 covers both.
  const runs = [
    ['default', false],
    ['default', true],
    ['raised', true],
  ] as const;
  const statuses: Record<string, number[]> = {};
  let n = 0;
  for (const [limit, token] of runs) {
    const key = `${limit}/${token ? 'token' : 'none'}`;
    statuses[key] = [];
    for (let i = 0; i < 8; i++) statuses[key].push(await send(urls[limit], n++, token));
  }
  child.send('report');
  const report = await next<{ peakRssMb: number; posts: number }>();
  console.log(
    `memory: peak RSS ${report.peakRssMb} MB over ${n} documents of ≈10 MB; statuses ${JSON.stringify(statuses)}`,
  );
  expect(statuses['default/none']).toEqual(Array(8).fill(401));
  expect(statuses['default/token']).toEqual(Array(8).fill(413));
  expect(statuses['raised/token']).toEqual(Array(8).fill(400));
  expect(child.exitCode).toBeNull();
  expect(report.posts).toBe(0);
  expect(report.peakRssMb).toBeLessThan(400);
}, 300_000);
