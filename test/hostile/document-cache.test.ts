/**
 * The parse/validation cache (src/plugins/document-cache.ts): keeps documents that validated,
 * never one that was refused, and never more bytes than allowed.
 */
import { parse, type Source } from 'graphql';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { astBytes, useValidatedDocumentCache } from '../../src/plugins/document-cache.js';

function server(maxBytes: number) {
  const parsed: string[] = [];
  let validations = 0;
  const counting: Plugin = {
    onParse({ setParseFn }) {
      setParseFn((source: string | Source) => {
        parsed.push(typeof source === 'string' ? source : source.body);
        return parse(source);
      });
    },
    onValidate() {
      validations++;
    },
  };
  const yoga = createYoga({
    schema: createSchema({
      typeDefs: 'type Query { hello: String }',
      resolvers: { Query: { hello: () => 'world' } },
    }),
    parserAndValidationCache: false,
    logging: false,
    plugins: [useValidatedDocumentCache({ maxBytes }), counting],
  });
  const run = async (query: string) =>
    (
      await yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      })
    ).json();
  return { run, parsed, validations: () => validations };
}

describe('the validated-document cache', () => {
  it('a document that validated is parsed and validated once, then served from the cache', async () => {
    const s = server(1_000_000);
    for (let i = 0; i < 3; i++)
      expect(await s.run('{ hello }')).toEqual({ data: { hello: 'world' } });
    expect(s.parsed).toEqual(['{ hello }']);
  });

  it('a refused document (syntax or validation) is never kept: each repeat is parsed again', async () => {
    const s = server(1_000_000);
    for (let i = 0; i < 3; i++) await s.run('{ nope }');
    for (let i = 0; i < 2; i++) await s.run('{ hello ');
    expect(s.parsed.filter((q) => q === '{ nope }')).toHaveLength(3);
    expect(s.parsed.filter((q) => q === '{ hello ')).toHaveLength(2);
  });

  it('keeps no more bytes than allowed: beyond it the least recently used documents are dropped', async () => {
    const docs = Array.from({ length: 20 }, (_, i) => `query Q${i} { hello }`);
    const budget = astBytes(docs[0]) * 5;
    const s = server(budget);
    for (const d of docs) await s.run(d);
    s.parsed.length = 0;
    for (const d of docs) await s.run(d);
    // Only the last five fit; replaying all 20 in order misses every one of them again.
    expect(s.parsed.length).toBe(20);
    s.parsed.length = 0;
    await s.run(docs[19]);
    expect(s.parsed).toEqual([]);
  });

  it('a document bigger than the whole budget is not kept at all', async () => {
    const big = `{ ${'hello '.repeat(2000)}}`;
    const s = server(astBytes('{ hello }') * 4);
    await s.run(big);
    await s.run(big);
    expect(s.parsed.filter((q) => q === big)).toHaveLength(2);
  });
});
