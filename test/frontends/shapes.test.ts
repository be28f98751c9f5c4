/**
 * Error shapes a frontend can rely on: a field that calls the service fails alone (it is nullable,
 * so its siblings and parent survive: the schema is walked to prove every such field is), variable
 * errors carry BAD_USER_INPUT, the GET CSRF refusal names the headers, searchEvents is in date and
 * time order, FORBIDDEN names the missing scope, and payment input errors come all at once.
 */
import { isNonNullType, isObjectType } from 'graphql';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildSchema } from '../../schema/index.js';
import { CSRF_HEADERS } from '../../src/plugins/csrf.js';
import {
  codes,
  resetSandbox,
  setFaults,
  TestGateway,
  useSandboxedGateway,
  type GqlResult,
} from '../graphql/harness.js';
import { samplesOf, type WorldSamples } from '../support/worlds.js';

const env = useSandboxedGateway();
beforeEach(() => resetSandbox(env.sb));

describe('a failing upstream call keeps its siblings', () => {
  it('every field that calls the service is nullable (schema walk)', () => {
    const schema = buildSchema();
    const calling: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        const coordinate = `${type.name}.${field.name}`;
        const callsUpstream = field.extensions?.upstream !== undefined || type.name === 'Mutation';
        if (!callsUpstream) continue;
        calling.push(coordinate);
        expect(
          isNonNullType(field.type),
          `${coordinate} calls the service, so it must be nullable`,
        ).toBe(false);
      }
    }
    // The walk found the fields it is about (a renamed extension would make it vacuous).
    expect(calling).toEqual(
      expect.arrayContaining([
        'Event.availability',
        'Event.priceCodes',
        'Event.availableSeats',
        'Customer.seats',
        'Seat.event',
        'Query.searchEvents',
        'Query.events',
        'Query.nodes',
        'Upstream.ping',
        'Mutation.submitPayment',
      ]),
    );
  });

  // Query and expected data from the world's samples (its first two home games, its season-ticket holder).
  type Case = [
    command: string,
    of: (s: WorldSamples) => { query: string; data: unknown },
    path: string[],
  ];
  it.each<Case>([
    [
      'get_avail_seats',
      (s) => ({
        query: `{ event(name: "${s.homeEvents[0]}") { name date availability { section available } } }`,
        data: { event: { name: s.homeEvents[0], date: expect.any(String), availability: null } },
      }),
      ['event', 'availability'],
    ],
    [
      'event_price_info',
      (s) => ({
        query: `{ event(name: "${s.homeEvents[1]}") { name priceCodes { code } } }`,
        data: { event: { name: s.homeEvents[1], priceCodes: null } },
      }),
      ['event', 'priceCodes'],
    ],
    [
      'seats_sold',
      (s) => ({
        query: `{ customer(acctId: ${s.seasonTicketHolder}) { acctId seats(first: 2) { edges { node { section } } } } }`,
        data: { customer: { acctId: s.seasonTicketHolder, seats: null } },
      }),
      ['customer', 'seats'],
    ],
  ])(
    '%s down: only that field is null, with UPSTREAM_UNAVAILABLE on its path',
    async (command, of, path) => {
      const { query, data } = of(samplesOf(env.sb));
      await setFaults(env.sb, [{ kind: 'unavailable', commands: [command] }]);
      const r = await env.gw.exec(query);
      expect(codes(r)).toEqual(['UPSTREAM_UNAVAILABLE']);
      expect(r.errors![0].path).toEqual(path);
      expect(r.data).toEqual(data);
    },
  );
});

