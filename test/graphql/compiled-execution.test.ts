/**
 * Compiled execution (src/plugins/compiled-execution.ts): what gets compiled, and that a compiled
 * query answers exactly what the usual executor answers — data, each error's path, message and
 * code, upstream calls — including the cases graphql-jit gets wrong on its own (a failed list item
 * keeps its place; type auth scopes with the context).
 */
import { parse, type DocumentNode, type ExecutionArgs } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCompiledExecution } from '../../src/plugins/compiled-execution.js';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { buildSchema } from '../../schema/index.js';
import { samplesOf } from '../support/worlds.js';
import {
  TestGateway,
  globalId,
  seasonTicketHolders,
  startTestSandbox,
  type GqlResult,
} from './harness.js';

describe('which executions are compiled', () => {
  const schema = buildSchema();
  /** Whether the plugin swapped in a compiled executor for this execution. */
  const compiles = (plugin: ReturnType<typeof useCompiledExecution>, document: DocumentNode) => {
    let swapped = false;
    (plugin.onExecute as ((p: unknown) => void) | undefined)?.({
      args: { schema, document, operationName: undefined } as unknown as ExecutionArgs,
      setExecuteFn: () => (swapped = true),
    });
    return swapped;
  };
  const query = () => parse('{ events(names: ["ANY"]) { name date } }');

  it('a query from its afterUses-th execution on, not before', () => {
    const plugin = useCompiledExecution({ afterUses: 3 });
    const doc = query();
    expect([1, 2, 3, 4, 5].map(() => compiles(plugin, doc))).toEqual([
      false,
      false,
      true,
      true,
      true,
    ]);
    // Another document (even of the same text) counts on its own.
    expect(compiles(plugin, query())).toBe(false);
  });

  it('never a mutation, @defer / @stream, several operations, or over maxFields fields', () => {
    const plugin = useCompiledExecution({ afterUses: 1, maxFields: 5 });
    const never = [
      'mutation { releaseCart(input: { orderNum: 1 }) { __typename } }',
      '{ events(names: ["ANY"]) { name ... @defer { date } } }',
      'query A { events(names: ["ANY"]) { name } } query B { events(names: ["OTHER"]) { name } }',
      '{ events(names: ["ANY"]) { name date time venue description } }',
    ];
    for (const text of never) {
      const doc = parse(text);
      expect([compiles(plugin, doc), compiles(plugin, doc)], text).toEqual([false, false]);
    }
    expect(compiles(plugin, parse('{ events(names: ["ANY"]) { name date time venue } }'))).toBe(
      true,
    );
  });

  it('keeps at most maxCompiled documents: the least recently used is compiled again', () => {
    const plugin = useCompiledExecution({ afterUses: 2, maxCompiled: 2 });
    const [a, b, c] = [query(), query(), query()];
    for (const d of [a, a, b, b]) compiles(plugin, d);
    expect(compiles(plugin, a)).toBe(true);
    compiles(plugin, c);
    expect(compiles(plugin, c)).toBe(true); // evicts b, the least recently used
    expect(compiles(plugin, b)).toBe(false); // counts again from its first use
    expect(compiles(plugin, b)).toBe(true);
  });

  it('afterUses 0 turns it off', () => {
    const plugin = useCompiledExecution({ afterUses: 0 });
    const doc = query();
    expect([compiles(plugin, doc), compiles(plugin, doc)]).toEqual([false, false]);
  });
});

describe('a compiled query answers as the usual executor does', () => {
  let sb: RunningSandbox;
  let usual: TestGateway;
  let compiled: TestGateway;
  let mine: number;
  let other: number;
  const TOKEN = 'compiled-execution-token';
  const auth = { authorization: `Bearer ${TOKEN}` };

  beforeAll(async () => {
    sb = await startTestSandbox();
    [mine, other] = seasonTicketHolders(sb);
    const env = {
      GATEWAY_TOKENS: JSON.stringify([{ token: TOKEN, scopes: ['read'], acctId: mine }]),
    };
    usual = await TestGateway.start(sb, { ...env, GRAPHQL_COMPILE_AFTER_USES: '0' });
    compiled = await TestGateway.start(sb, { ...env, GRAPHQL_COMPILE_AFTER_USES: '1' });
  });
  afterAll(async () => {
    await usual?.close();
    await compiled?.close();
    await sb?.close();
  });

  /** What a client sees of an answer, errors in path order, and the upstream calls it cost. */
  const seen = (r: GqlResult<unknown>) => ({
    status: r.status,
    data: r.data,
    errors: (r.errors ?? [])
      .map((e) => ({ path: e.path?.join('.'), message: e.message, code: e.extensions?.code }))
      .sort((x, y) => String(x.path).localeCompare(String(y.path))),
    calls: (r.extensions?.upstream as { calls?: number } | undefined)?.calls,
  });

  async function both(query: string, variables?: Record<string, unknown>) {
    const a = seen(await usual.exec(query, variables, auth));
    const b = seen(await compiled.exec(query, variables, auth));
    expect(b).toEqual(a);
    return b;
  }

  it('nodes(ids:): own customer answered, another account FORBIDDEN and a missing id null, each in its place', async () => {
    const r = await both(
      `query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on Customer { acctId seats(first: 2) { edges { node { section row event { name date } } } } } } }`,
      { ids: [globalId('Customer', other), globalId('Customer', mine), globalId('Customer', 1)] },
    );
    const nodes = (r.data as { nodes: ({ acctId: number } | null)[] }).nodes;
    expect(nodes).toHaveLength(3);
    expect(nodes[0]).toBeNull();
    expect(nodes[1]?.acctId).toBe(mine);
    expect(r.errors.map((e) => [e.path, e.code])).toContainEqual(['nodes.0', 'FORBIDDEN']);
  });

  it('a field of another account is FORBIDDEN at its path, fragments and @include/@skip as asked', async () => {
    const r = await both(
      `query ($yes: Boolean!, $a: Int!, $b: Int!) {
        mineToo: customer(acctId: $a) { ...C lastName @skip(if: $yes) }
        theirs: customer(acctId: $b) { ...C }
      }
      fragment C on Customer { acctId firstName @include(if: $yes) }`,
      { yes: true, a: mine, b: other },
    );
    expect(r.data).toEqual({
      mineToo: { acctId: mine, firstName: expect.anything() },
      theirs: null,
    });
    expect(r.errors.map((e) => [e.path, e.code])).toEqual([['theirs', 'FORBIDDEN']]);
  });

  it('events(names:): known events answered, an unknown one null, a malformed one refuses the field', async () => {
    const [first, second] = samplesOf(sb).events;
    const r = await both(`{ events(names: ["${first}", "NO_SUCH_EVENT", "${second}"]) { name } }`);
    expect((r.data as { events: unknown[] }).events).toHaveLength(3);
    const bad = await both(`{ events(names: ["${'X'.repeat(300)}"]) { name } }`);
    expect(bad.errors.map((e) => e.code)).toEqual(['BAD_USER_INPUT']);
  });

  it('a variable of the wrong type is refused the same way', async () => {
    const r = await both(`query ($a: Int!) { customer(acctId: $a) { acctId } }`, { a: 'x' });
    expect(r.status).toBe(400);
  });
});
