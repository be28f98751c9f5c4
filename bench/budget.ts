/**
 * Suite 4 — the budget under load. A portal with 500 users for a simulated 10 minutes against a
 * sandbox that allows 80 POSTs per minute (and 5000 per day): does the gateway stay under the
 * limit, and how much does it serve, fresh or stale?
 *
 * Scaled time, consistent everywhere: the sandbox runs at timeScale 0.2 (10 simulated minutes
 * take 120 real seconds) and the limiter, the command client and the cache are all given a Clock
 * that reads the sandbox's own clock and sleeps in sandbox ms (bench/harness.ts). So the limiter's
 * 60 s window (plus its safety margin, scaled: see limiterWindowMs), the sandbox's sliding minute, the cache's TTLs and
 * the client's read deadline (30 s) are one and the same simulated time. Not scaled: CPU time and
 * the loopback round trip — 1 real ms of work is 5 simulated ms, so latencies are upper bounds and
 * a burst of sends reaches the sandbox 5× more spread out than it would in real time — and the
 * sandbox's Retry-After, which it gives in real seconds (a fetch wrapper converts it).
 *
 * BENCH_BUDGET_SCALE=1 BENCH_BUDGET_MINUTES=2.5 runs the same in real time for a shorter span;
 * BENCH_BUDGET_WINDOW_MS gives the limiter another window (sandbox ms; experiments); ARCHTICS_WINDOW_MARGIN_MS
 * changes the real-time margin as it does for the gateway.
 *
 * Workload (seeded): each user acts after an exponential think time (mean 60 s), so ~8 operations
 * a simulated second, open loop; an operation is a dashboard (50%: one account, its first 10 seats
 * with events and price codes), an event page (30%: details and price codes) or an availability
 * view (20%: get_avail_seats summary). Accounts follow Zipf(1) over the world's 2,000 accounts (in
 * a seeded random order), events Zipf(1) over its events. Operations run in-process through
 * yoga.fetch (the HTTP layer is suite 2's business; this one is about upstream calls).
 *
 * The cache is slotted in through createGateway's wrapRunner with the default TTLs and grace.
 * Served = HTTP 200 without errors; stale = served with extensions.upstream.staleServes > 0.
 */
import { createArchticsClient } from '../src/archtics/client.js';
import type { CommandRunner } from '../src/archtics/types.js';
import { createGateway } from '../src/app.js';
import { createCachedRunner } from '../src/cache/index.js';
import { createLocalLimiter } from '../src/quota/index.js';
import { startSandbox, type SandboxStats } from '../src/sandbox/index.js';
import {
  BENCH_SEED,
  DASHBOARD_QUERY,
  SandboxTimeClock,
  configFor,
  customerId,
  gqlFetch,
  rng,
  shuffled,
  silentLogger,
  world,
  zipf,
} from './harness.js';
import { percentile, verdict, type Figure, type SuiteResult } from './report.js';

const SUITE = '4 budget under load';
const TIME_SCALE = Number(process.env.BENCH_BUDGET_SCALE ?? 0.2);
const SIM_MS = Number(process.env.BENCH_BUDGET_MINUTES ?? 10) * 60_000;
const USERS = 500;
const THINK_MEAN_MS = 60_000;
const PER_MINUTE = 80;
const PER_DAY = 5000;
/** The limiter's window (sandbox ms), when an experiment overrides it; otherwise see limiterWindowMs(). */
const LIMITER_WINDOW_MS = process.env.BENCH_BUDGET_WINDOW_MS
  ? Number(process.env.BENCH_BUDGET_WINDOW_MS)
  : undefined;

/**
 * The window the gateway enforces (60 s + ARCHTICS_WINDOW_MARGIN_MS, as createLimiter builds it
 * from config), on the scaled clock. The margin covers the real time between the limiter's grant
 * and the POST's arrival at the service (CPU, loopback): real time, so on a clock running
 * 1/timeScale times faster it is margin/timeScale simulated ms (1 s real = 5 s at 0.2).
 */
export function limiterWindowMs(marginMs: number, timeScale = TIME_SCALE): number {
  return LIMITER_WINDOW_MS ?? 60_000 + Math.round(marginMs / timeScale);
}
/** Hard cap on operations (the schedule makes ~5,000). */
const MAX_OPS = 8_000;
/** Real ms to wait for operations still running after the last arrival. */
const DRAIN_REAL_MS = 15_000;

export const EVENT_PAGE_QUERY = /* GraphQL */ `
  query EventPage($name: String!) {
    event(name: $name) {
      id
      name
      description
      date
      startsAt
      venue
      season
      priceCodes {
        code
        description
        ticketTypes {
          code
          price {
            amount
            currency
          }
        }
      }
    }
  }
`;

