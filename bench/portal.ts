/**
 * One run of the portal workload of suite 4 (bench/budget.ts: dashboards, event pages and
 * availability views, Zipf over accounts and events, exponential think time) with a chosen number
 * of users and the cache's idle-budget features on or off, on the sandbox's scaled clock. Suite 8
 * runs it in twins (on beside off) and charts it minute by minute.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createArchticsClient } from '../src/archtics/client.js';
import type { CommandRunner } from '../src/archtics/types.js';
import { createGateway } from '../src/app.js';
import { createCachedRunner, type RefreshEvent } from '../src/cache/index.js';
import type { Clock } from '../src/clock.js';
import type { Config } from '../src/config.js';
import { createLocalLimiter, type Limiter } from '../src/quota/index.js';
import { startSandbox, type SandboxStats } from '../src/sandbox/index.js';
import { limiterWindowMs, plan, simulatedRetryAfter, type Kind } from './budget.js';
import type { MinuteRow } from './charts.js';
import { BENCH_SEED, SandboxTimeClock, configFor, gqlFetch, silentLogger } from './harness.js';
import { percentile } from './report.js';

export const PER_MINUTE = 80;
const PER_DAY = 5000;
/** Real ms to wait for operations still running after the last arrival. */
const DRAIN_REAL_MS = 15_000;

export interface PortalOptions {
  users: number;
  simMinutes: number;
  timeScale: number;
  refreshAhead: boolean;
  catalogue: boolean;
}

export interface OpRecord {
  kind: Kind;
  /** Simulated ms since the run started, when the operation was sent. */
  startSim: number;
  outcome: 'fresh' | 'stale' | 'refused';
  /** It spent upstream calls of its own (calls or polls > 0), or was refused: it waited on the service. */
  waited: boolean;
  /** Upstream POSTs on its own trace. */
  posts: number;
  /**
   * It sent POSTs, and every command it sent was one nobody had sent before in this run (a first
   * read of that key: no refresh could have spared the wait, since only keys read before are
   * refreshed).
   */
  firstReadsOnly: boolean;
  simMs: number;
  codes: string[];
}

export interface PortalRun {
  options: PortalOptions;
  ops: OpRecord[];
  offered: number;
  minutes: MinuteRow[];
  sandbox: Pick<SandboxStats, 'posts' | 'maxPostsInAnyMinute' | 'rateLimited429' | 'commands'>;
  refresh: { posts: number; outcomes: Record<string, number> };
  /** Callers' POSTs by command, and the refresher's, and how many of the callers' were first reads of their key. */
  postsByCommand: {
    callers: Record<string, number>;
    callersFirstRead: Record<string, number>;
    refresher: Record<string, number>;
  };
}

/** A POST's command and fields (the envelope's caller and DSN aside): one cached key, roughly. */
async function commandKey(
  input: Parameters<typeof fetch>[0],
  init?: RequestInit,
): Promise<{ command: string; key: string }> {
  try {
    const text = input instanceof Request ? await input.clone().text() : String(init?.body ?? '');
    const { cmd, uid: _uid, dsn: _dsn, ref: _ref, ...fields } = JSON.parse(text).command1 ?? {};
    const command = String(cmd ?? '?').toLowerCase();
    return { command, key: `${command} ${JSON.stringify(fields)}` };
  } catch {
    return { command: '?', key: '?' };
  }
}

/** Everything counted per simulated minute. */
function byMinute(
  run: { ops: OpRecord[]; postsAt: number[]; refreshAt: { at: number; posts: number }[] },
  minutes: number,
): MinuteRow[] {
  const rows: MinuteRow[] = Array.from({ length: minutes }, (_, minute) => ({
    minute,
    posts: 0,
    refreshPosts: 0,
    fresh: 0,
    stale: 0,
    refused: 0,
  }));
  const row = (simMs: number) =>
    rows[Math.min(minutes - 1, Math.max(0, Math.floor(simMs / 60_000)))];
  for (const t of run.postsAt) row(t).posts++;
  for (const r of run.refreshAt) row(r.at).refreshPosts += r.posts;
  for (const op of run.ops) row(op.startSim)[op.outcome]++;
  return rows;
}

