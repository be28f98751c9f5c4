/**
 * The fair-share scenario of issue #12, on the sandbox's scaled clock: a greedy token loops over
 * costly reads (40 distinct customers an operation, never cached) while a second token opens a
 * dashboard every 8 simulated seconds, against a sandbox that allows 80 POSTs a minute.
 *
 * Scaled time as in bench/budget.ts: the sandbox runs `timeScale` real ms per simulated ms, and the
 * limiter, the command client and the cache are given a Clock that reads the sandbox's clock and
 * sleeps in simulated ms — so the limiter's window (60 s + its margin, scaled), the read deadline
 * (30 s) and the sandbox's minute are the same simulated time. Every loop is bounded by simulated
 * time and by a count.
 */
import { createArchticsClient, type ArchticsClient } from '../../src/archtics/client.js';
import type { CommandRunner } from '../../src/archtics/types.js';
import { createGateway, type Gateway } from '../../src/app.js';
import { createCachedRunner } from '../../src/cache/index.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createLimiter } from '../../src/quota/redis-limiter.js';
import type { Limiter } from '../../src/quota/types.js';
import type { Redis } from '../../src/redis.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { generate } from '../../src/sandbox/world/seed.js';
import { createMemoryStores } from '../../src/store/index.js';

/** The sandbox's world (start it with `seed: FAIR_SHARE_SEED`). */
export const FAIR_SHARE_SEED = 20261129;

export const GREEDY = 'greedy-token-0123456789';
export const VICTIM = 'victim-token-0123456789';
export const PER_MINUTE = 80;
/**
 * Half speed, not a fifth: on the scaled clock one real ms of CPU is 1/TIME_SCALE simulated ms, so a
 * starved two-core machine stretches the victim's operations (its 30 s deadline) and the grant-to-
 * arrival time (the window margin) by that factor. At 0.2 a machine at load 7+ made the dashboards
 * miss their deadlines (RATE_LIMITED "no time left") and the sandbox see 82 POSTs in a minute; at
 * 0.5 the same load serves 15 of 15. Two simulated minutes take about a real minute.
 */
export const TIME_SCALE = 0.5;
/** Real ms for one scenario: two simulated minutes at TIME_SCALE, the warm-up and the drain. */
export const SCENARIO_TIMEOUT_MS = 180_000;

/** The scenario's sandbox: its world, 80 POSTs a minute, on the scenario's clock. */
export function startScenarioSandbox(): Promise<RunningSandbox> {
  return startSandbox({
    seed: FAIR_SHARE_SEED,
    ratePerMinute: PER_MINUTE,
    ratePerDay: 100_000,
    timeScale: TIME_SCALE,
  });
}
const SIM_MS = 2 * 60_000;
const VICTIM_EVERY_MS = 8_000;
const GREEDY_WORKERS = 4;
const GREEDY_BATCH = 40;
/** Bounds on the loops, whatever the clock does. */
const MAX_VICTIM_OPS = Math.ceil(SIM_MS / VICTIM_EVERY_MS);
const MAX_GREEDY_OPS = 400;

/** A Clock on the sandbox's time: the bench's, so that both agree with the sandbox on a minute. */
export { SandboxTimeClock } from '../../bench/harness.js';
import { DASHBOARD_QUERY, SandboxTimeClock } from '../../bench/harness.js';

/** The sandbox's Retry-After is in real seconds; the client reads it on the simulated clock. */
function simulatedRetryAfter(timeScale: number): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    if (res.status !== 429) return res;
    const headers = new Headers(res.headers);
    headers.set(
      'retry-after',
      String(Math.max(1, Math.ceil(Number(res.headers.get('retry-after') ?? '1') / timeScale))),
    );
    return new Response(await res.arrayBuffer(), {
      status: res.status,
      statusText: res.statusText,
      headers,
    });
  };
}

/**
 * The gateway's config for the scenario. The window margin (real ms between the limiter's grant and
 * the POST's arrival) is 2.5 s instead of 1: on a busy two-core machine a burst of POSTs can take
 * longer than a second of real time to reach the sandbox, and on the scaled clock that is many
 * simulated seconds (12.5 at timeScale 0.2).
 */
