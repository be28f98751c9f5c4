/**
 * Suite 2 — gateway overhead. A fully cached dashboard operation (25 customers × 10 seats with
 * events: every command an L1 hit, no upstream call) through the whole gateway on node:http at
 * 127.0.0.1 with the response cache OFF (this measures the execution path), against a bare
 * graphql-yoga server answering the same shape and data from memory.
 * Both servers live in one child process (bench/overhead-server.ts); the load generator
 * (autocannon, programmatic) runs here, so the two never share an event loop.
 *
 * Runs alternate (3 s each, 10 connections, same body) so that a noisy neighbour hits every side
 * alike; the figure is the ratio of the medians of the runs. The gateway compiles the dashboard
 * (src/plugins/compiled-execution.ts) as it does in production; the same gateway with compiling
 * off is reported beside it, for information.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { median, verdict, type Figure, type SuiteResult } from './report.js';

const SUITE = '2 gateway overhead';
const ROUNDS = 3;
const RUN_SECONDS = 3;
const CONNECTIONS = 10;
const TARGET = 0.7;
const START_BOUND_MS = 60_000;

export interface ServerInfo {
  gateway: string;
  bare: string;
  /** The gateway with its response cache on, warmed (suite 6). */
  cached: string;
  /** The bare server with yoga's response-cache plugin, warmed (suite 6). */
  bareCached: string;
  /** The gateway as `gateway`, compiled execution off. */
  interpreted: string;
  interpretedSameAnswer: boolean;
  cachedReport: { calls: number; responseCacheHit?: boolean } | null;
  cachedSameAnswer: boolean;
  body: string;
  cachedCalls: { calls: number; polls: number; cacheHits: number } | null;
  gatewayErrors: unknown;
  sameAnswer: boolean;
  cacheStats: unknown;
}

export interface Run {
  side: string;
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  non2xx: number;
}

export function startServers(): Promise<{ child: ChildProcess; info: ServerInfo }> {
  const entry = fileURLToPath(new URL('./overhead-server.ts', import.meta.url));
  const cwd = fileURLToPath(new URL('..', import.meta.url));
  // As `npm start` runs it (src/main.ts): graphql-js in production mode unless NODE_ENV says
  // otherwise. The bare server shares the process, so both sides get the same graphql-js.
  const env = { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'production' };
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`overhead servers did not start in ${START_BOUND_MS} ms: ${err.slice(-300)}`),
      );
    }, START_BOUND_MS);
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve({ child, info: JSON.parse(line) as ServerInfo });
      } catch {
        child.kill('SIGKILL');
        reject(new Error(`overhead servers: unreadable start line: ${line.slice(0, 200)}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`overhead servers exited (${code}): ${err.slice(-300)}`));
    });
  });
}

export async function load(side: string, url: string, body: string): Promise<Run> {
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body,
    connections: CONNECTIONS,
    duration: RUN_SECONDS,
  });
  return {
    side,
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

export async function stopServers(child: ChildProcess): Promise<void> {
  child.stdin!.end();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const bound = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(bound);
}

export async function overheadSuite(): Promise<SuiteResult> {
  const started = performance.now();
  const { child, info } = await startServers();
  const runs: Run[] = [];
  try {
    if (info.gatewayErrors)
      throw new Error(
        `the warmed dashboard operation failed: ${JSON.stringify(info.gatewayErrors).slice(0, 200)}`,
      );
    // A short warm-up of both (JIT, keep-alive sockets), not counted.
    await load('gateway', info.gateway, info.body);
    await load('bare', info.bare, info.body);
    await load('interpreted', info.interpreted, info.body);
    runs.length = 0;
    for (let round = 0; round < ROUNDS; round++) {
      runs.push(await load('gateway', info.gateway, info.body));
      runs.push(await load('bare', info.bare, info.body));
      runs.push(await load('interpreted', info.interpreted, info.body));
    }
  } finally {
    await stopServers(child);
  }
  const side = (s: string) => runs.filter((r) => r.side === s);
  const m = (s: string, k: 'rps' | 'p50' | 'p99') => median(side(s).map((r) => r[k]))!;
  const failures = runs.reduce((n, r) => n + r.errors + r.non2xx, 0);
  const fullyCached =
    info.cachedCalls !== null && info.cachedCalls.calls === 0 && info.cachedCalls.polls === 0;
  const rpsRatio = m('gateway', 'rps') / m('bare', 'rps');
  const detail = {
    runs,
    cachedOperationTrace: info.cachedCalls,
    sameAnswer: info.sameAnswer,
    cacheStats: info.cacheStats,
  };
  const figures: Figure[] = [
    {
      suite: SUITE,
      figure: 'cached dashboard op: throughput, gateway vs bare yoga',
      ours: m('gateway', 'rps'),
      baseline: m('bare', 'rps'),
      ratio: rpsRatio,
      unit: 'req/s',
      target: `≥ ${TARGET.toFixed(2)}`,
      verdict: verdict(rpsRatio >= TARGET && failures === 0 && fullyCached && info.sameAnswer),
      note: `${CONNECTIONS} connections, ${ROUNDS}×${RUN_SECONDS} s each side, alternating; fully cached: ${fullyCached}; same answer: ${info.sameAnswer}`,
      detail,
    },
    {
      suite: SUITE,
      figure: 'cached dashboard op: throughput, gateway with compiled execution off vs bare yoga',
      ours: m('interpreted', 'rps'),
      baseline: m('bare', 'rps'),
      ratio: m('interpreted', 'rps') / m('bare', 'rps'),
      unit: 'req/s',
      target: '(info)',
      verdict: 'info',
      note: `GRAPHQL_COMPILE_AFTER_USES=0: graphql-js interprets every operation, as in the bare server; same answer: ${info.interpretedSameAnswer}`,
    },
    {
      suite: SUITE,
      figure: 'cached dashboard op: p50 latency, gateway vs bare yoga',
      ours: m('gateway', 'p50'),
      baseline: m('bare', 'p50'),
      ratio: m('gateway', 'p50') / m('bare', 'p50'),
      unit: 'ms',
      target: '(info)',
      verdict: 'info',
    },
    {
      suite: SUITE,
      figure: 'cached dashboard op: p99 latency, gateway vs bare yoga',
      ours: m('gateway', 'p99'),
      baseline: m('bare', 'p99'),
      ratio: m('gateway', 'p99') / m('bare', 'p99'),
      unit: 'ms',
      target: '(info)',
      verdict: 'info',
    },
  ];
  return {
    suite: SUITE,
    method: `autocannon (programmatic, ${CONNECTIONS} connections) on 127.0.0.1 against the whole gateway with the response cache off (command cache warmed: the operation makes no upstream call but executes; the dashboard document compiled, as in production), the same gateway with compiled execution off, and a bare graphql-yoga server answering the same shape from memory, all in one child process; ${ROUNDS} alternating rounds of ${RUN_SECONDS} s per side after a warm-up; medians.`,
    figures,
    durationMs: performance.now() - started,
  };
}