/**
 * A gateway whose client, limiter, cache and operation deadlines all run on the sandbox's clock.
 * Without `clock`, createGateway would count deadlines in real epoch ms, which the scaled clock has
 * long passed: every read that had to wait for budget would be refused at once.
 */
export async function gatewayOn(opts: {
  config: Config;
  clock: Clock;
  limiter: Limiter;
  fetch?: typeof fetch;
  onRefresh?: (e: RefreshEvent) => void;
}) {
  const { config, clock, limiter } = opts;
  const client = createArchticsClient({
    config: config.archtics,
    limiter,
    clock,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  const cache = createCachedRunner({
    inner: client,
    config: config.cache,
    clock,
    context: { siteName: config.archtics.siteName },
    ...(opts.onRefresh ? { onRefresh: opts.onRefresh } : {}),
  });
  const gateway = await createGateway({
    config,
    logger: silentLogger,
    runner: client,
    limiter,
    clock,
    wrapRunner: (_inner: CommandRunner) => cache,
  });
  return { gateway, cache, client };
}

export async function runPortal(options: PortalOptions): Promise<PortalRun> {
  const simMs = options.simMinutes * 60_000;
  const schedule = plan(options.users, simMs);
  const sb = await startSandbox({
    seed: BENCH_SEED,
    ratePerMinute: PER_MINUTE,
    ratePerDay: PER_DAY,
    timeScale: options.timeScale,
  });
  const clock = new SandboxTimeClock(sb);
  const config: Config = configFor(
    sb,
    { ratePerMinute: PER_MINUTE, ratePerDay: PER_DAY },
    {
      CACHE_REFRESH_AHEAD: String(options.refreshAhead),
      CACHE_CATALOGUE: String(options.catalogue),
    },
  );
  const limiter = createLocalLimiter({
    ratePerMinute: PER_MINUTE,
    ratePerDay: PER_DAY,
    queueMax: config.archtics.queueMax,
    clock,
    windowMs: limiterWindowMs(config.archtics.windowMarginMs, options.timeScale),
  });
  let t0 = clock.now();
  const postsAt: number[] = [];
  const seen429: number[] = [];
  const retryAfter = simulatedRetryAfter(options.timeScale, clock, seen429);
  // Which operation sent each POST (none: the refresher), and which sent each key first.
  const opOf = new AsyncLocalStorage<number>();
  const firstSender = new Map<string, number | undefined>();
  const sentBy = new Map<number, Set<string>>();
  const postsByCommand: PortalRun['postsByCommand'] = {
    callers: {},
    callersFirstRead: {},
    refresher: {},
  };
  const bump = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);
  const countingFetch: typeof fetch = async (input, init) => {
    postsAt.push(clock.now() - t0);
    const op = opOf.getStore();
    const { command, key } = await commandKey(input, init);
    if (!firstSender.has(key)) firstSender.set(key, op);
    if (op === undefined) bump(postsByCommand.refresher, command);
    else {
      bump(postsByCommand.callers, command);
      if (firstSender.get(key) === op) bump(postsByCommand.callersFirstRead, command);
      let keys = sentBy.get(op);
      if (!keys) sentBy.set(op, (keys = new Set()));
      keys.add(key);
    }
    return retryAfter(input, init);
  };
  const refreshAt: { at: number; posts: number }[] = [];
  const refreshOutcomes: Record<string, number> = {};
  const { gateway, cache, client } = await gatewayOn({
    config,
    clock,
    limiter,
    fetch: countingFetch,
    onRefresh(e: RefreshEvent) {
      refreshOutcomes[e.outcome] = (refreshOutcomes[e.outcome] ?? 0) + 1;
      if (e.posts > 0) refreshAt.push({ at: clock.now() - t0, posts: e.posts });
    },
  });

  const ops: OpRecord[] = [];
  let stats: SandboxStats;
  try {
    const runOne = async (index: number, kind: Kind, body: string): Promise<void> => {
      const s0 = clock.now();
      let outcome: OpRecord['outcome'] = 'refused';
      let codes: string[] = [];
      let posts = 0;
      try {
        const answer = await gqlFetch(gateway.yoga.fetch, 'http://gateway.invalid/graphql', body);
        const errors: { extensions?: { code?: string } }[] = answer.json?.errors ?? [];
        codes = errors.map((e) => e.extensions?.code ?? 'UNKNOWN');
        const upstream = answer.json?.extensions?.upstream;
        posts = (upstream?.calls ?? 0) + (upstream?.polls ?? 0);
        if (answer.status === 200 && errors.length === 0 && answer.json?.data)
          outcome = (upstream?.staleServes ?? 0) > 0 ? 'stale' : 'fresh';
        else if (codes.length === 0) codes = [`HTTP_${answer.status}`];
      } catch (err) {
        codes = [err instanceof Error ? err.name : 'THROWN'];
      }
      const keys = [...(sentBy.get(index) ?? [])];
      ops.push({
        kind,
        startSim: s0 - t0,
        outcome,
        waited: outcome === 'refused' || posts > 0,
        posts,
        firstReadsOnly: keys.length > 0 && keys.every((k) => firstSender.get(k) === index),
        simMs: clock.now() - s0,
        codes,
      });
    };
    t0 = clock.now();
    postsAt.length = 0;
    const inflight = new Set<Promise<void>>();
    for (const [index, p] of schedule.entries()) {
      const wait = t0 + p.at - clock.now();
      if (wait > 0) await clock.sleep(wait);
      const op = opOf.run(index, () => runOne(index, p.kind, p.body));
      inflight.add(op);
      void op.finally(() => inflight.delete(op));
    }
    await Promise.race([
      Promise.allSettled([...inflight]),
      new Promise((r) => setTimeout(r, DRAIN_REAL_MS)),
    ]);
    stats = sb.stats();
  } finally {
    await gateway.close();
    await cache.close();
    await client.close();
    await sb.close();
  }
  return {
    options,
    ops,
    offered: schedule.length,
    minutes: byMinute({ ops, postsAt, refreshAt }, options.simMinutes),
    sandbox: {
      posts: stats.posts,
      maxPostsInAnyMinute: stats.maxPostsInAnyMinute,
      rateLimited429: stats.rateLimited429,
      commands: stats.commands,
    },
    refresh: { posts: refreshAt.reduce((a, r) => a + r.posts, 0), outcomes: refreshOutcomes },
    postsByCommand,
  };
}

/** The figures of one run that suite 8 compares. */
export function summarize(run: PortalRun) {
  const n = run.offered;
  const count = (f: (o: OpRecord) => boolean) => run.ops.filter(f).length;
  const fresh = count((o) => o.outcome === 'fresh');
  const stale = count((o) => o.outcome === 'stale');
  return {
    offered: n,
    fresh,
    stale,
    served: fresh + stale,
    servedShare: (fresh + stale) / n,
    freshShare: fresh / n,
    /** Operations that waited on the service (own upstream calls, or refused), of all offered. */
    waitedShare: (count((o) => o.waited) + (n - run.ops.length)) / n,
    /** Of all offered, those that waited only on first reads of their keys: no refresh could spare them. */
    firstReadsOnlyShare: count((o) => o.waited && o.firstReadsOnly) / n,
    waitedByKind: Object.fromEntries(
      (['dashboard', 'event', 'availability'] as Kind[]).map((k) => [
        k,
        {
          offered: count((o) => o.kind === k),
          waited: count((o) => o.kind === k && o.waited),
          firstReadsOnly: count((o) => o.kind === k && o.waited && o.firstReadsOnly),
        },
      ]),
    ),
    postsByCommand: run.postsByCommand,
    p50SimMs: percentile(
      run.ops.map((o) => o.simMs),
      50,
    ),
    p90SimMs: percentile(
      run.ops.map((o) => o.simMs),
      90,
    ),
    busiestMinute: run.sandbox.maxPostsInAnyMinute,
    rateLimited429: run.sandbox.rateLimited429,
    refreshPostsPerMinute: run.refresh.posts / run.options.simMinutes,
    refreshOutcomes: run.refresh.outcomes,
    posts: run.sandbox.posts,
  };
}
