/**
 * What the gateway shows about itself with tokens on (issue #12): /metrics needs the metrics
 * scope or METRICS_TOKEN, GraphiQL and introspection (with its "Did you mean" hints) follow
 * GRAPHIQL / GRAPHQL_INTROSPECTION (off against a real service unless set), /ready says only
 * ready or not, and CORS answers listed origins only, never with credentials.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startTestSandbox, TestGateway } from '../graphql/harness.js';
import type { RunningSandbox } from '../../src/sandbox/index.js';

const READER = 'reader-token-000001';
const SCRAPER = 'scraper-token-00002';
const METRICS_TOKEN = 'metrics-only-token-0003';
const TOKENS = JSON.stringify([
  { token: READER, scopes: ['read'] },
  { token: SCRAPER, scopes: ['metrics'] },
]);
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

let sb: RunningSandbox;
let locked: TestGateway;
let open: TestGateway;
beforeAll(async () => {
  sb = await startTestSandbox();
  // Against "a real service" (ARCHTICS_BASE_URL set): GraphiQL and introspection default off.
  locked = await TestGateway.start(sb, {
    GATEWAY_TOKENS: TOKENS,
    METRICS_TOKEN,
    CORS_ORIGINS: 'https://app.example.org, http://localhost:5173',
  });
  open = await TestGateway.start(sb, { GRAPHIQL: 'true', GRAPHQL_INTROSPECTION: 'true' });
});
afterAll(async () => {
  await locked?.close();
  await open?.close();
  await sb?.close();
});

describe('defaults', () => {
  it('GraphiQL and introspection are on with the embedded sandbox, off against a real service, and settable', () => {
    expect(loadConfig({}).exposure).toMatchObject({
      graphiql: true,
      introspection: true,
      corsOrigins: [],
    });
    const live = {
      ARCHTICS_BASE_URL: 'https://api.example.org',
      ARCHTICS_API_KEY: 'k',
      ARCHTICS_DSN: 'd',
    };
    expect(loadConfig(live).exposure).toMatchObject({
      graphiql: false,
      introspection: false,
      corsOrigins: [],
    });
    expect(
      loadConfig({ ...live, GRAPHIQL: 'true', GRAPHQL_INTROSPECTION: '1' }).exposure,
    ).toMatchObject({ graphiql: true, introspection: true });
    expect(loadConfig({ GRAPHIQL: 'false', GRAPHQL_INTROSPECTION: '0' }).exposure).toMatchObject({
      graphiql: false,
      introspection: false,
    });
  });
});

describe('/metrics', () => {
  it('without a token: 401; a reader token: 403; the metrics scope or METRICS_TOKEN: the exposition', async () => {
    const none = await locked.fetch('/metrics');
    const reader = await locked.fetch('/metrics', { headers: bearer(READER) });
    const wrong = await locked.fetch('/metrics', { headers: bearer('not-a-known-token') });
    const scraper = await locked.fetch('/metrics', { headers: bearer(SCRAPER) });
    const own = await locked.fetch('/metrics', { headers: bearer(METRICS_TOKEN) });
    expect([none.status, reader.status, wrong.status, scraper.status, own.status]).toEqual([
      401, 403, 401, 200, 200,
    ]);
    expect(await none.text()).not.toContain('archtics_');
    expect(await own.text()).toContain('# TYPE');
  });

  it('a metrics-only token cannot run GraphQL', async () => {
    const r = await locked.exec(
      '{ upstream { quota { minuteRemaining } } }',
      undefined,
      bearer(SCRAPER),
    );
    expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('stays open when the gateway has no tokens and no METRICS_TOKEN (the sandbox)', async () => {
    expect((await open.fetch('/metrics')).status).toBe(200);
  });
});

describe('GraphiQL', () => {
  it('is not served against a real service unless GRAPHIQL is set', async () => {
    const page = await locked.fetch('/graphql', {
      headers: { accept: 'text/html', ...bearer(READER) },
    });
    expect(page.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    expect(await page.text()).not.toContain('<html');
    const anonymous = await locked.fetch('/graphql', { headers: { accept: 'text/html' } });
    expect(anonymous.status).toBe(401);
  });
});

describe('introspection and schema hints', () => {
  const misspelt = '{ custmer(acctId: 1) { acctId } }';

  it('off: __schema and __type are refused, __typename works, errors give no "Did you mean"', async () => {
    const schema = await locked.exec('{ __schema { types { name } } }', undefined, bearer(READER));
    const type = await locked.exec(
      '{ __type(name: "Customer") { fields { name } } }',
      undefined,
      bearer(READER),
    );
    expect([schema.status, type.status]).toEqual([400, 400]);
    expect(schema.text).not.toContain('"Customer"');
    expect(type.data).toBeUndefined();
    const typename = await locked.exec('{ __typename }', undefined, bearer(READER));
    expect(typename.data).toEqual({ __typename: 'Query' });
    const hint = await locked.exec(misspelt, undefined, bearer(READER));
    expect(hint.status).toBe(400);
    expect(hint.errors?.[0].message).toBe('Cannot query field "custmer" on type "Query".');
    expect(hint.text).not.toMatch(/Did you mean|"customer"/);
  });

  it('on: introspection answers and hints are given', async () => {
    const schema = await open.exec('{ __type(name: "Customer") { name } }');
    expect(schema.data).toEqual({ __type: { name: 'Customer' } });
    const hint = await open.exec(misspelt);
    expect(hint.errors?.[0].message).toMatch(/Did you mean "customer"/);
  });
});

describe('/ready', () => {
  it('is open with tokens on and says only whether the gateway is ready', async () => {
    const res = await locked.fetch('/ready');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ready: true });
  });
});

describe('CORS', () => {
  const preflight = (gw: TestGateway, origin: string) =>
    gw.fetch('/graphql', {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });

  it('a listed origin gets CORS headers for itself, without credentials', async () => {
    const res = await preflight(locked, 'https://app.example.org');
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.org');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('access-control-allow-headers')).toContain('authorization');
    const post = await locked.fetch('/graphql', {
      method: 'POST',
      headers: {
        origin: 'http://localhost:5173',
        'content-type': 'application/json',
        ...bearer(READER),
      },
      body: '{"query":"{ __typename }"}',
    });
    expect(post.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  });

  it('any other origin gets no CORS headers, preflight or not', async () => {
    const res = await preflight(locked, 'https://evil.example.com');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    const post = await locked.fetch('/graphql', {
      method: 'POST',
      headers: {
        origin: 'https://evil.example.com',
        'content-type': 'application/json',
        ...bearer(READER),
      },
      body: '{"query":"{ __typename }"}',
    });
    expect(post.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('without CORS_ORIGINS, no origin is allowed cross-origin', async () => {
    const res = await preflight(open, 'https://evil.example.com');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });
});
