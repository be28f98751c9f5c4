/**
 * Suite 7 — the cold dashboard. The 25-holder dashboard with nothing cached, through the gateway
 * (yoga.fetch in process, its defaults: budget gate, command cache, response cache) and through a
 * plain per-tick DataLoader baseline (bench/dataloader-executor.ts: a bare graphql-yoga server,
 * one DataLoader per command, the same command client, no cache, no budget gate), both against one
 * sandbox over 127.0.0.1, every POST counted at /__sandbox/stats.
 *
 *   - cold latency: runs alternate ours, baseline (the gateway's caches cleared before each of its
 *     runs); medians. Target: ours ≤ 1.10 × the baseline, with the same POSTs (the minimum, 56).
 *   - 10 simultaneous identical cold dashboards: POSTs in all. Target: those of one (56).
 *   - overlapping dashboard: after the dashboard of holders 1–25, the dashboard of holders 2–26
 *     (24 seen + 1 new). Target: 2 POSTs (the new holder's customer_query and seats_sold).
 */
import { createArchticsClient, unlimitedLimiter } from '../src/archtics/client.js';
import { createArchticsApi } from '../src/archtics/commands/index.js';
import { createGateway, type Gateway } from '../src/app.js';
import { MemoryResponseStore } from '../src/cache/response-store.js';
import { startSandbox, type RunningSandbox } from '../src/sandbox/index.js';
import { createDataLoaderYoga } from './dataloader-executor.js';
import {
  BENCH_SEED,
  NO_LIMIT,
  configFor,
  dashboardBody,
  gqlFetch,
  seatHolders,
  silentLogger,
  type GqlAnswer,
} from './harness.js';
import { median, ratioOf, verdict, type Figure, type SuiteResult } from './report.js';

const SUITE = '7 cold dashboard';
const ROUNDS = 7;
const HOLDERS = 25;
const SIMULTANEOUS = 10;

async function posts(sb: RunningSandbox): Promise<number> {
  return ((await (await fetch(`${sb.url}/__sandbox/stats`)).json()) as { posts: number }).posts;
}

/** Nothing cached: the command cache's and the response cache's in-process tiers emptied. */
function chill(gateway: Gateway): void {
  gateway.upstream.cache?.clear();
  if (gateway.responses instanceof MemoryResponseStore) gateway.responses.clear();
}

function distinctEvents(data: any): number {
  const names = new Set<string>();
  for (const node of data?.nodes ?? [])
    for (const edge of node?.seats?.edges ?? []) names.add(edge?.node?.event?.name);
  return names.size;
}

interface Timed {
  ms: number;
  posts: number;
  answer: GqlAnswer;
}

async function timed(sb: RunningSandbox, run: () => Promise<GqlAnswer>): Promise<Timed> {
  const before = await posts(sb);
  const t0 = performance.now();
  const answer = await run();
  const ms = performance.now() - t0;
  return { ms, posts: (await posts(sb)) - before, answer };
}

