/**
 * A real router: Hive Gateway's runtime (in process, fetching through yoga.fetch — no sockets) over
 * a supergraph composed from our subgraph and a small "reviews" subgraph that extends Event by
 * name. Crossing queries both ways; the sandbox counts what they cost upstream — 10 Event
 * references from reviews resolve with ONE event_details — and the router forwards our cost
 * report header with the committed config (docs/hive-gateway/gateway.config.ts).
 */
import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  createGatewayRuntime,
  useCustomFetch,
  type GatewayRuntime,
} from '@graphql-hive/gateway-runtime';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { propagateHeaders } from '../../docs/hive-gateway/gateway.config.js';
import { printSubgraphSDL } from '../../schema/federation.js';
import { parseCostHeader } from '../../src/plugins/cost-header.js';
import { samplesOf } from '../support/worlds.js';
import { startGateway, type GatewayUnderTest } from './support.js';

const REVIEWS_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])
  type Event @key(fields: "name") {
    name: String!
    rating: Int
  }
  type Query {
    "Events with reviews, best first."
    topRated: [Event!]!
  }
`;

// Ten events the reviews service knows, nine of them real upstream (GONE01 is not): the world's
// first six home games and first three concerts (set once the sandbox runs).
let RATINGS: Record<string, number> = {};
let home: string[];
let concerts: string[];
let reviewEntityRequests = 0;

const reviews = createYoga({
  logging: false,
  schema: buildSubgraphSchema({
    typeDefs: parse(REVIEWS_SDL),
    resolvers: {
      Query: {
        topRated: () => Object.entries(RATINGS).map(([name, rating]) => ({ name, rating })),
      },
      Event: {
        __resolveReference: (ref: { name: string }) => {
          reviewEntityRequests++;
          return { name: ref.name, rating: RATINGS[ref.name] ?? null };
        },
      },
    },
  }),
});

describe('Hive Gateway over our subgraph and a reviews subgraph', () => {
  let ours: GatewayUnderTest;
  let router: GatewayRuntime;
  const subgraphRequests: string[] = [];

  beforeAll(async () => {
    ours = await startGateway({ GRAPHQL_FEDERATION: 'true' });
    ({ homeEvents: home, concerts } = samplesOf(ours.sandbox));
    RATINGS = Object.fromEntries([
      ...[5, 4, 4, 3, 5, 2].map((rating, i) => [home[i], rating]),
      ...[5, 4, 3].map((rating, i) => [concerts[i], rating]),
      ['GONE01', 1],
    ]);
    const composed = composeServices([
      {
        name: 'archtics',
        typeDefs: parse(printSubgraphSDL()),
        url: 'http://archtics.internal/graphql',
      },
      { name: 'reviews', typeDefs: parse(REVIEWS_SDL), url: 'http://reviews.internal/graphql' },
    ]);
    expect(composed.errors ?? []).toEqual([]);
    router = createGatewayRuntime({
      supergraph: composed.supergraphSdl!,
      logging: false,
      propagateHeaders,
      plugins: () => [
        useCustomFetch((url, init) => {
          subgraphRequests.push(new URL(url).host);
          const target = url.startsWith('http://archtics.internal') ? ours.gateway.yoga : reviews;
          return target.fetch(url, init as RequestInit) as never;
        }),
      ],
    });
  });
  afterAll(async () => {
    await router?.[Symbol.asyncDispose]();
    await ours?.close();
  });

  async function query(q: string) {
    const res = await router.fetch('http://router.local/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: q }),
    });
    return {
      status: res.status,
      headers: res.headers,
      body: (await res.json()) as { data?: any; errors?: unknown[] },
    };
  }

  it('reviews → ours: 10 Event references resolve with ONE event_details upstream', async () => {
    const before = ours.commands('event_details');
    subgraphRequests.length = 0;
    const { body, headers } = await query('{ topRated { name rating description venue date } }');
    expect(body.errors).toBeUndefined();
    const rows = body.data.topRated as {
      name: string;
      rating: number;
      description: string | null;
      venue: string | null;
    }[];
    expect(rows.map((r) => r.name)).toEqual(Object.keys(RATINGS));
    expect(rows.map((r) => r.rating)).toEqual(Object.values(RATINGS));
    expect(rows.find((r) => r.name === home[0])).toMatchObject({
      description: expect.any(String),
      venue: expect.any(String),
    });
    // The one that is no event upstream comes back without our fields, and fails nothing else.
    expect(rows.find((r) => r.name === 'GONE01')?.description ?? null).toBeNull();
    expect(ours.commands('event_details') - before).toBe(1);
    expect(subgraphRequests).toEqual(['reviews.internal', 'archtics.internal']);
    // Our cost report, forwarded by the committed config: that one call.
    const cost = parseCostHeader(headers.get('x-upstream-cost') ?? '');
    expect(cost).toHaveLength(1);
    expect(cost[0]).toMatchObject({ calls: 1, polls: 0 });
  });

  it('ours → reviews: events by name get their ratings from the other subgraph', async () => {
    const before = ours.commands('event_details');
    const reviewed = reviewEntityRequests;
    subgraphRequests.length = 0;
    const { body } = await query(
      `{ events(names: ["${home[4]}", "${concerts[1]}", "${home[6]}"]) { name venue rating } }`,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.events).toEqual([
      { name: home[4], venue: expect.any(String), rating: 5 },
      { name: concerts[1], venue: expect.any(String), rating: 4 },
      { name: home[6], venue: expect.any(String), rating: null },
    ]);
    expect(ours.commands('event_details') - before).toBe(1);
    expect(reviewEntityRequests - reviewed).toBe(3);
    expect(subgraphRequests).toEqual(['archtics.internal', 'reviews.internal']);
  });

  it("a customer's seats, each seat's event rated by reviews: one customer_query, one seats_sold, one event_details", async () => {
    const counts = () =>
      ['customer_query', 'seats_sold', 'event_details'].map((c) => ours.commands(c));
    const before = counts();
    const { body } = await query(
      `{ customer(acctId: ${samplesOf(ours.sandbox).seasonTicketHolder}) { lastName seats(first: 10) { edges { node { section event { name rating } } } } } }`,
    );
    expect(body.errors).toBeUndefined();
    const seats = body.data.customer.seats.edges as {
      node: { event: { name: string; rating: number | null } };
    }[];
    expect(seats.length).toBeGreaterThan(0);
    for (const { node } of seats) expect(node.event.rating).toBe(RATINGS[node.event.name] ?? null);
    expect(counts().map((n, i) => n - before[i])).toEqual([1, 1, 1]);
  });
});
