/**
 * The HTTP face: committed schema, query limits, offline GraphiQL, health and readiness, request
 * ids, CSRF prevention and bearer tokens.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { printSchemaSDL } from '../../schema/index.js';
import { CustomerSeatsDocument, UpstreamPingDocument } from '../gql/graphql.js';
import { samplesOf } from '../support/worlds.js';
import { codes, resetSandbox, sandboxStats, TestGateway, useSandboxedGateway } from './harness.js';

const env = useSandboxedGateway();
/** The world's season-ticket holder (this file runs against any world). */
const holder = () => samplesOf(env.sb).seasonTicketHolder;
beforeEach(() => resetSandbox(env.sb));

describe('schema', () => {
  it('matches the committed schema/schema.graphql (run npm run schema:print after changing schema/)', async () => {
    const committed = readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');
    expect(await printSchemaSDL()).toBe(committed);
  });

  it('describes every type and field', async () => {
    const sdl = await printSchemaSDL();
    const undocumented = [
      ...sdl.matchAll(/^\s*(?:type|interface|enum|scalar|input|union) \w+/gm),
    ].filter((m) => {
      const before = sdl.slice(0, m.index).trimEnd();
      return !before.endsWith('"""') && !before.endsWith('"');
    });
    expect(undocumented.map((m) => m[0].trim())).toEqual([]);
  });
});

describe('query limits', () => {
  it('refuse a query deeper than GRAPHQL_MAX_DEPTH with QUERY_TOO_DEEP, before any upstream call', async () => {
    const r = await env.gw.exec(
      `{ customer(acctId: ${holder()}) { seats { edges { node { event { availableSeats { edges { node { event { availableSeats { edges { node { event { name } } } } } } } } } } } } } }`,
    );
    expect(r.status).toBe(400);
    expect(codes(r)).toEqual(['QUERY_TOO_DEEP']);
    expect(r.errors![0].message).toMatch(/depth limit of 12 exceeded/);
    expect((await sandboxStats(env.sb)).posts).toBe(0);
  });

  it('refuse more aliases than GRAPHQL_MAX_ALIASES with TOO_MANY_ALIASES', async () => {
    const aliases = Array.from(
      { length: 31 },
      (_, i) => `a${i}: event(name: "${samplesOf(env.sb).homeEvents[0]}") { name }`,
    ).join(' ');
    const r = await env.gw.exec(`{ ${aliases} }`);
    expect(codes(r)).toEqual(['TOO_MANY_ALIASES']);
    expect((await sandboxStats(env.sb)).posts).toBe(0);
  });

  it('refuse a query costlier than GRAPHQL_MAX_COST with QUERY_TOO_COSTLY', async () => {
    const cheap = await TestGateway.start(env.sb, { GRAPHQL_MAX_COST: '20' });
    try {
      const r = await cheap.exec(CustomerSeatsDocument, { acctId: holder() });
      expect(codes(r)).toEqual(['QUERY_TOO_COSTLY']);
      expect((await sandboxStats(env.sb)).posts).toBe(0);
    } finally {
      await cheap.close();
    }
  });
});

