/**
 * Persisted operations with the real client packages against the running gateway: Apollo Client's
 * stock PersistedQueryLink and urql's persistedExchange (automatic persisted queries: hash first,
 * the query once when asked), the APQ wire answers, and allow-list mode (GRAPHQL_TRUSTED_DOCUMENTS)
 * where an unregistered document costs no upstream call.
 */
import { gql } from '@apollo/client';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApolloClient } from '../../docs/clients/apollo.js';
import { createUrqlClient, upstreamCost } from '../../docs/clients/urql.js';
import { loadConfig } from '../../src/config.js';
import { sha256Hex } from '../../src/plugins/apq.js';
import { parseCostHeader } from '../../src/plugins/cost-header.js';
import { samplesOf } from '../support/worlds.js';
import { README_CUSTOMER_QUERY, startHttpGateway, type HttpGateway } from './support.js';

const persisted = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as {
      data?: any;
      errors?: { message: string; extensions?: Record<string, unknown> }[];
      extensions?: any;
    },
  };
}

describe('automatic persisted queries (APQ)', () => {
  let h: HttpGateway;
  beforeAll(async () => {
    h = await startHttpGateway();
  });
  afterAll(async () => h?.close());

  it('answers the APQ signals: unknown hash 404 PERSISTED_QUERY_NOT_FOUND (no upstream call), mismatch 400, then registered', async () => {
    const name = samplesOf(h.sb).homeEvents[0];
    const query = `{ event(name: "${name}") { name venue } }`;
    const hash = sha256Hex(query);
    const before = h.upstreamPosts();
    const unknown = await post(h.url, { extensions: persisted(hash) });
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors?.[0]).toMatchObject({
      message: 'PersistedQueryNotFound',
      extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' },
    });
    const mismatch = await post(h.url, { query: '{ __typename }', extensions: persisted(hash) });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_MISMATCH');
    expect(h.upstreamPosts()).toBe(before);

    const registered = await post(h.url, { query, extensions: persisted(hash) });
    expect(registered.body.data).toEqual({ event: { name, venue: expect.any(String) } });
    const byHash = await post(h.url, { extensions: persisted(hash) });
    expect(byHash.status).toBe(200);
    expect(byHash.body.data).toEqual(registered.body.data);
  });

  it('Apollo Client with the stock PersistedQueryLink runs the README customer query; a second client sends only the hash', async () => {
    const costs: string[] = [];
    const first = createApolloClient({ uri: h.url, onCost: (c) => costs.push(c) });
    const query = gql(README_CUSTOMER_QUERY);
    const from = h.requests.length;
    const a = await first.query({ query, variables: { a: samplesOf(h.sb).seasonTicketHolder } });
    expect(a.error).toBeUndefined();
    expect(a.data).toMatchObject({
      customer: {
        firstName: expect.any(String),
        lastName: expect.any(String),
        seats: { edges: expect.any(Array) },
      },
    });
    expect((a.data as any).customer.seats.edges.length).toBeGreaterThan(0);
    const wire = h.requests.slice(from);
    // Hash first as GET (unknown: 404), then the query once, as a POST.
    expect(wire.map((r) => [r.method, r.status])).toEqual([
      ['GET', 404],
      ['POST', 200],
    ]);
    expect(wire[0].url).toContain('persistedQuery');
    expect(wire[0].url).not.toContain('query=');
    expect(costs.length).toBe(1);
    expect(parseCostHeader(costs[0])[0].calls).toBeGreaterThan(0);

    const second = createApolloClient({ uri: h.url });
    const mark = h.requests.length;
    const b = await second.query({ query, variables: { a: samplesOf(h.sb).seasonTicketHolder } });
    expect(b.data).toEqual(a.data);
    expect(h.requests.slice(mark).map((r) => [r.method, r.status])).toEqual([['GET', 200]]);
  });

  it('urql with persistedExchange runs the README customer query; a second client sends only the hash', async () => {
    const first = createUrqlClient({ url: h.url });
    const from = h.requests.length;
    const a = await first
      .query(README_CUSTOMER_QUERY, { a: samplesOf(h.sb).seasonTicketHolder })
      .toPromise();
    expect(a.error).toBeUndefined();
    expect(a.data.customer.seats.edges.length).toBeGreaterThan(0);
    expect(upstreamCost(a)).toMatchObject({ calls: expect.any(Number) });
    const wire = h.requests.slice(from);
    expect(wire.every((r) => r.method === 'GET')).toBe(true);
    expect(wire.map((r) => r.status)).toEqual([404, 200]);
    expect(wire[0].url).not.toContain('query=');

    const costs: string[] = [];
    const second = createUrqlClient({ url: h.url, onCost: (c) => costs.push(c) });
    const mark = h.requests.length;
    const b = await second
      .query(README_CUSTOMER_QUERY, { a: samplesOf(h.sb).seasonTicketHolder })
      .toPromise();
    expect(b.data).toEqual(a.data);
    const again = h.requests.slice(mark);
    expect(again.map((r) => [r.method, r.status])).toEqual([['GET', 200]]);
    expect(again[0].url).not.toContain('query=');
    expect(costs).toHaveLength(1);
  });
});

