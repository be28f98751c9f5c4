/**
 * Hostile requests (issue #12): every malformed or oversized request is a 4xx with a short
 * message that quotes nothing of the request, costs no upstream call, and the parser never
 * overflows its stack. With tokens on, nothing is read before the token is checked.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { resetSandbox, sandboxStats, useSandboxedGateway } from '../graphql/harness.js';

export const READ_TOKEN = 'read-token-0123456789';
export const TOKENS = JSON.stringify([{ token: READ_TOKEN, scopes: ['read'] }]);
const auth = { authorization: `Bearer ${READ_TOKEN}` };

const env = useSandboxedGateway({ env: { GATEWAY_TOKENS: TOKENS } });
beforeEach(() => resetSandbox(env.sb));

interface Answer {
  status: number;
  text: string;
  json: { errors?: { message: string; extensions?: Record<string, unknown> }[] } | undefined;
}

async function post(
  body: string,
  headers: Record<string, string> = auth,
  contentType = 'application/json',
): Promise<Answer> {
  const res = await env.gw.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': contentType, accept: 'application/json', ...headers },
    body,
  });
  return answer(res);
}

async function get(query: string, headers: Record<string, string> = auth): Promise<Answer> {
  return answer(
    await env.gw.fetch(`/graphql?${query}`, {
      headers: { accept: 'application/json', ...headers },
    }),
  );
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  let json: Answer['json'];
  try {
    json = JSON.parse(text) as Answer['json'];
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

const nested = (open: string, close: string, n: number, inner = '') =>
  open.repeat(n) + inner + close.repeat(n);

/** ≈10 MB: `query Q<n> { __typename ×953 250 }`, a new <n> each time (the document). */
export function hugeDocument(n: number): string {
  return `query Q${n} { ${'__typename '.repeat(953_250)}}`;
}

