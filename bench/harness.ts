/**
 * Shared pieces of the benchmark suites: a config aimed at a sandbox, the dashboard operation of
 * the GraphQL tests, a clock that runs on the sandbox's (scaled) time, seeded randomness and Zipf.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Clock } from '../src/clock.js';
import { loadConfig, type Config } from '../src/config.js';
import { createLogger, type Logger } from '../src/logger.js';
import type { RunningSandbox } from '../src/sandbox/index.js';
import { generate, mulberry32, type Rng } from '../src/sandbox/world/seed.js';

/** The world every suite runs against (the gateway's default sandbox seed). */
export const BENCH_SEED = 20261129;

/** Limits high enough that the sandbox never refuses (suites that are not about the budget). */
export const NO_LIMIT = { ratePerMinute: 1_000_000, ratePerDay: 100_000_000 };

export const silentLogger: Logger = createLogger({ level: 'silent' });

/** The gateway's configuration, aimed at a running sandbox. */
export function configFor(
  sb: Pick<RunningSandbox, 'url' | 'apiKey' | 'dsn'>,
  archtics: Partial<Config['archtics']> = {},
  env: Record<string, string> = {},
): Config {
  const base = loadConfig({ LOG_LEVEL: 'silent', ...env });
  return {
    ...base,
    archtics: { ...base.archtics, baseUrl: sb.url, apiKey: sb.apiKey, dsn: sb.dsn, ...archtics },
  };
}

const here = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));

/** The dashboard query of the GraphQL tests (test/operations/dashboard.graphql), reused verbatim. */
export const DASHBOARD_QUERY = readFileSync(here('../test/operations/dashboard.graphql'), 'utf8');

/** Relay global id of a customer (base64 of "Customer:<acctId>", schema/builder.ts). */
export function customerId(acctId: number): string {
  return Buffer.from(`Customer:${acctId}`, 'utf8').toString('base64');
}

let seedData: ReturnType<typeof generate> | undefined;
export function world() {
  return (seedData ??= generate(BENCH_SEED));
}

/** The first `n` season-ticket holders of the seeded world (accounts that own seats). */
export function seatHolders(n: number): number[] {
  return world()
    .accounts.filter((a) => a.acctType === 'STH')
    .slice(0, n)
    .map((a) => a.acctId);
}

export function dashboardBody(acctIds: readonly number[], first = 10): string {
  return JSON.stringify({
    query: DASHBOARD_QUERY,
    variables: { ids: acctIds.map(customerId), first },
  });
}

export interface GqlAnswer {
  status: number;
  json: any;
}

/** One GraphQL POST through a fetch-shaped handler (yoga.fetch) or a real URL. */
export async function gqlFetch(
  fetchFn: (url: string, init: RequestInit) => Promise<Response> | Response,
  url: string,
  body: string,
): Promise<GqlAnswer> {
  const res = await fetchFn(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body,
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json };
}

/**
 * A Clock on the sandbox's time: `now()` is the sandbox clock (sped up by its timeScale), and
 * `sleep(ms)` waits ms of sandbox time (ms × timeScale real ms). Handing it to the limiter, the
 * client and the cache makes all of them agree with the sandbox on what a minute is.
 */
export class SandboxTimeClock implements Clock {
  constructor(private readonly sb: Pick<RunningSandbox, 'clock'>) {}

  get timeScale(): number {
    return this.sb.clock.timeScale;
  }

  now(): number {
    return this.sb.clock.now();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const reason = () =>
        signal?.reason ?? new DOMException('This operation was aborted', 'AbortError');
      if (signal?.aborted) return reject(reason());
      const target = this.now() + Math.max(0, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(reason());
      };
      // Wake on the sandbox clock, not on the timer alone: timers may fire a hair early.
      const wake = () => {
        const left = target - this.now();
        if (left > 0) timer = setTimeout(wake, Math.max(1, Math.ceil(left * this.timeScale)));
        else {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }
      };
      let timer = setTimeout(wake, Math.max(0, Math.ceil(ms * this.timeScale)));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

export function rng(seed: number): Rng {
  return mulberry32(seed);
}

/** Zipf(s) over ranks 1..n: returns a 0-based rank, rank 0 the most popular. */
export function zipf(n: number, s: number, random: Rng): () => number {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let k = 1; k <= n; k++) cdf[k - 1] = total += 1 / k ** s;
  for (let i = 0; i < n; i++) cdf[i] /= total;
  return () => {
    const u = random();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] >= u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

/** Fisher–Yates with a seeded source (so the popular accounts are not simply the lowest ids). */
export function shuffled<T>(items: readonly T[], random: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Rejects after `ms` real ms: every suite's outer bound. */
export async function withinMs<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: gave up after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, bound]);
  } finally {
    clearTimeout(timer);
  }
}
