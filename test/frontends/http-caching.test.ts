/**
 * HTTP caching of the public catalogue and the cost report header, over real HTTP with the
 * command cache on (as `npm start` runs): a GET of the event catalogue carries Cache-Control and an
 * ETag, the same GET with If-None-Match is a 304 that cost no upstream call; per-account answers
 * are `private, no-store`; every answer says what it cost in x-upstream-cost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COST_HEADER, parseCostHeader } from '../../src/plugins/cost-header.js';
import { etagMatches, readsOnlyPublic } from '../../src/plugins/http-caching.js';
import { parse } from 'graphql';
import { samplesOf } from '../support/worlds.js';
import { startHttpGateway, type HttpGateway } from './support.js';

const CATALOGUE = `query Catalogue($from: Date, $to: Date) { searchEvents(from: $from, to: $to, first: 5) { edges { node { name date time venue priceCodes { code ticketTypes { code price { amount } } } } } } }`;
const catalogueUrl = (base: string) =>
  `${base}?query=${encodeURIComponent(CATALOGUE)}&variables=${encodeURIComponent(JSON.stringify({ from: '2026-09-01', to: '2026-10-31' }))}`;
const CLIENT = { 'graphql-client-name': 'cdn-test' };

describe('HTTP caching of public GETs', () => {
  let h: HttpGateway;
  beforeAll(async () => {
    h = await startHttpGateway({}, { cache: true });
  });
  afterAll(async () => h?.close());

  it('GET of the catalogue twice with If-None-Match: 304 the second time, no body, 0 upstream calls', async () => {
    const first = await fetch(catalogueUrl(h.url), { headers: CLIENT });
    expect(first.status).toBe(200);
    const body = (await first.json()) as any;
    expect(body.data.searchEvents.edges.length).toBeGreaterThan(0);
    const etag = first.headers.get('etag');
    // Ours (weak, of the data) or the response cache's (its key): either answers If-None-Match.
    expect(etag).toMatch(/^(W\/"[\w-]{32}"|"?[0-9a-f]{64}"?)$/);
    expect(first.headers.get('cache-control')).toMatch(/^public, (max-age=\d+|no-cache)$/);
    expect(first.headers.get('vary')).toContain('Accept');

    const before = h.upstreamPosts();
    const second = await fetch(catalogueUrl(h.url), {
      headers: { ...CLIENT, 'if-none-match': etag! },
    });
    expect(second.status).toBe(304);
    expect(await second.text()).toBe('');
    expect(h.upstreamPosts()).toBe(before);

    // Another tag: the full answer again.
    const other = await fetch(catalogueUrl(h.url), {
      headers: { ...CLIENT, 'if-none-match': 'W/"something-else"' },
    });
    expect(other.status).toBe(200);
    expect(((await other.json()) as any).data).toEqual(body.data);
  });

  it('per-account data, mutations, POSTs and refusals are private, no-store', async () => {
    const { seasonTicketHolder, homeEvents } = samplesOf(h.sb);
    const customer = await fetch(
      `${h.url}?query=${encodeURIComponent(`{ customer(acctId: ${seasonTicketHolder}) { firstName } }`)}`,
      { headers: CLIENT },
    );
    expect(customer.status).toBe(200);
    expect(customer.headers.get('cache-control')).toBe('private, no-store');
    const mixed = await fetch(
      `${h.url}?query=${encodeURIComponent(`{ event(name: "${homeEvents[0]}") { name } upstream { quota { minuteRemaining } } }`)}`,
      { headers: CLIENT },
    );
    expect(mixed.headers.get('cache-control')).toBe('private, no-store');
    const postEvent = await fetch(h.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ event(name: "${homeEvents[0]}") { name } }` }),
    });
    expect(postEvent.headers.get('cache-control')).toBe('private, no-store');
    const refused = await fetch(h.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } },
      }),
    });
    expect(refused.status).toBe(404);
    expect(refused.headers.get('cache-control')).toBe('private, no-store');
  });

  it('x-upstream-cost: one compact line with the same figures as extensions.upstream', async () => {
    const res = await fetch(h.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `{ event(name: "${samplesOf(h.sb).homeEvents[32]}") { name priceCodes { code } } }`,
      }),
    });
    const body = (await res.json()) as any;
    const header = res.headers.get(COST_HEADER)!;
    expect(header).toMatch(
      /^archtics;calls=\d+;polls=\d+;cache-hits=\d+;stale=\d+;minute-left=\d+;day-left=\d+$/,
    );
    const [cost] = parseCostHeader(header);
    const u = body.extensions.upstream;
    expect(cost).toEqual({
      calls: u.calls,
      polls: u.polls,
      'cache-hits': u.cacheHits,
      stale: u.staleServes,
      'minute-left': u.minuteRemaining,
      'day-left': u.dayRemaining,
    });
    expect(cost.calls).toBeGreaterThan(0);
  });
});

describe('what counts as public', () => {
  const pub = new Set(['event', 'events', 'searchEvents']);
  it('a query whose root fields (through fragments) are all public', () => {
    expect(readsOnlyPublic(parse('{ event(name: "A") { name } __typename }'), undefined, pub)).toBe(
      true,
    );
    expect(
      readsOnlyPublic(
        parse(
          'query Q { ...F } fragment F on Query { events(names: ["A"]) { name } ... on Query { searchEvents { edges { cursor } } } }',
        ),
        'Q',
        pub,
      ),
    ).toBe(true);
    expect(
      readsOnlyPublic(
        parse('{ ...F } fragment F on Query { customer(acctId: 1) { firstName } }'),
        undefined,
        pub,
      ),
    ).toBe(false);
    expect(readsOnlyPublic(parse('{ node(id: "x") { id } }'), undefined, pub)).toBe(false);
    expect(
      readsOnlyPublic(
        parse('mutation { releaseCart(orderNum: 1) { __typename } }'),
        undefined,
        pub,
      ),
    ).toBe(false);
  });
  it('If-None-Match compares weakly, in lists and with *', () => {
    expect(etagMatches('"abc"', 'W/"abc"')).toBe(true);
    expect(etagMatches('W/"x", W/"abc"', 'W/"abc"')).toBe(true);
    expect(etagMatches('*', 'W/"abc"')).toBe(true);
    expect(etagMatches('W/"abd"', 'W/"abc"')).toBe(false);
    expect(etagMatches(null, 'W/"abc"')).toBe(false);
  });
});