describe('authentication comes before reading the request', () => {
  it('a 10 MB document without a token: 401, nothing parsed, no upstream call', async () => {
    const r = await post(JSON.stringify({ query: hugeDocument(1) }), {});
    expect(r.status).toBe(401);
    expect(r.json?.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(r.text.length).toBeLessThan(300);
    expect((await sandboxStats(env.sb)).posts).toBe(0);
  });

  it.each([
    ['no header', {}],
    ['a wrong token', { authorization: 'Bearer not-a-token-at-all' }],
    ['a malformed header', { authorization: 'Basic abc' }],
  ])('%s: 401 with WWW-Authenticate, for GET and POST alike', async (_name, headers) => {
    const p = await post(JSON.stringify({ query: '{ __typename }' }), headers);
    const g = await get('query=%7B__typename%7D', headers);
    for (const r of [p, g]) {
      expect(r.status).toBe(401);
      expect(r.json?.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('with the token, the same small operation is answered', async () => {
    const r = await post(JSON.stringify({ query: '{ __typename }' }));
    expect(r.status).toBe(200);
    expect(r.text).toContain('"__typename":"Query"');
  });
});

describe('size and nesting bounds', () => {
  it('a 10 MB body with a token: 413 before the body is read', async () => {
    const r = await post(JSON.stringify({ query: hugeDocument(2) }));
    expect(r.status).toBe(413);
    expect(r.json?.errors?.[0].extensions?.code).toBe('REQUEST_ENTITY_TOO_LARGE');
    expect(r.text.length).toBeLessThan(300);
  });

  it('more tokens than GRAPHQL_MAX_TOKENS (under the body limit): 400 QUERY_TOO_LARGE', async () => {
    const r = await post(JSON.stringify({ query: `{ ${'__typename '.repeat(20_000)}}` }));
    expect(r.status).toBe(400);
    expect(r.json?.errors?.[0].extensions).toMatchObject({
      code: 'QUERY_TOO_LARGE',
      maxTokens: 5000,
    });
  });

  const attacks: [string, string][] = [
    ['20 000 nested braces', `{ ${nested('a { ', ' }', 20_000, '__typename')} }`.slice(0, 200_000)],
    [
      '2 000 nested braces (under the token limit)',
      `{ ${nested('a { ', ' }', 1_200, '__typename')} }`,
    ],
    ['a 5 000-deep list literal', `{ events(names: ${nested('[', ']', 5_000, '"A"')}) { name } }`],
    [
      'a 2 400-deep list literal (under the token limit)',
      `{ events(names: ${nested('[', ']', 2_400, '"A"')}) { name } }`,
    ],
    ['3 000-deep input objects', `{ events(names: ${nested('{a: ', '}', 3_000, '1')}) { name } }`],
    [
      'a deep selection of fragments',
      `{ ...F } fragment F on Query { ${nested('customer(acctId: 1) { ', ' }', 1_500, 'acctId')} }`,
    ],
  ];
  it.each(attacks)('%s: 4xx, never 500, no upstream call', async (_name, query) => {
    const r = await post(JSON.stringify({ query }));
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(['QUERY_TOO_DEEP', 'QUERY_TOO_LARGE']).toContain(r.json?.errors?.[0].extensions?.code);
    expect(r.text.length).toBeLessThan(400);
    expect((await sandboxStats(env.sb)).posts).toBe(0);
  });

  it('deeply nested variables are a 4xx too', async () => {
    const variables = nested('[', ']', 50_000, '"A"');
    const r = await post(
      `{"query":"query Q($n: [String!]!) { events(names: $n) { name } }","variables":{"n":${variables}}}`,
    );
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.text.length).toBeLessThan(600);
    expect((await sandboxStats(env.sb)).posts).toBe(0);
  });
});

describe('malformed requests: 400 with a short message that echoes nothing', () => {
  const marker = 'ECHO-MARKER-7f3a';
  const bodies: [string, string, string?][] = [
    ['invalid JSON', `{"query": "{ __typename }", ${marker}`],
    ['garbage', `${marker}${'x'.repeat(100_000)}`],
    ['a JSON string', JSON.stringify(marker)],
    ['a JSON number', '12345'],
    ['null', 'null'],
    ['query not a string', JSON.stringify({ query: { [marker]: 1 } })],
    ['variables not an object', JSON.stringify({ query: '{ __typename }', variables: marker })],
    ['an unknown parameter', JSON.stringify({ query: '{ __typename }', [marker.repeat(2000)]: 1 })],
    ['a syntax error', JSON.stringify({ query: `{ ${marker} ` })],
    [
      'a name that is not a field',
      JSON.stringify({ query: `{ a${marker.replace(/-/g, '_').repeat(1000)} }` }),
    ],
    ['a control character', JSON.stringify({ query: `{ \u0001${marker} }` })],
    ['an unterminated string', JSON.stringify({ query: `{ event(name: "${marker}) { name } }` })],
    [
      'a bad variable value',
      JSON.stringify({
        query: 'query Q($a: Int!) { customer(acctId: $a) { acctId } }',
        variables: { a: marker.repeat(1000) },
      }),
    ],
    ['form-encoded garbage', `query=${marker}%ZZ`, 'application/x-www-form-urlencoded'],
  ];
  it.each(bodies)('%s', async (_name, body, contentType) => {
    const r = await post(body, { ...auth, 'x-graphql-yoga-csrf': '1' }, contentType);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.json?.errors?.length).toBeGreaterThan(0);
    expect(r.text).not.toContain(marker);
    expect(r.text).not.toContain('originalError');
    expect(r.text.length).toBeLessThan(600);
    expect((await sandboxStats(env.sb)).posts).toBe(0);
  });

  const gets: [string, string][] = [
    ['variables=%7B', 'query=%7B__typename%7D&variables=%7B'],
    ['extensions=%7B', 'query=%7B__typename%7D&extensions=%7B'],
    ['variables not JSON', `query=%7B__typename%7D&variables=${marker}`],
    ['a bad percent escape', `query=%7B__typename%7D&variables=%E0%A4%A`],
    ['no query', `variables=%7B%7D`],
  ];
  it.each(gets)('GET %s', async (_name, qs) => {
    const r = await get(qs);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.text).not.toContain(marker);
    expect(r.text).not.toContain('originalError');
  });
});
