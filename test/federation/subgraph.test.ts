/**
 * The gateway as an Apollo Federation v2 subgraph: its SDL (committed, composable with another
 * subgraph by @theguild/federation-composition), and `_entities` resolved through the per-request
 * loaders — a cross-graph query joins a fake "reviews" subgraph with ours without a query planner,
 * and every Event reference of the join costs ONE event_details at the sandbox.
 */
import { buildSubgraphSchema as buildApolloSubgraph } from '@apollo/subgraph';
import { composeServices } from '@theguild/federation-composition';
import { execute, parse, type GraphQLSchema } from 'graphql';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../../schema/builder.js';
import { buildSubgraphSchema, printSubgraphSDL } from '../../schema/federation.js';
import { buildSchema } from '../../schema/index.js';
import { createCachedRunner } from '../../src/cache/index.js';
import { DEFAULT_TTL_MS } from '../../src/config.js';
import { samplesOf, worldEvent } from '../support/worlds.js';
import { startGateway, type GatewayUnderTest, type GraphQLBody } from './support.js';

// ── The fake second subgraph: reviews, extending our Event (keyed by name) with a rating ─────

const REVIEWS_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])

  type Event @key(fields: "name") {
    name: String!
    "Average rating, 1 to 5, from the reviews service."
    rating: Int
    reviewCount: Int!
  }

  type Query {
    "Events the reviews service has ratings for, best first."
    ratedEvents: [Event!]!
  }