describe('error codes and messages', () => {
  it('a variable that cannot be coerced is BAD_USER_INPUT, and costs nothing upstream', async () => {
    const r = await env.gw.exec('query ($a: Int!) { customer(acctId: $a) { firstName } }', {
      a: 'one hundred',
    });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.errors![0].message).toMatch(/^Variable "\$a" got invalid value/);
    const missing = await env.gw.exec(
      'query ($a: Int!) { customer(acctId: $a) { firstName } }',
      {},
    );
    expect(codes(missing)).toEqual(['BAD_USER_INPUT']);
    expect(env.sb.stats().posts).toBe(0);
  });

  it('a GET without a CSRF header is told which headers would do', async () => {
    const res = await env.gw.fetch('/graphql?query=%7B__typename%7D');
    expect(res.status).toBe(403);
    const message = ((await res.json()) as { errors: { message: string }[] }).errors[0].message;
    for (const h of CSRF_HEADERS) expect(message).toContain(h);
    expect(message).not.toMatch(/body/);
  });

  it('searchEvents is in date and start-time order, and its cursors page on in that order', async () => {
    // From December to the world's second concert (2027-01-23 in the default world).
    const { homeEvents, concerts, eventDates } = samplesOf(env.sb);
    const q = `query ($after: String) { searchEvents(from: "2026-12-01", to: "${eventDates[concerts[1]]}", first: 4, after: $after) { edges { node { name date time } } pageInfo { hasNextPage endCursor } } }`;
    const rows: { name: string; date: string; time: string }[] = [];
    let after: string | null = null;
    for (let i = 0; i < 20; i++) {
      const r: GqlResult<any> = await env.gw.exec<any, any>(q, { after });
      expect(r.errors).toBeUndefined();
      rows.push(
        ...r.data.searchEvents.edges.map(
          (e: { node: { name: string; date: string; time: string } }) => e.node,
        ),
      );
      if (!r.data.searchEvents.pageInfo.hasNextPage) break;
      after = r.data.searchEvents.pageInfo.endCursor;
    }
    expect(rows.length).toBeGreaterThan(4);
    const keys = rows.map((e) => `${e.date}T${e.time}`);
    expect(keys).toEqual([...keys].sort());
    expect(new Set(rows.map((e) => e.name)).size).toBe(rows.length);
    const names = rows.map((e) => e.name);
    // By date, not by name: the world's 11th home game comes before its 2nd concert.
    expect(names).toContain(concerts[1]);
    expect(names.indexOf(homeEvents[10])).toBeGreaterThanOrEqual(0);
    expect(names.indexOf(homeEvents[10])).toBeLessThan(names.indexOf(concerts[1]));
  });

  it('FORBIDDEN names the scope the token lacks', async () => {
    const gw = await TestGateway.start(env.sb, {
      GATEWAY_TOKENS: JSON.stringify([{ token: 'reader-token-0001', scopes: ['read'] }]),
    });
    try {
      const r = await gw.exec(
        `mutation { holdSeats(input: { eventName: "${samplesOf(env.sb).homeEvents[4]}", section: "${samplesOf(env.sb).sections[0]}", row: "${samplesOf(env.sb).rows[0]}", firstSeat: 1, quantity: 2 }) { __typename } }`,
        {},
        { authorization: 'Bearer reader-token-0001' },
      );
      expect(codes(r)).toEqual(['FORBIDDEN']);
      expect(r.errors![0].message).toContain('"hold" scope');
      expect(r.errors![0].extensions).toMatchObject({ requiredScopes: ['hold'] });
    } finally {
      await gw.close();
    }
  });

  it('submitPayment reports every bad input at once, before any upstream call', async () => {
    const r = await env.gw.exec(
      'mutation ($in: SubmitPaymentInput!) { submitPayment(input: $in) { __typename } }',
      {
        in: {
          idempotencyKey: 'short',
          acctId: samplesOf(env.sb).seasonTicketHolder,
          orderNum: 500001,
          amount: '12.5',
          card: {
            type: 'VISA',
            number: '4111 1111 1111 1112',
            cvv: '12',
            expiry: '1320',
            firstName: 'Linda',
            lastName: 'Green',
          },
        },
      },
    );
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    const invalid = r.errors![0].extensions!.invalidArguments as { argument: string }[];
    expect(invalid.map((i) => i.argument)).toEqual([
      'idempotencyKey',
      'amount',
      'card.number',
      'card.cvv',
      'card.expiry',
    ]);
    expect(r.errors![0].message).toMatch(/^5 inputs are invalid: /);
    expect(env.sb.stats().posts).toBe(0);
  });
});