export function fairShareConfig(
  sb: Pick<RunningSandbox, 'url' | 'apiKey' | 'dsn'>,
  env: Record<string, string> = {},
): Config {
  return loadConfig({
    ARCHTICS_WINDOW_MARGIN_MS: '2500',
    ARCHTICS_BASE_URL: sb.url,
    ARCHTICS_API_KEY: sb.apiKey,
    ARCHTICS_DSN: sb.dsn,
    ARCHTICS_RATE_PER_MINUTE: String(PER_MINUTE),
    GATEWAY_TOKENS: JSON.stringify([
      { token: GREEDY, scopes: ['read'] },
      { token: VICTIM, scopes: ['read'] },
    ]),
    LOG_LEVEL: 'silent',
    ...env,
  });
}

export interface ScaledGateway {
  gateway: Gateway;
  client: ArchticsClient;
  close(): Promise<void>;
}

/**
 * A gateway whose limiter, client and cache run on the sandbox's clock. `stripCaller` hides the
 * caller from the budget (every command planned FIFO, as before fair shares): the "before" figure.
 */
export async function scaledGateway(
  sb: RunningSandbox,
  config: Config,
  opts: { redis?: Redis; redisPrefix?: string; stripCaller?: boolean } = {},
): Promise<ScaledGateway> {
  const clock = new SandboxTimeClock(sb);
  const timeScale = sb.clock.timeScale;
  // The margin covers real time between the grant and the POST's arrival: scaled like bench/budget.ts.
  const windowMs = 60_000 + Math.round(config.archtics.windowMarginMs / timeScale);
  const limiter: Limiter = createLimiter(config, opts.redis, {
    clock,
    windowMs,
    ...(opts.redisPrefix ? { prefix: opts.redisPrefix } : {}),
  });
  const client = createArchticsClient({
    config: config.archtics,
    limiter,
    clock,
    fetch: simulatedRetryAfter(timeScale),
  });
  const inner: CommandRunner = opts.stripCaller
    ? { run: (def, req, o) => client.run(def, req, { ...o, caller: undefined }) }
    : client;
  const cache = createCachedRunner({
    inner,
    config: config.cache,
    clock,
    context: { siteName: config.archtics.siteName },
  });
  const gateway = await createGateway({
    config,
    runner: client,
    limiter,
    clock,
    stores: createMemoryStores(clock),
    wrapRunner: () => cache,
  });
  return {
    gateway,
    client,
    async close() {
      await gateway.close();
      await client.close();
    },
  };
}

const GREEDY_QUERY =
  'query Costly($ids: [ID!]!) { nodes(ids: $ids) { id ... on Customer { acctId firstName lastName } } }';

function customerId(acctId: number): string {
  return Buffer.from(`Customer:${acctId}`, 'utf8').toString('base64');
}

interface Answer {
  status: number;
  codes: string[];
  served: boolean;
  retryAfterSeconds: number[];
  calls: number;
  startedAt: number;
}

async function gql(
  gw: Gateway,
  token: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<Omit<Answer, 'startedAt'>> {
  const res = await gw.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ query, variables }),
  });
  const json = (await res.json().catch(() => undefined)) as
    | {
        data?: unknown;
        errors?: { extensions?: { code?: string; retryAfterSeconds?: number } }[];
        extensions?: { upstream?: { calls?: number } };
      }
    | undefined;
  const errors = json?.errors ?? [];
  return {
    status: res.status,
    codes: errors.map((e) => e.extensions?.code ?? 'UNKNOWN'),
    served: res.status === 200 && errors.length === 0 && json?.data != null,
    retryAfterSeconds: errors
      .map((e) => e.extensions?.retryAfterSeconds)
      .filter((n): n is number => typeof n === 'number'),
    calls: json?.extensions?.upstream?.calls ?? 0,
  };
}

/**
 * Runs both operations once against a throwaway, unlimited sandbox: the first requests of a process
 * are slow (compilation, connections), and at a scaled clock one slow real second is ten simulated
 * ones between the limiter's grant and the sandbox's count — a cold start the limiter's margin is
 * not meant to cover.
 */
export async function warmUp(): Promise<void> {
  const sb = await startSandbox({
    seed: FAIR_SHARE_SEED,
    ratePerMinute: 1_000_000,
    ratePerDay: 100_000_000,
  });
  const gw = await scaledGateway(
    sb,
    fairShareConfig(sb, { ARCHTICS_RATE_PER_MINUTE: '100000', ARCHTICS_RATE_PER_DAY: '10000000' }),
  );
  try {
    const accounts = generate(FAIR_SHARE_SEED).accounts;
    const holder = accounts.find((a) => a.acctType === 'STH')!.acctId;
    const ids = accounts.slice(0, GREEDY_BATCH).map((a) => customerId(a.acctId));
    await Promise.all([
      ...Array.from({ length: GREEDY_WORKERS }, () =>
        gql(gw.gateway, GREEDY, GREEDY_QUERY, { ids }),
      ),
      gql(gw.gateway, VICTIM, DASHBOARD_QUERY, { ids: [customerId(holder)], first: 10 }),
    ]);
  } finally {
    await gw.close();
    await sb.close();
  }
}

