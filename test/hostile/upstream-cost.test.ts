/**
 * Cost in upstream calls, before execution (src/plugins/upstream-cost.ts, schema/cost.ts): the
 * README's 25-holder dashboard fits the default GRAPHQL_MAX_UPSTREAM_CALLS (60) written either
 * way, the issue's budget drains are refused before any POST with the estimate in extensions,
 * and extensions.upstream shows the estimate beside the actual calls.
 */
import { parse } from 'graphql';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildSchema } from '../../schema/index.js';
import { FIELD_COSTS } from '../../schema/cost.js';
import { estimateUpstreamCalls } from '../../src/plugins/upstream-cost.js';
import { DashboardDocument } from '../gql/graphql.js';
import {
  codes,
  globalId,
  resetSandbox,
  sandboxStats,
  seasonTicketHolders,
  TestGateway,
  useSandboxedGateway,
} from '../graphql/harness.js';

const env = useSandboxedGateway();
beforeEach(() => resetSandbox(env.sb));

/** The dashboard as 25 aliased customer(acctId:) fields. */
export function aliasedDashboard(acctIds: number[], first = 10): string {
  const one = (id: number, i: number) =>
    `c${i}: customer(acctId: ${id}) { acctId firstName seats(first: ${first}) { edges { node { id section row number event { name date venue priceCodes { code } } } } } }`;
  return `query AliasedDashboard { ${acctIds.map(one).join('\n')} }`;
}

interface Report {
  estimatedCalls: number | null;
  calls: number;
  polls: number;
}

describe('the README dashboard fits the default limits', () => {
  it('as nodes(ids:): estimate beside actual in extensions.upstream, both ≤ 60', async () => {
    const holders = seasonTicketHolders(env.sb).slice(0, 25);
    const r = await env.gw.exec(DashboardDocument, {
      ids: holders.map((id) => globalId('Customer', id)),
      first: 10,
    });
    expect(r.errors).toBeUndefined();
    const up = r.extensions?.upstream as Report;
    console.log(
      `dashboard (nodes): estimated ${up.estimatedCalls}, actual ${up.calls + up.polls} (posts ${(await sandboxStats(env.sb)).posts})`,
    );
    expect(up.estimatedCalls).toBeLessThanOrEqual(60);
    expect(up.calls + up.polls).toBeLessThanOrEqual(60);
    expect(up.estimatedCalls).toBeGreaterThanOrEqual(51); // 25 customer_query + 25 seats_sold + event_details at least
  });

  it('as 25 aliased customer(acctId:): accepted by every default limit (aliases, field cost, upstream calls)', async () => {
    const holders = seasonTicketHolders(env.sb).slice(0, 25);
    const r = await env.gw.exec(aliasedDashboard(holders));
    expect(r.errors).toBeUndefined();
    expect(Object.keys(r.data as object)).toHaveLength(25);
    const up = r.extensions?.upstream as Report;
    console.log(
      `dashboard (aliases): estimated ${up.estimatedCalls}, actual ${up.calls + up.polls}`,
    );
    expect(up.estimatedCalls).toBeLessThanOrEqual(60);
    expect(up.calls + up.polls).toBeLessThanOrEqual(60);
  });
});