`;

/** The reviews service's ratings, of the sandbox world's events (set once a sandbox runs). */
let RATINGS: Record<string, { rating: number; reviewCount: number }> = {};

/** Home games 1, 7, 12, 33 and concerts 2 and 4 of the world, and one name that is no event upstream. */
function ratingsOf(home: readonly string[], concerts: readonly string[]): typeof RATINGS {
  return {
    [home[0]!]: { rating: 5, reviewCount: 120 },
    [concerts[1]!]: { rating: 5, reviewCount: 88 },
    [home[6]!]: { rating: 4, reviewCount: 31 },
    [home[11]!]: { rating: 4, reviewCount: 12 },
    [concerts[3]!]: { rating: 3, reviewCount: 9 },
    [home[32]!]: { rating: 2, reviewCount: 4 },
    /** Reviewed, but not (or no longer) an event upstream. */
    GONE01: { rating: 1, reviewCount: 1 },
  };
}

const reviewsSchema: GraphQLSchema = buildApolloSubgraph({
  typeDefs: parse(REVIEWS_SDL),
  resolvers: {
    Query: { ratedEvents: () => Object.keys(RATINGS).map((name) => ({ name, ...RATINGS[name] })) },
    Event: {
      __resolveReference: (ref: { name: string }) => ({
        name: ref.name,
        ...(RATINGS[ref.name] ?? { rating: null, reviewCount: 0 }),
      }),
    },
  },
});

// ── A query-planner-free executor: fetch from one subgraph, then join entities from the other ──

type SubgraphExecutor = (
  query: string,
  variables?: Record<string, unknown>,
) => Promise<GraphQLBody>;

const reviews: SubgraphExecutor = async (query, variables) =>
  (await execute({
    schema: reviewsSchema,
    document: parse(query),
    variableValues: variables ?? {},
  })) as GraphQLBody;

/**
 * What a router's entity fetch does: one `_entities` request to `subgraph` with a representation
 * for each item (typename + key fields), results merged back into the items by position.
 */
async function joinEntities<T extends Record<string, unknown>>(
  items: T[],
  opts: { subgraph: SubgraphExecutor; typename: string; key: string[]; selection: string },
): Promise<{ rows: (T & Record<string, unknown>)[]; body: GraphQLBody }> {
  const representations = items.map((item) => ({
    __typename: opts.typename,
    ...Object.fromEntries(opts.key.map((k) => [k, item[k]])),
  }));
  const body = await opts.subgraph(
    `query Entities($representations: [_Any!]!) { _entities(representations: $representations) { ... on ${opts.typename} ${opts.selection} } }`,
    { representations },
  );
  const entities = (body.data?._entities ?? []) as (Record<string, unknown> | null)[];
  return { rows: items.map((item, i) => ({ ...item, ...(entities[i] ?? {}) })), body };
}

const ENTITIES = `query Entities($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Event { id name description venue startsAt }
    ... on Customer { id acctId firstName lastName }
    ... on Seat { id section row number status event { name } }
  }
}`;

describe('subgraph schema and composition', () => {
  it('commits the subgraph SDL (npm run schema:print writes schema/subgraph.graphql)', () => {
    const committed = readFileSync(
      fileURLToPath(new URL('../../schema/subgraph.graphql', import.meta.url)),
      'utf8',
    );
    expect(printSubgraphSDL()).toBe(committed);
    expect(committed).toMatch(
      /type Event implements Node\s+@key\(fields: "id"\)\s+@key\(fields: "name"\)/,
    );
    expect(committed).toMatch(
      /type Customer implements Node\s+@key\(fields: "id"\)\s+@key\(fields: "acctId"\)/,
    );
    expect(committed).toMatch(/type Seat implements Node\s+@key\(fields: "id"\)/);
    expect(committed).toContain(
      '@link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])',
    );
  });

  it('leaves the plain schema alone: no _entities, no _service, no @key in schema.graphql', () => {
    const fields = buildSchema().getQueryType()!.getFields();
    expect(fields._entities).toBeUndefined();
    expect(fields._service).toBeUndefined();
    const sdl = readFileSync(
      fileURLToPath(new URL('../../schema/schema.graphql', import.meta.url)),
      'utf8',
    );
    expect(sdl).not.toMatch(/@key|_entities|_service|_Any/);
    const sub = buildSubgraphSchema().getQueryType()!.getFields();
    expect(Object.keys(sub)).toEqual(
      expect.arrayContaining(['_entities', '_service', 'event', 'events', 'customer']),
    );
  });

  it('composes with a reviews subgraph that extends Event by name, without errors', () => {
    const result = composeServices([
      {
        name: 'archtics',
        typeDefs: parse(printSubgraphSDL()),
        url: 'http://127.0.0.1:4000/graphql',
      },
      { name: 'reviews', typeDefs: parse(REVIEWS_SDL), url: 'http://127.0.0.1:4001/graphql' },
    ]);
    expect(result.errors ?? []).toEqual([]);
    const publicSdl = result.publicSdl!;
    const event = /type Event implements Node \{[\s\S]*?\n\}/.exec(publicSdl)?.[0] ?? '';
    expect(event).toContain('rating: Int');
    expect(event).toContain('reviewCount: Int!');
    expect(event).toContain('priceCodes: [PriceCode!]\n');
    expect(publicSdl).toMatch(/ratedEvents: \[Event!\]!/);
    expect(publicSdl).toMatch(/customer\(/);
    // Both graphs own Event: ours by id and name, reviews by name.
    expect(result.supergraphSdl).toMatch(/@join__type\(graph: ARCHTICS, key: "id"\)/);
    expect(result.supergraphSdl).toMatch(/@join__type\(graph: ARCHTICS, key: "name"\)/);
    expect(result.supergraphSdl).toMatch(/@join__type\(graph: REVIEWS, key: "name"\)/);
  });
});

describe('served at /graphql with GRAPHQL_FEDERATION=true', () => {
  let gw: GatewayUnderTest;
  let home: string[];
  let concerts: string[];
  beforeAll(async () => {
    gw = await startGateway({ GRAPHQL_FEDERATION: 'true' });
    ({ homeEvents: home, concerts } = samplesOf(gw.sandbox));
    RATINGS = ratingsOf(home, concerts);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('answers _service { sdl } with the committed SDL', async () => {
    const body = await gw.post('{ _service { sdl } }');
    expect(body.errors).toBeUndefined();
    expect(body.data._service.sdl.trimEnd()).toBe(printSubgraphSDL().trimEnd());
  });

  it('cross-graph: reviews’ ratedEvents joined with our Event details — 7 references, ONE event_details', async () => {
    const before = gw.commands('event_details');
    const first = await reviews('{ ratedEvents { __typename name rating reviewCount } }');
    const rated = first.data.ratedEvents as { name: string; rating: number; reviewCount: number }[];
    expect(rated).toHaveLength(7);

    const ours: SubgraphExecutor = (q, v) => gw.post(q, v);
    const { rows, body } = await joinEntities(rated, {
      subgraph: ours,
      typename: 'Event',
      key: ['name'],
      selection: '{ description venue startsAt }',
    });
    expect(body.errors).toBeUndefined();
    expect(gw.commands('event_details') - before).toBe(1);

    // (descriptions, venue and start as the world has them: a game "<club> vs. <opponent>", a concert "<performer> Live")
    const game = worldEvent(gw.sandbox, home[0]);
    const concert = worldEvent(gw.sandbox, concerts[1]);
    expect(game.description).toMatch(/ vs\. /);
    expect(concert.description).toMatch(/ Live$/);
    expect(rows[0]).toMatchObject({
      name: home[0],
      rating: 5,
      reviewCount: 120,
      description: game.description,
      venue: samplesOf(gw.sandbox).venueName,
    });
    expect(rows[1]).toMatchObject({
      name: concerts[1],
      rating: 5,
      description: concert.description,
      startsAt: `${concert.date}T${concert.time}:00`,
    });
    for (const row of rows.slice(0, 6)) expect(row.description).toEqual(expect.any(String));
    // An event the upstream does not know is a null entity, not an error.
    expect((body.data._entities as unknown[])[6]).toBeNull();
    expect(rows[6]).toEqual({ __typename: 'Event', name: 'GONE01', rating: 1, reviewCount: 1 });
  });

  it('cross-graph the other way: our events(names:), then the reviews subgraph’s _entities for the rating', async () => {
    const before = gw.commands('event_details');
    const first = await gw.post(
      `{ events(names: ["${home[6]}", "${home[7]}", "${concerts[3]}"]) { __typename name description } }`,
    );
    expect(first.errors).toBeUndefined();
    expect(gw.commands('event_details') - before).toBe(1);
    const { rows } = await joinEntities(first.data.events, {
      subgraph: reviews,
      typename: 'Event',
      key: ['name'],
      selection: '{ rating reviewCount }',
    });
    expect(rows.map((r) => [r.name, r.rating])).toEqual([
      [home[6], 4],
      [home[7], null],
      [concerts[3], 3],
    ]);
  });

  it('resolves every key in one request through the loaders: Event by id and name, Customer by acctId and id, Seat by id', async () => {
    const stats = () => ({
      event_details: gw.commands('event_details'),
      customer_query: gw.commands('customer_query'),
    });
    const before = stats();
    const { seasonTicketHolder: holder, sections, rows } = samplesOf(gw.sandbox);
    const seatKey = `${home[3]}|${sections[0]}|${rows[0]}|1`;
    const representations = [
      { __typename: 'Event', name: home[1] },
      { __typename: 'Event', id: encodeGlobalId('Event', home[2]) },
      { __typename: 'Event', name: home[1].toLowerCase() },
      { __typename: 'Customer', acctId: holder },
      { __typename: 'Customer', id: encodeGlobalId('Customer', holder) },
      { __typename: 'Seat', id: encodeGlobalId('Seat', seatKey) },
      { __typename: 'Customer', acctId: 99 },
    ];
    const body = await gw.post(ENTITIES, { representations });
    expect(body.errors).toBeUndefined();
    const [e2, e3, e2again, c1, c2, seat, nobody] = body.data._entities;
    expect(e2).toMatchObject({
      __typename: 'Event',
      name: home[1],
      id: encodeGlobalId('Event', home[1]),
    });
    expect(e3).toMatchObject({ __typename: 'Event', name: home[2] });
    expect(e2again).toEqual(e2);
    expect(c1).toMatchObject({
      __typename: 'Customer',
      acctId: holder,
      id: encodeGlobalId('Customer', holder),
      firstName: expect.any(String),
    });
    expect(c2).toEqual(c1);
    expect(seat).toMatchObject({
      __typename: 'Seat',
      id: encodeGlobalId('Seat', seatKey),
      section: sections[0],
      row: rows[0],
      number: 1,
      event: { name: home[3] },
    });
    expect(nobody).toBeNull();
    // Home games 2 and 3 and the seat's game 4: one event_details; the holder twice and 99: two customer_query.
    const after = stats();
    expect(after.event_details - before.event_details).toBe(1);
    expect(after.customer_query - before.customer_query).toBe(2);
  });

  it('refuses a malformed or foreign id per entity (BAD_USER_INPUT), keeping the others', async () => {
    const body = await gw.post(ENTITIES, {
      representations: [
        {
          __typename: 'Event',
          id: encodeGlobalId('Customer', samplesOf(gw.sandbox).seasonTicketHolder),
        },
        { __typename: 'Event', name: home[4] },
        { __typename: 'Seat', id: 'not-an-id' },
      ],
    });
    expect(body.data._entities[0]).toBeNull();
    expect(body.data._entities[1]).toMatchObject({ name: home[4] });
    expect(body.data._entities[2]).toBeNull();
    expect(body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([
      [['_entities', 0], 'BAD_USER_INPUT'],
      [['_entities', 2], 'BAD_USER_INPUT'],
    ]);
  });
});

describe('_entities honours the token scopes', () => {
  let gw: GatewayUnderTest;
  // The token is bound to the world's first account, read from the sandbox the gateway runs against.
  let bound: number;
  beforeAll(async () => {
    gw = await startGateway((sandbox) => {
      bound = samplesOf(sandbox).accountRange[0];
      return {
        GRAPHQL_FEDERATION: 'true',
        GATEWAY_TOKENS: JSON.stringify([
          { token: 'hold-only-token', scopes: ['hold'] },
          { token: 'reader-of-one-account', scopes: ['read'], acctId: bound },
        ]),
      };
    });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('needs the read scope (the Query type’s scope does not cover _entities, resolveReference checks it)', async () => {
    const before = gw.commands('event_details');
    const body = await gw.post(
      ENTITIES,
      { representations: [{ __typename: 'Event', name: samplesOf(gw.sandbox).homeEvents[0] }] },
      { authorization: 'Bearer hold-only-token' },
    );
    expect(body.data?._entities).toEqual([null]);
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(gw.commands('event_details')).toBe(before);
  });

  it('a token bound to one account reads that customer only', async () => {
    const body = await gw.post(
      ENTITIES,
      {
        representations: [
          { __typename: 'Customer', acctId: bound },
          { __typename: 'Customer', acctId: bound + 1 },
        ],
      },
      { authorization: 'Bearer reader-of-one-account' },
    );
    expect(body.data._entities[0]).toMatchObject({ acctId: bound });
    expect(body.data._entities[1]).toBeNull();
    expect(body.errors?.map((e) => e.extensions?.code)).toContain('FORBIDDEN');
  });
});

describe('_entities behind the cross-request cache', () => {
  let gw: GatewayUnderTest;
  beforeAll(async () => {
    gw = await startGateway(
      { GRAPHQL_FEDERATION: 'true' },
      {
        wrapRunner: (inner) =>
          createCachedRunner({
            inner,
            config: {
              maxBytes: 8 * 1024 * 1024,
              ttlMs: { ...DEFAULT_TTL_MS },
              staleGraceMs: 60_000,
            },
          }),
      },
    );
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('resolves frozen cached records (references get a copy, since @apollo/subgraph writes __typename on them)', async () => {
    const names = samplesOf(gw.sandbox).homeEvents.slice(8, 11);
    const representations = names.map((name) => ({ __typename: 'Event', name }));
    const first = await gw.post(ENTITIES, { representations });
    const second = await gw.post(ENTITIES, { representations });
    expect(first.errors).toBeUndefined();
    expect(second.errors).toBeUndefined();
    expect(second.data).toEqual(first.data);
    expect(second.data._entities.map((e: { name: string }) => e.name)).toEqual(names);
    expect(gw.commands('event_details')).toBe(1);
  });
});