export const AVAILABILITY_QUERY = /* GraphQL */ `
  query Availability($name: String!) {
    event(name: $name) {
      name
      availability {
        section
        available
        minPrice {
          amount
        }
        maxPrice {
          amount
        }
        priceCodes
      }
    }
  }
`;

export type Kind = 'dashboard' | 'event' | 'availability';

export interface Planned {
  at: number;
  kind: Kind;
  body: string;
}

interface Done {
  kind: Kind;
  outcome: 'fresh' | 'stale' | 'failed';
  simMs: number;
  realMs: number;
  codes: string[];
}

/** The seeded schedule: arrival offsets in simulated ms from the start (suite 6 runs it with fewer users). */
export function plan(users = USERS, simMs = SIM_MS): Planned[] {
  const random = rng(BENCH_SEED ^ 0x5eed);
  const accounts = shuffled(
    world().accounts.map((a) => a.acctId),
    random,
  );
  const events = shuffled(
    world().events.map((e) => e.name),
    random,
  );
  const accountRank = zipf(accounts.length, 1, random);
  const eventRank = zipf(events.length, 1, random);
  const think = () => -Math.log(1 - random()) * THINK_MEAN_MS;
  const out: Planned[] = [];
  for (let u = 0; u < users; u++) {
    for (let t = random() * THINK_MEAN_MS; t < simMs; t += think()) {
      const r = random();
      if (r < 0.5) {
        out.push({
          at: t,
          kind: 'dashboard',
          body: JSON.stringify({
            query: DASHBOARD_QUERY,
            variables: { ids: [customerId(accounts[accountRank()])], first: 10 },
          }),
        });
      } else if (r < 0.8) {
        out.push({
          at: t,
          kind: 'event',
          body: JSON.stringify({
            query: EVENT_PAGE_QUERY,
            variables: { name: events[eventRank()] },
          }),
        });
      } else {
        out.push({
          at: t,
          kind: 'availability',
          body: JSON.stringify({
            query: AVAILABILITY_QUERY,
            variables: { name: events[eventRank()] },
          }),
        });
      }
    }
  }
  return out.sort((a, b) => a.at - b.at).slice(0, MAX_OPS);
}

/**
 * The sandbox gives Retry-After in real seconds; the client reads it on its (simulated) clock.
 * This converts it to simulated seconds, so a 429 would be honoured for as long as the sandbox
 * means. Also notes when each 429 arrived. (No effect at timeScale 1.)
 */
export function simulatedRetryAfter(
  timeScale: number,
  clock: SandboxTimeClock,
  seen: number[],
): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    if (res.status !== 429) return res;
    seen.push(clock.now());
    const realSeconds = Number(res.headers.get('retry-after') ?? '1');
    const headers = new Headers(res.headers);
    headers.set('retry-after', String(Math.max(1, Math.ceil(realSeconds / timeScale))));
    return new Response(await res.arrayBuffer(), {
      status: res.status,
      statusText: res.statusText,
      headers,
    });
  };
}

/**
 * Suite 4 runs twice: against the sandbox as it is (fast commands answer 200), then against a
 * service that answers every command 202 first with its result on the second poll
 * (SANDBOX_ASYNC=always, SANDBOX_POLLS_TO_RESULT=2): a read then costs 3 POSTs, and the poll-aware
 * planner must still keep every minute ≤ 80 with no 429 and no UPSTREAM_TIMEOUT.
 * BENCH_BUDGET_ASYNC=auto|always runs only one of them.
 */
export async function budgetSuite(): Promise<SuiteResult> {
  const started = performance.now();
  const only = process.env.BENCH_BUDGET_ASYNC;
  const modes = (['auto', 'always'] as const).filter((m) => !only || only === m);
  const figures: Figure[] = [];
  let method = '';
  for (const mode of modes) {
    const r = await budgetRun(mode);
    figures.push(...r.figures);
    method = r.method;
  }
  return {
    suite: SUITE,
    method: `${method} Run once as is, once with every command answered 202 first and its result on poll 2.`,
    figures,
    durationMs: performance.now() - started,
  };
}

