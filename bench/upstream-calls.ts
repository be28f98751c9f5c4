/**
 * Suite 1 — upstream calls per operation. The dashboard query of the GraphQL tests (25 customers ×
 * their first 10 seats, each seat's event with name, date, venue and price codes) runs once
 * through the gateway and once through a naive executor, each against a freshly reset sandbox,
 * and every POST is counted where it lands: the sandbox's GET /__sandbox/stats.
 *
 * The theoretical minimum is the set of distinct commands the answer needs: one customer_query and
 * one seats_sold per customer, one event_details for every event (it takes a list), and one
 * event_price_info per distinct event. The distinct events are read from the naive answer, which
 * was produced without any of the gateway's code paths for batching.
 */
import { createArchticsClient, unlimitedLimiter } from '../src/archtics/client.js';
import { createArchticsApi } from '../src/archtics/commands/index.js';
import { createGateway } from '../src/app.js';
import { startSandbox, type RunningSandbox, type SandboxStats } from '../src/sandbox/index.js';
import {
  BENCH_SEED,
  DASHBOARD_QUERY,
  NO_LIMIT,
  configFor,
  customerId,
  gqlFetch,
  seatHolders,
  silentLogger,
} from './harness.js';
import { runNaive } from './naive-executor.js';
import { ratioOf, verdict, type Figure, type SuiteResult } from './report.js';

const SUITE = '1 upstream calls';
const CUSTOMERS = 25;
const FIRST_SEATS = 10;

async function sandboxStats(sb: RunningSandbox): Promise<SandboxStats> {
  const res = await fetch(`${sb.url}/__sandbox/stats`);
  return (await res.json()) as SandboxStats;
}

async function resetSandbox(sb: RunningSandbox): Promise<void> {
  await fetch(`${sb.url}/__sandbox/reset`, { method: 'POST' }).then((r) => r.text());
}

function distinctEvents(data: any): string[] {
  const names = new Set<string>();
  for (const node of data?.nodes ?? [])
    for (const edge of node?.seats?.edges ?? [])
      if (edge?.node?.event?.name) names.add(edge.node.event.name);
  return [...names].sort();
}

export async function upstreamCallsSuite(): Promise<SuiteResult> {
  const started = performance.now();
  const sb = await startSandbox({ seed: BENCH_SEED, ...NO_LIMIT });
  try {
    const acctIds = seatHolders(CUSTOMERS);
    const variables = { ids: acctIds.map(customerId), first: FIRST_SEATS };
    const config = configFor(sb, NO_LIMIT);

    // Ours: a fresh gateway with its defaults (nothing cached, nothing loaded), one operation;
    // then the same operation again on the same gateway (its cross-request cache is on by default).
    const gateway = await createGateway({ config, logger: silentLogger });
    const body = JSON.stringify({ query: DASHBOARD_QUERY, variables });
    let ours: { stats: SandboxStats; data: unknown; errors: unknown; upstream: unknown };
    let again: { stats: SandboxStats; sameData: boolean; upstream: unknown };
    try {
      await resetSandbox(sb);
      const answer = await gqlFetch(gateway.yoga.fetch, 'http://gateway.invalid/graphql', body);
      ours = {
        stats: await sandboxStats(sb),
        data: answer.json?.data,
        errors: answer.json?.errors,
        upstream: answer.json?.extensions?.upstream,
      };
      await resetSandbox(sb);
      const repeat = await gqlFetch(gateway.yoga.fetch, 'http://gateway.invalid/graphql', body);
      again = {
        stats: await sandboxStats(sb),
        sameData: JSON.stringify(repeat.json?.data) === JSON.stringify(ours.data),
        upstream: repeat.json?.extensions?.upstream,
      };
    } finally {
      await gateway.close();
    }

    // Naive: the same query through per-field resolvers on the same command client code.
    const client = createArchticsClient({ config: config.archtics, limiter: unlimitedLimiter });
    let naive: { stats: SandboxStats; data: unknown; errors: unknown };
    try {
      await resetSandbox(sb);
      const result = await runNaive(createArchticsApi(client), DASHBOARD_QUERY, variables);
      naive = { stats: await sandboxStats(sb), data: result.data, errors: result.errors };
    } finally {
      await client.close();
    }

    const events = distinctEvents(naive.data);
    const minimum =
      CUSTOMERS /* customer_query */ +
      CUSTOMERS /* seats_sold */ +
      (events.length > 0 ? 1 : 0) /* event_details */ +
      events.length; /* event_price_info */
    const sameAnswer = JSON.stringify(ours.data) === JSON.stringify(naive.data);
    const oursCalls = ours.stats.posts;
    const naiveCalls = naive.stats.posts;
    const answered = !ours.errors && !naive.errors && sameAnswer;

    const figures: Figure[] = [
      {
        suite: SUITE,
        figure: 'dashboard op: upstream POSTs, ours vs minimum',
        ours: oursCalls,
        baseline: minimum,
        ratio: ratioOf(oursCalls, minimum),
        unit: '',
        target: 'ratio = 1.00',
        verdict: verdict(answered && oursCalls === minimum),
        note: `minimum = ${CUSTOMERS} customer_query + ${CUSTOMERS} seats_sold + 1 event_details + ${events.length} event_price_info${sameAnswer ? '' : ' — ANSWERS DIFFER'}`,
        detail: {
          commands: ours.stats.commands,
          upstreamExtension: ours.upstream,
          errors: ours.errors,
          distinctEvents: events,
          sameAnswerAsNaive: sameAnswer,
        },
      },
      {
        suite: SUITE,
        figure: 'same op again on the same gateway (cache on)',
        ours: again.stats.posts,
        baseline: minimum,
        ratio: ratioOf(again.stats.posts, minimum),
        unit: '',
        target: '(info)',
        verdict: 'info',
        note: `within the TTLs every command is a cache hit${again.sameData ? '' : ' — ANSWER DIFFERS'}`,
        detail: { commands: again.stats.commands, upstreamExtension: again.upstream },
      },
      {
        suite: SUITE,
        figure: 'dashboard op: upstream POSTs, naive resolvers vs minimum',
        ours: naiveCalls,
        baseline: minimum,
        ratio: ratioOf(naiveCalls, minimum),
        unit: '',
        target: '(baseline)',
        verdict: 'info',
        note: 'per-field resolvers, no loaders, no cache: what the loaders save',
        detail: { commands: naive.stats.commands, errors: naive.errors },
      },
    ];
    return {
      suite: SUITE,
      method:
        'One dashboard operation (25 season-ticket holders × first 10 seats, event name/date/venue/priceCodes) on a fresh gateway with its defaults, then again on the same gateway, and the same query through a naive per-field graphql-js executor; each against a freshly reset sandbox, counting every POST at /__sandbox/stats.',
      figures,
      durationMs: performance.now() - started,
    };
  } finally {
    await sb.close();
  }
}
