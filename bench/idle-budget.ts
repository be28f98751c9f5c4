/**
 * Suite 8 — the idle budget: refresh-ahead and the event catalogue, each beside its "off" twin.
 *
 * - Portal, 100 users and 500 users (suite 4's workload, bench/portal.ts), 10 simulated minutes at
 *   timeScale 0.2, refresh-ahead on, then off (catalogue on in both): the share of operations that
 *   waited on the service (made upstream calls of their own, or were refused), p50 latency, served
 *   and fresh shares, the busiest minute, 429s and the refresher's POSTs per minute. The twins run
 *   one after the other (not at once) so they do not slow each other's sends. Each size writes a
 *   chart, on beside off, to bench/charts/portal-<users>.svg (bench/charts.ts, vega-lite).
 * - Event pages: the event-page operations of the 100-user schedule alone, against a sandbox without
 *   a limit, catalogue on vs off (refresh-ahead off in both): upstream POSTs per 100 operations.
 *
 * BENCH_IDLE_MINUTES shortens the portal runs (default 10).
 */
import { fileURLToPath } from 'node:url';
import { unlimitedLimiter } from '../src/archtics/client.js';
import { startSandbox } from '../src/sandbox/index.js';
import { plan } from './budget.js';
import { writePortalChart } from './charts.js';
import { BENCH_SEED, NO_LIMIT, SandboxTimeClock, configFor, gqlFetch } from './harness.js';
import { PER_MINUTE, gatewayOn, runPortal, summarize, type PortalRun } from './portal.js';
import { verdict, type Figure, type SuiteResult } from './report.js';

const SUITE = '8 idle budget';
const SIM_MINUTES = Number(process.env.BENCH_IDLE_MINUTES ?? 10);
const TIME_SCALE = 0.2;

const chartPath = (users: number) =>
  fileURLToPath(new URL(`./charts/portal-${users}.svg`, import.meta.url));
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

async function twins(users: number): Promise<{ on: PortalRun; off: PortalRun }> {
  const on = await runPortal({
    users,
    simMinutes: SIM_MINUTES,
    timeScale: TIME_SCALE,
    refreshAhead: true,
    catalogue: true,
  });
  const off = await runPortal({
    users,
    simMinutes: SIM_MINUTES,
    timeScale: TIME_SCALE,
    refreshAhead: false,
    catalogue: true,
  });
  await writePortalChart(
    chartPath(users),
    `Portal, ${users} users, ${SIM_MINUTES} simulated minutes: refresh-ahead on beside off`,
    [
      { label: 'refresh-ahead on', minutes: on.minutes },
      { label: 'refresh-ahead off', minutes: off.minutes },
    ],
    PER_MINUTE,
  );
  return { on, off };
}

/** Upstream POSTs (calls + polls, from each operation's report) per 100 event-page operations. */
async function eventPages(
  catalogue: boolean,
): Promise<{ postsPer100: number; operations: number; eventDetails: number }> {
  const ops = plan(100, SIM_MINUTES * 60_000).filter((p) => p.kind === 'event');
  const sb = await startSandbox({ seed: BENCH_SEED, ...NO_LIMIT, timeScale: 0.01 });
  const clock = new SandboxTimeClock(sb);
  const config = configFor(sb, NO_LIMIT, {
    CACHE_REFRESH_AHEAD: 'false',
    CACHE_CATALOGUE: String(catalogue),
    RESPONSE_CACHE: 'false',
  });
  const { gateway, cache, client } = await gatewayOn({ config, clock, limiter: unlimitedLimiter });
  let posts = 0;
  try {
    const t0 = clock.now();
    for (const p of ops) {
      const wait = t0 + p.at - clock.now();
      if (wait > 0) await clock.sleep(wait);
      const answer = await gqlFetch(gateway.yoga.fetch, 'http://gateway.invalid/graphql', p.body);
      const u = answer.json?.extensions?.upstream;
      posts += (u?.calls ?? 0) + (u?.polls ?? 0);
    }
    return {
      postsPer100: (100 * posts) / ops.length,
      operations: ops.length,
      eventDetails: sb.stats().commands.event_details ?? 0,
    };
  } finally {
    await gateway.close();
    await cache.close();
    await client.close();
    await sb.close();
  }
}

