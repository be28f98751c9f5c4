/**
 * Conformance of the read paths: the dashboard (batching), event loads, searchEvents (incl. the
 * public page's 2016 window), availability with get_avail_seats answered 202 and polled, customer
 * pages, ping — and then a burst beyond the 80-a-minute budget — against a strict sandbox held to
 * the same 80 a minute (× the POSTs a command costs when every command is polled). Nothing the gateway sends may break a rule of the protocol reference. In
 * every cell of the matrix (test/support/worlds.ts): both seeded worlds × both async modes.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CustomerSeatsDocument,
  DashboardDocument,
  EventAvailabilityDocument,
  EventsDocument,
  SearchEventsDocument,
  UpstreamPingDocument,
} from '../gql/graphql.js';
import { codes, globalId, sandboxStats, seasonTicketHolders } from '../graphql/harness.js';
import { MATRIX, samplesOf } from '../support/worlds.js';
import { expectConformant, startStrictPair, type StrictPair } from './support.js';

describe.each(MATRIX)('$label', (cell) => {
  let pair: StrictPair;
  beforeAll(async () => {
    // get_avail_seats takes 5 s of sandbox time (50 ms real): it always answers 202 and is polled.
    pair = await startStrictPair({
      ratePerMinute: 80 * cell.postsPerCommand,
      sandbox: { timeScale: 0.01, serviceTimeMs: { get_avail_seats: 5_000 }, ...cell.sandbox },
      env: cell.env,
    });
  });
  afterAll(() => pair?.close());
  afterEach(() => expectConformant(pair.sb));

  describe('reads against a strict sandbox (the same budget on both sides)', () => {
    it('a dashboard of 8 season-ticket holders with their seats and events', async () => {
      const holders = seasonTicketHolders(pair.sb).slice(0, 8);
      const r = await pair.gw.exec(DashboardDocument, {
        ids: holders.map((id) => globalId('Customer', id)),
        first: 5,
      });
      expect(r.errors).toBeUndefined();
      expect(r.data!.nodes).toHaveLength(8);
      const s = await sandboxStats(pair.sb);
      expect(s.commands).toMatchObject({ customer_query: 8, seats_sold: 8, event_details: 1 });
    });

    it('event loads batched into one event_details; searchEvents, including the public sample window of 2016', async () => {
      const samples = samplesOf(pair.sb);
      const names = [samples.homeEvents[2], samples.concerts[1], samples.archivedEvents[0]];
      const events = await pair.gw.exec(EventsDocument, { names });
      expect(events.errors).toBeUndefined();
      expect(events.data!.events!.map((e) => e?.name)).toEqual(names);
      const season = await pair.gw.exec(SearchEventsDocument, {
        from: '2026-09-01',
        to: '2026-10-31',
        first: 5,
      });
      expect(season.errors).toBeUndefined();
      expect(season.data!.searchEvents!.edges.length).toBe(5);
      const archived = await pair.gw.exec(SearchEventsDocument, {
        from: '2016-10-01',
        to: '2016-12-31',
        first: 10,
      });
      expect(archived.errors).toBeUndefined();
      expect(archived.data!.searchEvents!.edges.map((e) => e.node.name)).toEqual(
        samples.archivedEvents,
      );
    });

    it('availability with get_avail_seats answered 202 and polled to its result', async () => {
      const before = await sandboxStats(pair.sb);
      const samples = samplesOf(pair.sb);
      const r = await pair.gw.exec(EventAvailabilityDocument, {
        name: samples.homeEvents[4],
        section: samples.sections[0],
        first: 5,
      });
      expect(r.errors).toBeUndefined();
      expect(r.data!.event!.availability!.length).toBeGreaterThan(0);
      expect(r.data!.event!.availableSeats!.edges).toHaveLength(5);
      // Two different get_avail_seats (summary and seats) polled side by side, each in its own jar.
      const again = await pair.gw.exec(EventAvailabilityDocument, {
        name: samples.homeEvents[5],
        first: 3,
      });
      expect(again.errors).toBeUndefined();
      const after = await sandboxStats(pair.sb);
      expect(after.queued - before.queued).toBeGreaterThanOrEqual(2);
      expect(after.polls - before.polls).toBeGreaterThanOrEqual(2);
      expect(after.pending).toBe(0);
    });

    it("a customer's seats, and ping", async () => {
      const r = await pair.gw.exec(CustomerSeatsDocument, {
        acctId: samplesOf(pair.sb).seasonTicketHolder,
        first: 5,
      });
      expect(r.errors).toBeUndefined();
      expect(r.data!.customer!.seats!.edges).toHaveLength(5);
      const ping = await pair.gw.exec(UpstreamPingDocument);
      expect(ping.errors).toBeUndefined();
      expect(ping.data!.upstream.ping!.systemAvailable).toBe(true);
    });

    it('a burst beyond the budget: the gateway refuses what does not fit instead of sending it', async () => {
      const holders = seasonTicketHolders(pair.sb).slice(20, 80);
      const results = await Promise.all(
        holders.map((acctId) => pair.gw.exec(CustomerSeatsDocument, { acctId, first: 1 })),
      );
      const ok = results.filter((r) => r.errors === undefined).length;
      const limited = results.filter((r) => codes(r).includes('RATE_LIMITED')).length;
      expect(ok + limited).toBe(holders.length);
      // More than the minute's budget was asked for: some had to be refused by the gateway itself.
      expect(limited).toBeGreaterThan(0);
      const s = await sandboxStats(pair.sb);
      expect(s.rateLimited429).toBe(0);
    });
  });

  describe('the budget against a sandbox on real time (its own quota minute is a real minute)', () => {
    it('bursts twice past 30 a minute: the service never has to refuse one POST', async () => {
      const strict = await startStrictPair({
        ratePerMinute: 30,
        sandbox: cell.sandbox,
        env: cell.env,
      });
      try {
        const holders = seasonTicketHolders(strict.sb).slice(0, 24);
        for (const batch of [holders.slice(0, 12), holders.slice(12)]) {
          await Promise.all(
            batch.map((acctId) => strict.gw.exec(CustomerSeatsDocument, { acctId, first: 1 })),
          );
        }
        const s = await expectConformant(strict.sb);
        expect(s.posts).toBeLessThanOrEqual(30);
        expect(s.rateLimited429).toBe(0);
        expect(s.maxPostsInAnyMinute).toBeLessThanOrEqual(30);
      } finally {
        await strict.close();
      }
    });
  });
});