async function budgetRun(mode: 'auto' | 'always'): Promise<{ figures: Figure[]; method: string }> {
  const started = performance.now();
  const schedule = plan();
  const tag = mode === 'always' ? ' [202 first, result on poll 2]' : '';
  const sb = await startSandbox({
    seed: BENCH_SEED,
    ratePerMinute: PER_MINUTE,
    ratePerDay: PER_DAY,
    timeScale: TIME_SCALE,
    ...(mode === 'always' ? { forceAsync: true, pollsToResult: 2 } : {}),
  });
  const clock = new SandboxTimeClock(sb);
  const marginEnv: Record<string, string> = process.env.ARCHTICS_WINDOW_MARGIN_MS
    ? { ARCHTICS_WINDOW_MARGIN_MS: process.env.ARCHTICS_WINDOW_MARGIN_MS }
    : {};
  const config = configFor(sb, { ratePerMinute: PER_MINUTE, ratePerDay: PER_DAY }, marginEnv);
  const windowMs = limiterWindowMs(config.archtics.windowMarginMs);
  const limiter = createLocalLimiter({
    ratePerMinute: PER_MINUTE,
    ratePerDay: PER_DAY,
    queueMax: config.archtics.queueMax,
    clock,
    windowMs,
  });
  const upstream429At: number[] = [];
  const client = createArchticsClient({
    config: config.archtics,
    limiter,
    clock,
    fetch: simulatedRetryAfter(TIME_SCALE, clock, upstream429At),
  });
  const cache = createCachedRunner({
    inner: client,
    config: config.cache,
    clock,
    context: { siteName: config.archtics.siteName },
  });
  const gateway = await createGateway({
    config,
    logger: silentLogger,
    runner: client,
    limiter,
    clock,
    wrapRunner: (_inner: CommandRunner) => cache,
  });

  const done: Done[] = [];
  let stats: SandboxStats;
  let lateArrivals = 0;
  let startedAt = 0;
  try {
    const run = async (p: Planned): Promise<void> => {
      const s0 = clock.now();
      const r0 = performance.now();
      let outcome: Done['outcome'] = 'failed';
      let codes: string[] = [];
      try {
        const answer = await gqlFetch(gateway.yoga.fetch, 'http://gateway.invalid/graphql', p.body);
        const errors: { extensions?: { code?: string } }[] = answer.json?.errors ?? [];
        codes = errors.map((e) => e.extensions?.code ?? 'UNKNOWN');
        if (answer.status === 200 && errors.length === 0 && answer.json?.data) {
          outcome = (answer.json.extensions?.upstream?.staleServes ?? 0) > 0 ? 'stale' : 'fresh';
        } else if (codes.length === 0) codes = [`HTTP_${answer.status}`];
      } catch (err) {
        codes = [err instanceof Error ? err.name : 'THROWN'];
      }
      done.push({
        kind: p.kind,
        outcome,
        simMs: clock.now() - s0,
        realMs: performance.now() - r0,
        codes,
      });
    };

    const t0 = clock.now();
    startedAt = t0;
    const inflight = new Set<Promise<void>>();
    for (const p of schedule) {
      const wait = t0 + p.at - clock.now();
      if (wait > 0) await clock.sleep(wait);
      else if (wait < -1_000) lateArrivals++;
      const op = run(p);
      inflight.add(op);
      void op.finally(() => inflight.delete(op));
    }
    // Let the last operations finish (their read deadline bounds them), within a real-time bound.
    await Promise.race([
      Promise.allSettled([...inflight]),
      new Promise((r) => setTimeout(r, DRAIN_REAL_MS)),
    ]);
    stats = sb.stats();
  } finally {
    await gateway.close();
    await client.close();
    await sb.close();
  }

  const total = schedule.length;
  const fresh = done.filter((d) => d.outcome === 'fresh').length;
  const stale = done.filter((d) => d.outcome === 'stale').length;
  const served = fresh + stale;
  const unfinished = total - done.length;
  const codeCounts: Record<string, number> = {};
  for (const d of done) for (const c of new Set(d.codes)) codeCounts[c] = (codeCounts[c] ?? 0) + 1;
  const byKind = Object.fromEntries(
    (['dashboard', 'event', 'availability'] as Kind[]).map((k) => {
      const ds = done.filter((d) => d.kind === k);
      return [
        k,
        {
          total: ds.length,
          fresh: ds.filter((d) => d.outcome === 'fresh').length,
          stale: ds.filter((d) => d.outcome === 'stale').length,
          failed: ds.filter((d) => d.outcome === 'failed').length,
        },
      ];
    }),
  );
  const sim = done.map((d) => d.simMs);
  const servedSim = done.filter((d) => d.outcome !== 'failed').map((d) => d.simMs);
  const cacheStats = cache.stats();
  const detail = {
    timeScale: TIME_SCALE,
    limiterWindowMs: windowMs,
    windowMarginRealMs: config.archtics.windowMarginMs,
    operations: total,
    byKind,
    errorCodes: codeCounts,
    unfinished,
    lateArrivals,
    latencySimMs: {
      p50: percentile(sim, 50),
      p90: percentile(sim, 90),
      p99: percentile(sim, 99),
      max: percentile(sim, 100),
    },
    servedLatencySimMs: { p50: percentile(servedSim, 50), p99: percentile(servedSim, 99) },
    latencyRealMs: {
      p50: percentile(
        done.map((d) => d.realMs),
        50,
      ),
      p99: percentile(
        done.map((d) => d.realMs),
        99,
      ),
    },
    upstream429AtSimS: upstream429At.map((t) => Math.round((t - startedAt) / 100) / 10),
    sandbox: {
      posts: stats.posts,
      commands: stats.commands,
      maxPostsInAnyMinute: stats.maxPostsInAnyMinute,
      rateLimited429: stats.rateLimited429,
      byStatus: stats.byStatus,
    },
    cache: cacheStats,
  };
  const figures: Figure[] = [
    {
      suite: SUITE,
      figure: `operations served (fresh + stale) of offered${tag}`,
      ours: served,
      baseline: total,
      ratio: served / total,
      unit: 'ops',
      target: '(info)',
      verdict: 'info',
      note: `${fresh} fresh, ${stale} stale, ${total - served} failed or unfinished; by kind in JSON`,
      detail,
    },
    {
      suite: SUITE,
      figure: `stale answers among served${tag}`,
      ours: stale,
      baseline: served,
      ratio: served ? stale / served : null,
      unit: 'ops',
      target: '(info)',
      verdict: 'info',
    },
    {
      suite: SUITE,
      figure: `upstream POSTs in the busiest minute vs the limit${tag}`,
      ours: stats.maxPostsInAnyMinute,
      baseline: PER_MINUTE,
      ratio: stats.maxPostsInAnyMinute / PER_MINUTE,
      unit: '',
      target: `≤ ${PER_MINUTE} (ratio ≤ 1.00)`,
      verdict: verdict(stats.maxPostsInAnyMinute <= PER_MINUTE),
      note: `sandbox's sliding-window count of every POST (refused ones too); ${stats.byStatus['200'] ?? 0} admitted and ${stats.rateLimited429} refused over ${SIM_MS / 60_000} simulated minutes`,
    },
    {
      suite: SUITE,
      figure: `429 answers seen${tag}`,
      ours: stats.rateLimited429,
      baseline: null,
      ratio: null,
      unit: '',
      target: '0',
      verdict: verdict(stats.rateLimited429 === 0),
      note: upstream429At.length
        ? `first at ${Math.round((upstream429At[0] - startedAt) / 100) / 10} simulated s (times in JSON)`
        : undefined,
    },
    {
      suite: SUITE,
      figure: `operation latency p50 (all operations, simulated)${tag}`,
      ours: percentile(sim, 50),
      baseline: null,
      ratio: null,
      unit: 'ms',
      target: '(info)',
      verdict: 'info',
      note: `×${Math.round(1 / TIME_SCALE)} CPU time included: an upper bound`,
    },
    {
      suite: SUITE,
      figure: `operation latency p99 (all operations, simulated)${tag}`,
      ours: percentile(sim, 99),
      baseline: null,
      ratio: null,
      unit: 'ms',
      target: '(info)',
      verdict: 'info',
      note: 'bounded by the client read deadline (30 s) for reads that wait for budget',
    },
  ];
  figures.push({
    suite: SUITE,
    figure: `operations failed with UPSTREAM_TIMEOUT${tag}`,
    ours: codeCounts.UPSTREAM_TIMEOUT ?? 0,
    baseline: null,
    ratio: null,
    unit: 'ops',
    target: '0',
    verdict: verdict((codeCounts.UPSTREAM_TIMEOUT ?? 0) === 0),
    note: `sandbox: ${stats.posts} POSTs, ${stats.polls} of them polls; ${Math.round((performance.now() - started) / 1000)} real s`,
  });
  return {
    method: `${USERS} users, exponential think time (mean ${THINK_MEAN_MS / 1000} s), ${SIM_MS / 60_000} simulated minutes at timeScale ${TIME_SCALE}; dashboard/event/availability 50/30/20; Zipf(1) over 2,000 accounts and over the events; sandbox limited to ${PER_MINUTE}/min and ${PER_DAY}/day; limiter, client and cache on the sandbox's clock; cache via wrapRunner; in-process yoga.fetch.`,
    figures,
  };
}