export interface FairShareFigures {
  victimOps: number;
  victimServed: number;
  victimCodes: Record<string, number>;
  victimCalls: number;
  greedyOps: number;
  greedyServed: number;
  greedyRateLimited: number;
  /** Distinct retryAfterSeconds values the greedy token was given. */
  greedyRetryAfter: number[];
  /** Simulated seconds from the start at which the victim's refused dashboards began. */
  victimRefusedAtS: number[];
  posts: number;
  rateLimited429: number;
  maxPostsInAnyMinute: number;
  simMs: number;
}

/**
 * Runs the scenario: greedy through `greedyGw`, the victim through `victimGw` (the same gateway, or
 * another replica). Accounts: the greedy cycles through the world's accounts from the low end, the
 * victim's dashboards are the seat holders from the high end, so they never share a cached read.
 */
export async function runFairShareScenario(
  sb: RunningSandbox,
  greedyGw: Gateway,
  victimGw: Gateway,
): Promise<FairShareFigures> {
  const clock = new SandboxTimeClock(sb);
  const accounts = generate(FAIR_SHARE_SEED).accounts;
  // The victim's dashboards: season-ticket holders (accounts with seats) from the end of the list;
  // the greedy's reads: accounts from the start. They never share a cached read.
  const holders = accounts
    .filter((a) => a.acctType === 'STH')
    .map((a) => a.acctId)
    .reverse();
  const lo = accounts[0].acctId;
  const postsBefore = sb.stats().posts;
  const start = clock.now();
  const end = start + SIM_MS;
  const victim: Answer[] = [];
  const greedy: Omit<Answer, 'startedAt'>[] = [];
  let nextGreedyAcct = lo;
  const greedyWorker = async () => {
    while (clock.now() < end && greedy.length < MAX_GREEDY_OPS) {
      const ids: string[] = [];
      for (let k = 0; k < GREEDY_BATCH; k++) ids.push(customerId(nextGreedyAcct++));
      greedy.push(await gql(greedyGw, GREEDY, GREEDY_QUERY, { ids }));
      // A refused operation costs nothing upstream and comes back at once: yield a real moment so the
      // loop stays a loop, not a spin (it still ignores retryAfterSeconds, as a greedy caller would).
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  const victimLoop = async () => {
    // Seat holders: accounts with seats (the dashboard shows them), from the top of the range.
    for (let i = 0; i < MAX_VICTIM_OPS; i++) {
      const at = start + 2_000 + i * VICTIM_EVERY_MS;
      if (at >= end) break;
      const wait = at - clock.now();
      if (wait > 0) await clock.sleep(wait);
      const startedAt = clock.now();
      victim.push({
        ...(await gql(victimGw, VICTIM, DASHBOARD_QUERY, {
          ids: [customerId(holders[i % holders.length])],
          first: 10,
        })),
        startedAt,
      });
    }
  };
  await Promise.all([...Array.from({ length: GREEDY_WORKERS }, greedyWorker), victimLoop()]);
  const stats = sb.stats();
  const count = (xs: Omit<Answer, 'startedAt'>[]) => {
    const out: Record<string, number> = {};
    for (const x of xs) for (const c of new Set(x.codes)) out[c] = (out[c] ?? 0) + 1;
    return out;
  };
  return {
    victimOps: victim.length,
    victimServed: victim.filter((a) => a.served).length,
    victimCodes: count(victim),
    victimCalls: victim.reduce((n, a) => n + a.calls, 0),
    greedyOps: greedy.length,
    greedyServed: greedy.filter((a) => a.served).length,
    greedyRateLimited: greedy.filter((a) => a.codes.includes('RATE_LIMITED')).length,
    greedyRetryAfter: [...new Set(greedy.flatMap((a) => a.retryAfterSeconds))].sort(
      (a, b) => a - b,
    ),
    victimRefusedAtS: victim
      .filter((a) => !a.served)
      .map((a) => Math.round((a.startedAt - start) / 1000)),
    posts: stats.posts - postsBefore,
    rateLimited429: stats.rateLimited429,
    maxPostsInAnyMinute: stats.maxPostsInAnyMinute,
    simMs: clock.now() - start,
  };
}