describe('GraphiQL', () => {
  it('is served with its assets inlined (no CDN) and an example query', async () => {
    const withGraphiql = await TestGateway.start(env.sb, { GRAPHIQL: 'true' });
    const res = await withGraphiql.fetch('/graphql', { headers: { accept: 'text/html' } });
    await withGraphiql.close();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain('Archtics GraphQL gateway');
    expect(html).toContain('query UpcomingEvents');
    expect(html.length).toBeGreaterThan(500_000);
    expect(html).not.toMatch(/<script[^>]+src=["']https?:/i);
    expect(html).not.toMatch(/<link[^>]+href=["']https?:/i);
    expect(html).not.toMatch(/unpkg\.com|cdn\.jsdelivr\.net|esm\.sh/);
  });
});

describe('health and readiness', () => {
  it('/health answers without calling upstream; /ready pings once and caches the answer', async () => {
    expect((await env.gw.fetch('/health')).status).toBe(200);
    expect((await sandboxStats(env.sb)).posts).toBe(0);
    const fresh = await TestGateway.start(env.sb);
    try {
      const a = await fresh.fetch('/ready');
      const b = await fresh.fetch('/ready');
      expect([a.status, b.status]).toEqual([200, 200]);
      expect(await a.json()).toEqual({ ready: true });
      expect((await sandboxStats(env.sb)).commands).toEqual({ ping: 1 });
    } finally {
      await fresh.close();
    }
  });

  it('/ready is 503 when the upstream refuses the gateway', async () => {
    const wrong = await TestGateway.start(env.sb, { ARCHTICS_API_KEY: 'wr0ng-key-5e5e5e5e' });
    try {
      const res = await wrong.fetch('/ready');
      expect(res.status).toBe(503);
      expect(await res.text()).not.toContain('wr0ng-key');
    } finally {
      await wrong.close();
    }
  });
});

describe('requests', () => {
  it('carry an x-request-id: echoed when well-formed, generated otherwise', async () => {
    const given = await env.gw.exec(UpstreamPingDocument, undefined, {
      'x-request-id': 'trace-42.a',
    });
    expect(given.headers.get('x-request-id')).toBe('trace-42.a');
    const made = await env.gw.exec(UpstreamPingDocument, undefined, {
      'x-request-id': 'bad id with spaces',
    });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(made.data!.upstream.ping!.systemAvailable).toBe(true);
  });

  it('report their upstream work in extensions.upstream', async () => {
    const r = await env.gw.exec(UpstreamPingDocument);
    expect(r.extensions?.upstream).toMatchObject({ calls: 1 });
    expect(r.data!.upstream.quota.dayRemaining).toBeGreaterThan(0);
  });

  it('that a browser could send cross-site without a preflight are refused (CSRF)', async () => {
    const simple = await env.gw.fetch('/graphql?query=%7B__typename%7D');
    expect(simple.status).toBe(403);
    expect(JSON.stringify(await simple.json())).toContain('CSRF_PREVENTED');
    const form = await env.gw.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{"query":"{__typename}"}',
    });
    expect(form.status).toBe(403);
    const withHeader = await env.gw.fetch('/graphql?query=%7B__typename%7D', {
      headers: { 'x-graphql-yoga-csrf': '1' },
    });
    expect(withHeader.status).toBe(200);
  });
});

describe('bearer tokens (GATEWAY_TOKENS)', () => {
  let secured: TestGateway;
  beforeAll(async () => {
    const tokens = JSON.stringify([
      { token: 'reader-token-0001', scopes: ['read'] },
      { token: 'holder-token-0002', scopes: ['read', 'hold'], acctId: holder() },
      { token: 'buyer-token-00003', scopes: ['buy'] },
    ]);
    secured = await TestGateway.start(env.sb, { GATEWAY_TOKENS: tokens });
  });
  afterAll(() => secured?.close());

  it('a missing or unknown token is UNAUTHENTICATED (401) before any upstream call', async () => {
    const none = await secured.exec(UpstreamPingDocument);
    const wrong = await secured.exec(UpstreamPingDocument, undefined, {
      authorization: 'Bearer nope-nope-nope',
    });
    expect([none.status, wrong.status]).toEqual([401, 401]);
    expect([...codes(none), ...codes(wrong)]).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED']);
    expect((await sandboxStats(env.sb)).posts).toBe(0);
  });

  it('a token without the read scope is FORBIDDEN; a reader may read', async () => {
    const buyer = await secured.exec(UpstreamPingDocument, undefined, {
      authorization: 'Bearer buyer-token-00003',
    });
    expect(codes(buyer)).toEqual(['FORBIDDEN']);
    const reader = await secured.exec(UpstreamPingDocument, undefined, {
      authorization: 'Bearer reader-token-0001',
    });
    expect(reader.errors).toBeUndefined();
  });

  it('a token bound to an account sees that account only', async () => {
    const auth = { authorization: 'Bearer holder-token-0002' };
    const own = await secured.exec(CustomerSeatsDocument, { acctId: holder(), first: 1 }, auth);
    expect(own.errors).toBeUndefined();
    expect(own.data!.customer!.acctId).toBe(holder());
    const other = await secured.exec(
      CustomerSeatsDocument,
      { acctId: holder() + 1, first: 1 },
      auth,
    );
    expect(codes(other)).toEqual(['FORBIDDEN']);
    expect(other.data!.customer).toBeNull();
  });
});