describe('budget drains are refused before any POST', () => {
  const names = (alias: number) =>
    Array.from({ length: 500 }, (_, i) => `Z${String(alias * 500 + i).padStart(5, '0')}`);

  it('30 aliases × events(names: [500 unknown names]) as variables: QUERY_TOO_COSTLY with the estimate, 0 POSTs', async () => {
    const vars = Object.fromEntries(Array.from({ length: 30 }, (_, a) => [`n${a}`, names(a)]));
    const defs = Object.keys(vars)
      .map((v) => `$${v}: [String!]!`)
      .join(', ');
    const fields = Object.keys(vars)
      .map((v) => `${v}: events(names: $${v}) { name }`)
      .join(' ');
    const r = await env.gw.exec(`query Drain(${defs}) { ${fields} }`, vars);
    expect(r.status).toBe(400);
    expect(codes(r)).toEqual(['QUERY_TOO_COSTLY']);
    expect(r.errors![0].extensions).toMatchObject({
      estimatedUpstreamCalls: 150,
      maxUpstreamCalls: 60,
    });
    expect(r.data).toBeUndefined();
    expect((await sandboxStats(env.sb)).posts).toBe(0);
  });

  it('the same 15 000 names written in the document: refused by the token limit, 0 POSTs', async () => {
    const fields = Array.from(
      { length: 30 },
      (_, a) =>
        `n${a}: events(names: [${names(a)
          .map((n) => `"${n}"`)
          .join(',')}]) { name }`,
    ).join(' ');
    const r = await env.gw.exec(`{ ${fields} }`);
    expect(r.status).toBe(400);
    expect(codes(r)).toEqual(['QUERY_TOO_LARGE']);
    expect((await sandboxStats(env.sb)).posts).toBe(0);
  });

  it('the same 500 names in every alias cost what the loader makes of them: 5 event_details', async () => {
    const one = names(0);
    const fields = Array.from({ length: 30 }, (_, a) => `n${a}: events(names: $n) { name }`).join(
      ' ',
    );
    const r = await env.gw.exec(`query Same($n: [String!]!) { ${fields} }`, { n: one });
    expect(r.errors).toBeUndefined();
    const up = r.extensions?.upstream as Report;
    expect(up.estimatedCalls).toBe(5);
    expect(up.calls).toBe(5);
  });

  it('aliased polling self-tests count their polls: 6 × pollingTest is refused', async () => {
    const r = await env.gw.exec(
      `{ ${Array.from({ length: 6 }, (_, i) => `u${i}: upstream { pollingTest { completed } }`).join(' ')} }`,
    );
    expect(codes(r)).toEqual(['QUERY_TOO_COSTLY']);
    expect(r.errors![0].extensions).toMatchObject({ estimatedUpstreamCalls: 66 });
    expect((await sandboxStats(env.sb)).posts).toBe(0);
  });

  it('GRAPHQL_MAX_UPSTREAM_CALLS sets the limit: nodes(ids:) of 1 000 invented events (10 event_details) refused at 5', async () => {
    const strict = await TestGateway.start(env.sb, { GRAPHQL_MAX_UPSTREAM_CALLS: '5' });
    try {
      const ids = Array.from({ length: 1000 }, (_, i) => globalId('Event', `E${i}`));
      const r = await strict.exec('query N($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids });
      expect(codes(r)).toEqual(['QUERY_TOO_COSTLY']);
      expect(r.errors![0].extensions).toMatchObject({
        estimatedUpstreamCalls: 10,
        maxUpstreamCalls: 5,
      });
      expect((await sandboxStats(env.sb)).posts).toBe(0);
    } finally {
      await strict.close();
    }
  });
});

describe('the estimate', () => {
  const schema = buildSchema();
  const estimate = (q: string, variables: Record<string, unknown> = {}) =>
    estimateUpstreamCalls(schema, parse(q), undefined, variables, { eventBatchSize: 100 }).calls;

  it('counts what the loaders make: de-duplicated keys, batched events, pages by their arguments', () => {
    expect(estimate('{ __typename upstream { quota { minuteRemaining } } }')).toBe(0);
    expect(
      estimate('{ customer(acctId: 1) { acctId } again: customer(acctId: 1) { firstName } }'),
    ).toBe(1);
    expect(estimate('{ a: event(name: "A") { name } b: event(name: "B") { name } }')).toBe(1);
    expect(estimate('{ event(name: "A") { priceCodes { code } availability { section } } }')).toBe(
      3,
    );
    expect(estimate('{ searchEvents(first: 20) { edges { node { priceCodes { code } } } } }')).toBe(
      1 + 1 + 20,
    );
    expect(
      estimate('{ customer(acctId: 1) { seats(first: 3) { edges { node { event { name } } } } } }'),
    ).toBe(3);
    expect(
      estimate(
        'query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Customer { seats { edges { node { id } } } } } }',
        { ids: [globalId('Customer', 1), globalId('Event', 'A')] },
      ),
    ).toBe(1 + 1 + 1);
    expect(estimate('mutation { releaseCart(orderNum: 1) { __typename } }')).toBe(2);
  });

  it('follows fragments, and cuts a fragment cycle', () => {
    expect(
      estimate(
        '{ ...F } fragment F on Query { customer(acctId: 5) { ...G } } fragment G on Customer { seats(first: 2) { edges { node { event { priceCodes { code } } } } } }',
      ),
    ).toBe(1 + 1 + 1 + 2);
  });

  it('names only coordinates that exist in the schema', () => {
    const missing = Object.keys(FIELD_COSTS).filter((c) => {
      const [type, field] = c.split('.');
      const t = schema.getType(type) as { getFields?: () => Record<string, unknown> } | undefined;
      return !t?.getFields?.()[field];
    });
    expect(missing).toEqual([]);
  });
});

describe('while it runs', () => {
  it('an operation whose estimate guessed low is held to the limit: further commands fail QUERY_TOO_COSTLY, no POST past it', async () => {
    // The estimate assumes 5 distinct events behind a list of seats; the first holder's 100 seats span 13.
    const strict = await TestGateway.start(env.sb, { GRAPHQL_MAX_UPSTREAM_CALLS: '8' });
    try {
      const holder = seasonTicketHolders(env.sb)[0];
      const r = await strict.exec(
        `{ customer(acctId: ${holder}) { seats(first: 100) { edges { node { event { name priceCodes { code } } } } } } }`,
      );
      const up = r.extensions?.upstream as Report;
      expect(up.estimatedCalls).toBe(8);
      expect(codes(r)).toContain('QUERY_TOO_COSTLY');
      expect(up.calls + up.polls).toBe(8);
      expect((await sandboxStats(env.sb)).posts).toBe(8);
    } finally {
      await strict.close();
    }
  });
});