export async function coldSuite(): Promise<SuiteResult> {
  const started = performance.now();
  const sb = await startSandbox({ seed: BENCH_SEED, ...NO_LIMIT });
  const config = configFor(sb, NO_LIMIT);
  const gateway = await createGateway({ config, logger: silentLogger });
  const client = createArchticsClient({ config: config.archtics, limiter: unlimitedLimiter });
  const baseline = createDataLoaderYoga(createArchticsApi(client));
  try {
    const holders = seatHolders(HOLDERS + 1);
    const body = dashboardBody(holders.slice(0, HOLDERS));
    const ours = () => gqlFetch(gateway.yoga.fetch, 'http://gateway.invalid/graphql', body);
    const theirs = () => gqlFetch(baseline.fetch, 'http://baseline.invalid/graphql', body);

    // Warm-up of the code (not of the caches), not counted.
    chill(gateway);
    const reference = await timed(sb, theirs);
    await ours();
    const runs: { side: 'ours' | 'baseline'; ms: number; posts: number; same: boolean }[] = [];
    const expected = JSON.stringify(reference.answer.json?.data);
    for (let round = 0; round < ROUNDS; round++) {
      chill(gateway);
      const a = await timed(sb, ours);
      runs.push({
        side: 'ours',
        ms: a.ms,
        posts: a.posts,
        same: JSON.stringify(a.answer.json?.data) === expected && !a.answer.json?.errors,
      });
      const b = await timed(sb, theirs);
      runs.push({
        side: 'baseline',
        ms: b.ms,
        posts: b.posts,
        same: JSON.stringify(b.answer.json?.data) === expected && !b.answer.json?.errors,
      });
    }
    const minimum = HOLDERS + HOLDERS + 1 + distinctEvents(reference.answer.json?.data);
    const side = (s: 'ours' | 'baseline') => runs.filter((r) => r.side === s);
    const latency = (s: 'ours' | 'baseline') => median(side(s).map((r) => r.ms))!;
    const samePosts = runs.every((r) => r.posts === minimum);
    const sameAnswers = runs.every((r) => r.same);
    const coldRatio = latency('ours') / latency('baseline');

    // 10 simultaneous identical cold dashboards.
    chill(gateway);
    const together = await timed(sb, async () => {
      const all = await Promise.all(Array.from({ length: SIMULTANEOUS }, ours));
      return all.find((r) => r.json?.errors) ?? all[0];
    });

    // Overlapping: holders 1–25 seen, then holders 2–26.
    chill(gateway);
    await ours();
    const overlap = await timed(sb, () =>
      gqlFetch(
        gateway.yoga.fetch,
        'http://gateway.invalid/graphql',
        dashboardBody(holders.slice(1, HOLDERS + 1)),
      ),
    );

    const figures: Figure[] = [
      {
        suite: SUITE,
        figure: 'cold dashboard: latency, gateway vs per-tick DataLoader',
        ours: latency('ours'),
        baseline: latency('baseline'),
        ratio: coldRatio,
        unit: 'ms',
        target: '≤ 1.10',
        verdict: verdict(coldRatio <= 1.1 && samePosts && sameAnswers),
        note: `POSTs per run: ${[...new Set(runs.map((r) => r.posts))].join('/')} (minimum ${minimum}); same answers: ${sameAnswers}; ${ROUNDS} alternating runs, medians`,
        detail: { runs },
      },
      {
        suite: SUITE,
        figure: `${SIMULTANEOUS} simultaneous identical cold dashboards: upstream POSTs`,
        ours: together.posts,
        baseline: minimum,
        ratio: ratioOf(together.posts, minimum),
        unit: '',
        target: `= ${minimum}`,
        verdict: verdict(together.posts === minimum && !together.answer.json?.errors),
      },
      {
        suite: SUITE,
        figure: 'overlapping dashboard (24 holders seen + 1 new): upstream POSTs',
        ours: overlap.posts,
        baseline: 2,
        ratio: ratioOf(overlap.posts, 2),
        unit: '',
        target: '= 2',
        verdict: verdict(overlap.posts === 2 && !overlap.answer.json?.errors),
        note: 'the new holder’s customer_query and seats_sold; the 24 others and every event come from the command cache',
      },
    ];
    return {
      suite: SUITE,
      method: `The ${HOLDERS}-holder dashboard with nothing cached: the gateway (yoga.fetch in process, defaults; its caches cleared before each run) vs a bare graphql-yoga server with one per-tick DataLoader per command over the same command client (no cache, no budget gate); ${ROUNDS} alternating runs, medians; then ${SIMULTANEOUS} identical cold dashboards at once, and a dashboard overlapping the previous one by 24 holders. POSTs counted at the sandbox.`,
      figures,
      durationMs: performance.now() - started,
    };
  } finally {
    await gateway.close();
    await client.close();
    await sb.close();
  }
}
