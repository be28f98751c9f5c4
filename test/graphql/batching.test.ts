/**
 * Batching at the upstream, counted by the sandbox: every Event load of one operation is one
 * event_details call; customers, seats, prices are one call per distinct key. The dashboard runs in
 * every cell of the matrix (test/support/worlds.ts): both seeded worlds × both async modes, every
 * name read from the world's samples.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { DashboardDocument, EventsDocument } from '../gql/graphql.js';
import { MATRIX, samplesOf } from '../support/worlds.js';
import {
  globalId,
  resetSandbox,
  sandboxStats,
  seasonTicketHolders,
  TestGateway,
  useSandboxedGateway,
} from './harness.js';

describe.each(MATRIX)('$label', (cell) => {
  const env = useSandboxedGateway({ sandbox: cell.sandbox, env: cell.env });
  beforeEach(() => resetSandbox(env.sb));

  describe('a dashboard of 25 season-ticket holders, first 10 seats each, each seat with its event', () => {
    it('costs 25 customer_query, 25 seats_sold, 1 event_details and one event_price_info per distinct event', async () => {
      const holders = seasonTicketHolders(env.sb).slice(0, 25);
      expect(holders).toHaveLength(25);

      const r = await env.gw.exec(DashboardDocument, {
        ids: holders.map((id) => globalId('Customer', id)),
        first: 10,
      });

      expect(r.errors).toBeUndefined();
      const customers = r.data!.nodes!.map(
        (n) =>
          n as {
            acctId: number;
            seats: {
              edges: {
                node: {
                  event: {
                    name: string;
                    venue: string | null;
                    date: string | null;
                    priceCodes: { code: string }[];
                  };
                };
              }[];
            };
          },
      );
      expect(customers.map((c) => c.acctId)).toEqual(holders);
      const seats = customers.flatMap((c) => c.seats.edges.map((e) => e.node));
      for (const c of customers) expect(c.seats.edges).toHaveLength(10);
      for (const s of seats) {
        expect(samplesOf(env.sb).homeEvents).toContain(s.event!.name);
        expect(s.event.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(s.event.venue).toBeTruthy();
        expect(s.event.priceCodes.length).toBeGreaterThan(0);
      }
      const distinctEvents = new Set(seats.map((s) => s.event.name));

      const stats = await sandboxStats(env.sb);
      expect(stats.commands).toEqual({
        customer_query: 25,
        seats_sold: 25,
        event_details: 1,
        event_price_info: distinctEvents.size,
      });
    });
  });

  describe('event loads', () => {
    it('match results to names, never positions: an unknown name is null, not a shifted row', async () => {
      const home = samplesOf(env.sb).homeEvents;
      const r = await env.gw.exec(EventsDocument, {
        names: [home[2], 'NOPE', home[0].toLowerCase(), home[2]],
      });
      expect(r.errors).toBeUndefined();
      expect(r.data!.events!.map((e) => e?.name ?? null)).toEqual([
        home[2],
        null,
        home[0],
        home[2],
      ]);
      expect((await sandboxStats(env.sb)).commands).toEqual({ event_details: 1 });
    });

    it('from event, events, searchEvents, Seat.event and node in one operation make one event_details call', async () => {
      const samples = samplesOf(env.sb);
      const home = samples.homeEvents;
      const r = await env.gw.exec(
        `query Mixed($seat: ID!, $ev: ID!, $a: String!, $b: [String!]!, $acct: Int!) {
        a: event(name: $a) { name }
        b: events(names: $b) { name }
        c: searchEvents(from: "2026-01-01", to: "2027-12-31", first: 3) { edges { node { name } } }
        d: customer(acctId: $acct) { seats(first: 2) { edges { node { event { name } } } } }
        e: node(id: $seat) { ... on Seat { event { name } } }
        f: node(id: $ev) { ... on Event { name } }
      }`,
        {
          a: home[4],
          b: [home[5], home[6].toLowerCase()],
          acct: samples.seasonTicketHolder,
          seat: globalId('Seat', `${home[8]}|${samples.sections[0]}|${samples.rows[0]}|1`),
          ev: globalId('Event', home[9]),
        },
      );
      expect(r.errors).toBeUndefined();
      const stats = await sandboxStats(env.sb);
      expect(stats.commands.event_details).toBe(1);
      expect(stats.commands.event_search).toBe(1);
    });

    it('split above EVENT_BATCH_SIZE only', async () => {
      const small = await TestGateway.start(env.sb, { EVENT_BATCH_SIZE: '10' });
      try {
        const names = samplesOf(env.sb).homeEvents.slice(0, 25);
        const r = await small.exec(EventsDocument, { names });
        expect(r.errors).toBeUndefined();
        expect(r.data!.events!.map((e) => e?.name)).toEqual(names);
        expect((await sandboxStats(env.sb)).commands).toEqual({ event_details: 3 });
      } finally {
        await small.close();
      }
    });
  });
});
