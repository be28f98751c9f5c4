/**
 * Suite 6 — warm identical dashboards (the response cache). The same dashboard operation as suite 2,
 * repeated, against three servers in suite 2's child process (bench/overhead-server.ts):
 *   ours     — the gateway with its defaults: the response cache answers the repeated operation;
 *   baseline — a bare graphql-yoga server with the same response-cache plugin (in-memory),
 *              answering the same shape from memory;
 *   today    — the gateway with the response cache off (the command cache answers every command;
 *              the 250-seat tree executes every time): the figure before the response cache.
 * Runs alternate ours, baseline, today (3 s each, 10 connections, same body); medians of the runs.
 * Targets: ours ≥ 0.9 × baseline and ≥ 5 × today, both in this run; p50 and p99 reported.
 */
import { median, verdict, type Figure, type SuiteResult } from './report.js';
import { load, startServers, stopServers, type Run } from './overhead.js';

const SUITE = '6 response cache (warm)';
const ROUNDS = 3;

export async function responseCacheSuite(): Promise<SuiteResult> {
  const started = performance.now();
  const { child, info } = await startServers();
  const runs: Run[] = [];
  try {
    if (!info.cachedReport?.responseCacheHit)
      throw new Error(
        `the warmed gateway did not answer from its response cache: ${JSON.stringify(info.cachedReport)}`,
      );
    const sides: [string, string][] = [
      ['ours', info.cached],
      ['baseline', info.bareCached],
      ['today', info.gateway],
    ];
    for (const [side, url] of sides) await load(side, url, info.body); // warm-up, not counted
    for (let round = 0; round < ROUNDS; round++)
      for (const [side, url] of sides) runs.push(await load(side, url, info.body));
  } finally {
    await stopServers(child);
  }
  const m = (s: string, k: 'rps' | 'p50' | 'p99') =>
    median(runs.filter((r) => r.side === s).map((r) => r[k]))!;
  const failures = runs.reduce((n, r) => n + r.errors + r.non2xx, 0);
  const vsBaseline = m('ours', 'rps') / m('baseline', 'rps');
  const vsToday = m('ours', 'rps') / m('today', 'rps');
  const clean = failures === 0 && info.cachedSameAnswer;
  const detail = { runs, cachedReport: info.cachedReport, sameAnswer: info.cachedSameAnswer };
  const figures: Figure[] = [
    {
      suite: SUITE,
      figure: 'warm identical dashboard: throughput, gateway vs bare yoga + response cache',
      ours: m('ours', 'rps'),
      baseline: m('baseline', 'rps'),
      ratio: vsBaseline,
      unit: 'req/s',
      target: '≥ 0.90',
      verdict: verdict(vsBaseline >= 0.9 && clean),
      note: `same answer: ${info.cachedSameAnswer}; failed requests: ${failures}`,
      detail,
    },
    {
      suite: SUITE,
      figure: 'warm identical dashboard: throughput, response cache on vs off (today)',
      ours: m('ours', 'rps'),
      baseline: m('today', 'rps'),
      ratio: vsToday,
      unit: 'req/s',
      target: '≥ 5×',
      verdict: verdict(vsToday >= 5 && clean),
    },
    {
      suite: SUITE,
      figure: 'warm identical dashboard: p50 latency, gateway vs bare yoga + response cache',
      ours: m('ours', 'p50'),
      baseline: m('baseline', 'p50'),
      ratio: m('ours', 'p50') / m('baseline', 'p50'),
      unit: 'ms',
      target: '(info)',
      verdict: 'info',
    },
    {
      suite: SUITE,
      figure: 'warm identical dashboard: p99 latency, gateway vs bare yoga + response cache',
      ours: m('ours', 'p99'),
      baseline: m('baseline', 'p99'),
      ratio: m('ours', 'p99') / m('baseline', 'p99'),
      unit: 'ms',
      target: '(info)',
      verdict: 'info',
    },
    {
      suite: SUITE,
      figure: 'warm identical dashboard: p50 latency, response cache on vs off',
      ours: m('ours', 'p50'),
      baseline: m('today', 'p50'),
      ratio: m('ours', 'p50') / m('today', 'p50'),
      unit: 'ms',
      target: '(info)',
      verdict: 'info',
    },
    {
      suite: SUITE,
      figure: 'warm identical dashboard: p99 latency, response cache on vs off',
      ours: m('ours', 'p99'),
      baseline: m('today', 'p99'),
      ratio: m('ours', 'p99') / m('today', 'p99'),
      unit: 'ms',
      target: '(info)',
      verdict: 'info',
    },
  ];
  return {
    suite: SUITE,
    method: `autocannon (10 connections) on 127.0.0.1, the repeated dashboard against the gateway with its response cache (ours), a bare graphql-yoga server with @graphql-yoga/plugin-response-cache in memory (baseline) and the gateway with the response cache off (today), all in one child process; ${ROUNDS} alternating rounds of 3 s per side after a warm-up; medians.`,
    figures,
    durationMs: performance.now() - started,
  };
}
