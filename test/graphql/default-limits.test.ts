/**
 * The default query limits accept the 25-holder dashboard written either way — one nodes(ids:)
 * field or 25 aliased customer(acctId:) fields — and execute it. The field-count cost of the
 * aliased form is two orders of magnitude above the nodes form for the same upstream work, so the
 * default GRAPHQL_MAX_COST is set for the aliased form up to the alias limit.
 */
import { parse, print, specifiedRules, validate } from 'graphql';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildSchema } from '../../schema/index.js';
import { loadConfig } from '../../src/config.js';
import { queryLimitRules } from '../../src/plugins/limits.js';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { DashboardDocument } from '../gql/graphql.js';
import { TestGateway, globalId, seasonTicketHolders, startTestSandbox } from './harness.js';

const HOLDER = `id acctId firstName seats(first: 10) { edges { node { id section row number event { name date venue priceCodes { code } } } } }`;
const aliased = (acctIds: readonly number[]) =>
  `{ ${acctIds.map((a, i) => `h${i}: customer(acctId: ${a}) { ${HOLDER} }`).join(' ')} }`;

let sb: RunningSandbox;
let holders: number[];
beforeAll(async () => {
  sb = await startTestSandbox();
  holders = seasonTicketHolders(sb).slice(0, 25);
});
afterAll(async () => {
  await sb?.close();
});

it('both forms of the dashboard pass the default limits, up to the alias limit', () => {
  const { limits } = loadConfig({});
  const schema = buildSchema();
  const check = (doc: string) =>
    validate(schema, parse(doc), [...specifiedRules, ...queryLimitRules(limits)]).map(
      (e) => e.message,
    );
  expect(check(print(DashboardDocument))).toEqual([]);
  expect(check(aliased(holders))).toEqual([]);
  expect(check(aliased(Array.from({ length: limits.maxAliases }, (_, i) => 100000 + i)))).toEqual(
    [],
  );
  // Still a limit: the same aliased dashboard refused under a cost limit below it.
  expect(
    validate(schema, parse(aliased(holders)), queryLimitRules({ ...limits, maxCost: 20_000 })).map(
      (e) => e.extensions?.code,
    ),
  ).toEqual(['QUERY_TOO_COSTLY']);
});

it('the aliased 25-holder dashboard executes under the default limits and answers as nodes(ids:) does', async () => {
  const gw = await TestGateway.start(sb, {}, { cache: true });
  try {
    const byAlias = await gw.exec(aliased(holders));
    expect(byAlias.errors).toBeUndefined();
    const byNodes = await gw.exec(DashboardDocument, {
      ids: holders.map((a) => globalId('Customer', a)),
      first: 10,
    });
    expect(byNodes.errors).toBeUndefined();
    const data = byAlias.data as Record<string, unknown>;
    expect(holders.map((_, i) => data[`h${i}`])).toEqual(
      (byNodes.data as { nodes: unknown[] }).nodes,
    );
  } finally {
    await gw.close();
  }
});
