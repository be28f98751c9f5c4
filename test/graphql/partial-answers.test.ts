/**
 * Partial answers: when the budget refuses (or the upstream fails) some items of a list — the ids of
 * nodes(ids:), the names of events(names:), or aliased fields — the others keep their data and each
 * failed item has its own error at its own path. The budget here is a few calls a minute with a
 * short read deadline, so the calls past it are refused at once (RATE_LIMITED).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import {
  TestGateway,
  globalId,
  sandboxStats,
  seasonTicketHolders,
  setFaults,
  startTestSandbox,
} from './harness.js';
import { samplesOf } from '../support/worlds.js';

let sb: RunningSandbox;
let holders: number[];

beforeAll(async () => {
  sb = await startTestSandbox();
  holders = seasonTicketHolders(sb);
});
afterAll(async () => {
  await sb?.close();
});

/** A gateway with `calls` upstream calls a minute; a read that cannot have one within 1 s is refused. */
async function withBudget<T>(
  calls: number,
  run: (gw: TestGateway) => Promise<T>,
  env: Record<string, string> = {},
): Promise<T> {
  const gw = await TestGateway.start(
    sb,
    { ARCHTICS_RATE_PER_MINUTE: String(calls), ARCHTICS_READ_DEADLINE_MS: '1000', ...env },
    { cache: true },
  );
  try {
    return await run(gw);
  } finally {
    await gw.close();
  }
}

type Errors =
  { path?: readonly (string | number)[]; extensions?: Record<string, unknown> }[] | undefined;
const failedPaths = (errors: Errors) =>
  (errors ?? []).map((e) => [e.path?.join('.'), e.extensions?.code]).sort();

it('nodes(ids:): the customers the budget allows are answered, each refused one is null with its own error', async () => {
  await withBudget(2, async (gw) => {
    const ids = holders.slice(0, 4).map((a) => globalId('Customer', a));
    const before = (await sandboxStats(sb)).posts;
    const r = await gw.exec(
      `query ($ids: [ID!]!) { nodes(ids: $ids) { ... on Customer { acctId lastName } } }`,
      { ids },
    );
    expect((await sandboxStats(sb)).posts - before).toBe(2);
    const nodes = (r.data as { nodes: ({ acctId: number } | null)[] }).nodes;
    expect(nodes).toHaveLength(4);
    const answered = nodes.filter((n) => n !== null);
    expect(answered.map((n) => n!.acctId).sort()).toEqual(
      holders
        .slice(0, 4)
        .filter((a) => answered.some((n) => n!.acctId === a))
        .sort(),
    );
    expect(answered).toHaveLength(2);
    const refused = nodes.flatMap((n, i) => (n === null ? [[`nodes.${i}`, 'RATE_LIMITED']] : []));
    expect(failedPaths(r.errors)).toEqual(refused.sort());
  });
});

// Event by event, as without the catalogue (with it, one call holds every event: nothing to refuse).
it('events(names:): cached events are answered while the names the budget refuses are null, one error each', async () => {
  await withBudget(
    1,
    async (gw) => {
      const [, , third, fourth, fifth] = samplesOf(sb).homeEvents;
      const cached = await gw.exec(`{ event(name: "${third}") { name } }`);
      expect(cached.data).toEqual({ event: { name: third } });
      const r = await gw.exec(
        `{ events(names: ["${fourth}", "${third}", "${fifth}"]) { name date } }`,
      );
      expect(
        (r.data as { events: ({ name: string } | null)[] }).events.map((e) => e?.name ?? null),
      ).toEqual([null, third, null]);
      expect(failedPaths(r.errors)).toEqual([
        ['events.0', 'RATE_LIMITED'],
        ['events.2', 'RATE_LIMITED'],
      ]);
    },
    { CACHE_CATALOGUE: 'false' },
  );
});

it('aliased customer(acctId:) fields: a failed alias is null with its error, the others answer', async () => {
  await withBudget(3, async (gw) => {
    const aliases = holders.slice(4, 9).map((a, i) => `c${i}: customer(acctId: ${a}) { acctId }`);
    const r = await gw.exec(`{ ${aliases.join(' ')} }`);
    const data = r.data as Record<string, { acctId: number } | null>;
    const nulls = Object.keys(data).filter((k) => data[k] === null);
    expect(Object.values(data).filter(Boolean)).toHaveLength(3);
    expect(failedPaths(r.errors)).toEqual(nulls.map((k) => [k, 'RATE_LIMITED']).sort());
  });
});

it('an upstream failure of one item of nodes(ids:) (not the budget) leaves the cached items', async () => {
  const gw = await TestGateway.start(sb, {}, { cache: true });
  try {
    const [a, b] = holders.slice(10, 12);
    await gw.exec(`{ customer(acctId: ${a}) { acctId } }`);
    await setFaults(sb, [{ kind: 'unavailable', commands: ['customer_query'] }]);
    const r = await gw.exec(
      `query ($ids: [ID!]!) { nodes(ids: $ids) { ... on Customer { acctId } } }`,
      { ids: [globalId('Customer', a), globalId('Customer', b)] },
    );
    expect(r.data).toEqual({ nodes: [{ acctId: a }, null] });
    expect(failedPaths(r.errors)).toEqual([['nodes.1', 'UPSTREAM_UNAVAILABLE']]);
  } finally {
    await setFaults(sb, []);
    await gw.close();
  }
});