export async function idleBudgetSuite(): Promise<SuiteResult> {
  const started = performance.now();
  const p100 = await twins(100);
  const p500 = await twins(500);
  const catOn = await eventPages(true);
  const catOff = await eventPages(false);

  const [a, b] = [summarize(p100.on), summarize(p100.off)];
  const [c, d] = [summarize(p500.on), summarize(p500.off)];
  const waitDrop = b.waitedShare > 0 ? 1 - a.waitedShare / b.waitedShare : 0;
  // Waits on a key's first read cannot be spared by refreshing (only keys read before are): the
  // most refresh-ahead could cut is the off run's other waits.
  const mostDrop = b.waitedShare > 0 ? 1 - b.firstReadsOnlyShare / b.waitedShare : 0;
  const figures: Figure[] = [
    {
      suite: SUITE,
      figure: '100 users: operations that waited on the service, refresh-ahead on vs off',
      ours: a.waitedShare * 100,
      baseline: b.waitedShare * 100,
      ratio: b.waitedShare ? a.waitedShare / b.waitedShare : null,
      unit: '%',
      target: '≤ 0.60 (≥ 40% fewer)',
      verdict: verdict(waitDrop >= 0.4),
      note: `${(100 * waitDrop).toFixed(1)}% fewer (at most ${(100 * mostDrop).toFixed(1)}% could be: see the next row); waited = own upstream calls or refused; chart bench/charts/portal-100.svg`,
      detail: { on: a, off: b, minutesOn: p100.on.minutes, minutesOff: p100.off.minutes },
    },
    {
      suite: SUITE,
      figure: '100 users, off: operations that waited on first reads only, vs all that waited',
      ours: b.firstReadsOnlyShare * 100,
      baseline: b.waitedShare * 100,
      ratio: b.waitedShare ? b.firstReadsOnlyShare / b.waitedShare : null,
      unit: '%',
      target: '(info) above 0.60, a 40% drop is out of reach',
      verdict: 'info',
      note: `every command such an operation sent was the first of its key in the run, and only keys read before are refreshed: refresh-ahead could spare at most ${pct(mostDrop)} of the waits (on: ${pct(a.firstReadsOnlyShare)} of operations); by kind and command in JSON`,
      detail: {
        off: { waitedByKind: b.waitedByKind, postsByCommand: b.postsByCommand },
        on: { waitedByKind: a.waitedByKind, postsByCommand: a.postsByCommand },
      },
    },
    {
      suite: SUITE,
      figure: '100 users: p50 operation latency (simulated), on vs off',
      ours: a.p50SimMs,
      baseline: b.p50SimMs,
      ratio: a.p50SimMs !== null && b.p50SimMs ? a.p50SimMs / b.p50SimMs : null,
      unit: 'ms',
      target: '(info)',
      verdict: 'info',
      note: `p90 ${a.p90SimMs} vs ${b.p90SimMs} ms; refresher ${a.refreshPostsPerMinute.toFixed(1)} POSTs/min; busiest minute ${a.busiestMinute} vs ${b.busiestMinute}`,
    },
    {
      suite: SUITE,
      figure: '500 users: operations served (fresh + stale), on vs off',
      ours: c.servedShare * 100,
      baseline: d.servedShare * 100,
      ratio: d.servedShare ? c.servedShare / d.servedShare : null,
      unit: '%',
      target: 'on ≥ off − 1 point',
      verdict: verdict(c.servedShare >= d.servedShare - 0.01),
      note: `${c.served} vs ${d.served} of ${c.offered}; chart bench/charts/portal-500.svg`,
      detail: { on: c, off: d, minutesOn: p500.on.minutes, minutesOff: p500.off.minutes },
    },
    {
      suite: SUITE,
      figure: '500 users: operations served fresh, on vs off',
      ours: c.freshShare * 100,
      baseline: d.freshShare * 100,
      ratio: d.freshShare ? c.freshShare / d.freshShare : null,
      unit: '%',
      target: 'on > off',
      verdict: verdict(c.freshShare > d.freshShare),
      note: `${pct(c.freshShare)} vs ${pct(d.freshShare)}`,
    },
    {
      suite: SUITE,
      figure: '500 users, refresh-ahead on: busiest minute vs the limit',
      ours: c.busiestMinute,
      baseline: PER_MINUTE,
      ratio: c.busiestMinute / PER_MINUTE,
      unit: '',
      target: `≤ ${PER_MINUTE}`,
      verdict: verdict(c.busiestMinute <= PER_MINUTE),
      note: `off: ${d.busiestMinute}`,
    },
    {
      suite: SUITE,
      figure: '500 users, refresh-ahead on: 429 answers seen',
      ours: c.rateLimited429,
      baseline: null,
      ratio: null,
      unit: '',
      target: '0',
      verdict: verdict(c.rateLimited429 === 0),
      note: `off: ${d.rateLimited429}`,
    },
    {
      suite: SUITE,
      figure: "the refresher's POSTs per minute (100 users | 500 users)",
      ours: a.refreshPostsPerMinute,
      baseline: c.refreshPostsPerMinute,
      ratio: null,
      unit: '/min',
      target: '(info) cap 20/min',
      verdict: 'info',
      note: `outcomes 100: ${JSON.stringify(a.refreshOutcomes)}; 500: ${JSON.stringify(c.refreshOutcomes)}`,
    },
    {
      suite: SUITE,
      figure: 'event pages: upstream POSTs per 100 operations, catalogue on vs off',
      ours: catOn.postsPer100,
      baseline: catOff.postsPer100,
      ratio: catOff.postsPer100 ? catOn.postsPer100 / catOff.postsPer100 : null,
      unit: '',
      target: 'on < off',
      verdict: verdict(catOn.postsPer100 < catOff.postsPer100),
      note: `${catOn.operations} event pages over ${SIM_MINUTES} simulated minutes, no rate limit, refresh-ahead off; event_details commands ${catOn.eventDetails} vs ${catOff.eventDetails}`,
    },
  ];
  return {
    suite: SUITE,
    method: `suite 4's portal workload with 100 and 500 users, ${SIM_MINUTES} simulated minutes at timeScale ${TIME_SCALE}, refresh-ahead on then off (catalogue on); event pages alone without a rate limit, catalogue on then off; charts in bench/charts/.`,
    figures,
    durationMs: performance.now() - started,
  };
}