describe('allow-list mode (GRAPHQL_TRUSTED_DOCUMENTS)', () => {
  let h: HttpGateway;
  const registered = README_CUSTOMER_QUERY;
  const id = `sha256:${sha256Hex(registered)}`;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trusted-'));
    const manifest = join(dir, 'persisted-documents.json');
    writeFileSync(manifest, JSON.stringify({ [id]: registered }));
    h = await startHttpGateway({ GRAPHQL_TRUSTED_DOCUMENTS: manifest, GRAPHIQL: 'true' });
  });
  afterAll(async () => h?.close());

  it('refuses a document that is not registered, with no upstream call; an unknown id too', async () => {
    const before = h.upstreamPosts();
    const [first, second] = samplesOf(h.sb).homeEvents;
    const other = await post(h.url, { query: `{ event(name: "${first}") { name } }` });
    expect(other.status).toBe(403);
    expect(other.body.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_ONLY');
    expect(other.body.data).toBeUndefined();
    const unknownId = await post(h.url, { documentId: `sha256:${sha256Hex('{ x }')}` });
    expect(unknownId.status).toBe(404);
    expect(unknownId.body.errors?.[0]).toMatchObject({
      message: 'PersistedQueryNotFound',
      extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST' },
    });
    // An APQ registration is not a way in either.
    const apq = await post(h.url, {
      query: `{ event(name: "${second}") { name } }`,
      extensions: persisted(sha256Hex(`{ event(name: "${second}") { name } }`)),
    });
    expect(apq.status).toBe(403);
    expect(h.upstreamPosts()).toBe(before);
  });

  it('runs a registered document by documentId (POST and GET) and by its APQ hash', async () => {
    const holder = samplesOf(h.sb).seasonTicketHolder;
    const byId = await post(h.url, { documentId: id, variables: { a: holder } });
    expect(byId.status).toBe(200);
    expect(byId.body.data.customer.firstName).toEqual(expect.any(String));
    const get = await fetch(
      `${h.url}?documentId=${encodeURIComponent(id)}&variables=${encodeURIComponent(JSON.stringify({ a: holder }))}`,
      { headers: { 'graphql-client-name': 'test' } },
    );
    expect(get.status).toBe(200);
    expect(((await get.json()) as any).data).toEqual(byId.body.data);
    const byHash = await post(h.url, {
      extensions: persisted(id.slice(7)),
      variables: { a: holder },
    });
    expect(byHash.body.data).toEqual(byId.body.data);
  });

  it("lets the gateway's own GraphiQL page send any document (same-origin Referer on /graphql)", async () => {
    const origin = new URL(h.url).origin;
    const name = samplesOf(h.sb).homeEvents[0];
    const fromGraphiQL = await post(
      h.url,
      { query: `{ event(name: "${name}") { name } }` },
      { referer: `${origin}/graphql` },
    );
    expect(fromGraphiQL.body.data).toEqual({ event: { name } });
    const elsewhere = await post(
      h.url,
      { query: `{ event(name: "${name}") { name } }` },
      { referer: 'http://evil.example/graphql' },
    );
    expect(elsewhere.status).toBe(403);
  });
});

describe('GRAPHQL_TRUSTED_DOCUMENTS at start', () => {
  const write = (content: string) => {
    const file = join(mkdtempSync(join(tmpdir(), 'trusted-')), 'm.json');
    writeFileSync(file, content);
    return file;
  };
  it('names the variable when the manifest is missing, not JSON, or an id is not the hash of its document', () => {
    expect(() => loadConfig({ GRAPHQL_TRUSTED_DOCUMENTS: '/nonexistent/m.json' })).toThrow(
      /GRAPHQL_TRUSTED_DOCUMENTS: no such file/,
    );
    expect(() => loadConfig({ GRAPHQL_TRUSTED_DOCUMENTS: write('not json') })).toThrow(
      /GRAPHQL_TRUSTED_DOCUMENTS: /,
    );
    expect(() =>
      loadConfig({
        GRAPHQL_TRUSTED_DOCUMENTS: write(JSON.stringify({ [`sha256:${'0'.repeat(64)}`]: '{ a }' })),
      }),
    ).toThrow(
      /GRAPHQL_TRUSTED_DOCUMENTS: entry "sha256:0{64}": the document's SHA-256 is [0-9a-f]{64}/,
    );
    const ok = loadConfig({
      GRAPHQL_TRUSTED_DOCUMENTS: write(
        JSON.stringify({ [`sha256:${sha256Hex('{ a }')}`]: '{ a }' }),
      ),
    });
    expect([...ok.persisted!.trustedDocuments!.values()]).toEqual(['{ a }']);
  });
});
