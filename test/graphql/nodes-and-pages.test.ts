/**
 * Global ids: node/nodes round-trip every Node type; connections page forwards with no
 * duplicates and no gaps; bad ids and cursors are BAD_USER_INPUT before any upstream call.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createArchticsApi } from '../../src/archtics/commands/index.js';
import {
  type CustomerSeatsQuery,
  type SearchEventsQuery,
  CartDocument,
  CustomerSeatsDocument,
  EventAvailabilityDocument,
  NodeDocument,
  NodesDocument,
  SearchEventsDocument,
} from '../gql/graphql.js';
import { account, samplesOf } from '../support/worlds.js';
import {
  codes,
  globalId,
  type GqlResult,
  resetSandbox,
  sandboxStats,
  TestGateway,
  useSandboxedGateway,
} from './harness.js';

const env = useSandboxedGateway();
/** The world's names (this file runs against any world). */
const s = () => samplesOf(env.sb);
const holder = () => s().seasonTicketHolder;
const home = (i: number) => s().homeEvents[i]!;
beforeEach(() => resetSandbox(env.sb));

interface FreeSeats {
  event_name: string;
  section_name: string;
  row_name: string;
  seat_num: number;
}

describe('node and nodes', () => {
  it('round-trip Event, Customer, sold and available Seat, and Cart by global id', async () => {
    const free = (env.sb.world.samples as { freeSeats: FreeSeats }).freeSeats;
    const hold = await createArchticsApi(env.gw.gateway.runner).seatsHoldSpecific({
      eventName: free.event_name,
      section: free.section_name,
      row: free.row_name,
      firstSeat: free.seat_num,
      numSeats: 2,
      ticketTypeCode: s().ticketTypes[0]!,
    });
    const sold = await env.gw.exec(CustomerSeatsDocument, { acctId: holder(), first: 1 });
    const soldSeat = sold.data!.customer!.seats!.edges[0].node;
    const avail = await env.gw.exec(EventAvailabilityDocument, { name: home(1), first: 1 });
    const availSeat = avail.data!.event!.availableSeats!.edges[0].node;
    const cart = await env.gw.exec(CartDocument, { orderNum: hold.orderNum });
    expect(cart.errors).toBeUndefined();
    expect(cart.data!.cart!.seats.map((s) => [s.number, s.status])).toEqual([
      [free.seat_num, 'HELD'],
      [free.seat_num + 1, 'HELD'],
    ]);

    const ids = {
      Event: globalId('Event', home(0)),
      Customer: globalId('Customer', holder()),
      Seat: soldSeat.id,
      AvailableSeat: availSeat.id,
      Cart: cart.data!.cart!.id,
      HeldSeat: cart.data!.cart!.seats[0].id,
    };
    expect(ids.Seat).toBe(
      globalId(
        'Seat',
        `${soldSeat.event!.name}|${soldSeat.section}|${soldSeat.row}|${soldSeat.number}`,
      ),
    );
    expect(ids.Cart).toBe(globalId('Cart', hold.orderNum));

    for (const [kind, id] of Object.entries(ids)) {
      const r = await env.gw.exec(NodeDocument, { id });
      expect(r.errors, kind).toBeUndefined();
      expect(r.data!.node!.id, kind).toBe(id);
    }
    const one = await env.gw.exec(NodeDocument, { id: ids.Customer });
    expect(one.data!.node).toMatchObject({ __typename: 'Customer', acctId: holder() });
    const seat = await env.gw.exec(NodeDocument, { id: ids.Seat });
    expect(seat.data!.node).toMatchObject({
      __typename: 'Seat',
      section: soldSeat.section,
      row: soldSeat.row,
      number: soldSeat.number,
      status: 'SOLD',
    });
    const availNode = await env.gw.exec(NodeDocument, { id: ids.AvailableSeat });
    expect(availNode.data!.node).toMatchObject({
      __typename: 'Seat',
      status: 'AVAILABLE',
      event: { name: home(1) },
    });

    const all = await env.gw.exec(NodesDocument, {
      ids: [ids.Cart, ids.Event, globalId('Customer', 999999), ids.Seat, ids.Customer],
    });
    expect(all.errors).toBeUndefined();
    expect(all.data!.nodes!.map((n) => n?.__typename ?? null)).toEqual([
      'Cart',
      'Event',
      null,
      'Seat',
      'Customer',
    ]);
    expect(all.data!.nodes!.map((n) => n?.id ?? null)).toEqual([
      ids.Cart,
      ids.Event,
      null,
      ids.Seat,
      ids.Customer,
    ]);
  });

  it('answer cached customers (at once) exactly as uncached ones: order, duplicates, missing ids', async () => {
    const cached = await TestGateway.start(env.sb, {}, { cache: true });
    try {
      const ids = [
        globalId('Customer', holder()),
        globalId('Customer', 999999),
        globalId('Customer', account(env.sb, 17)),
        globalId('Customer', holder()),
      ];
      const first = await cached.exec(NodesDocument, { ids });
      expect(first.errors).toBeUndefined();
      expect(first.data!.nodes!.map((n) => n?.id ?? null)).toEqual([ids[0], null, ids[2], ids[0]]);
      const posts = (await sandboxStats(env.sb)).posts;
      const present = [ids[0], ids[2], ids[0]];
      const warm = await cached.exec(NodesDocument, { ids: present });
      expect(warm.errors).toBeUndefined();
      expect(warm.data).toEqual({
        nodes: [first.data!.nodes![0], first.data!.nodes![2], first.data!.nodes![3]],
      });
      // Served from the cache, with no upstream call; and the same as a gateway without a cache answers.
      expect((await sandboxStats(env.sb)).posts).toBe(posts);
      expect(warm.data).toEqual((await env.gw.exec(NodesDocument, { ids: present })).data);
    } finally {
      await cached.close();
    }
  });

  it('answer null for ids of things that do not exist, with no error', async () => {
    const r = await env.gw.exec(NodesDocument, {
      ids: [globalId('Event', 'NOPE'), globalId('Customer', 999999), globalId('Cart', 987654)],
    });
    expect(r.errors).toBeUndefined();
    expect(r.data!.nodes).toEqual([null, null, null]);
  });

  it('refuse malformed ids and unknown types as BAD_USER_INPUT without calling upstream', async () => {
    for (const id of [
      'not-base64!',
      globalId('Nope', '1'),
      globalId('Customer', 'abc'),
      globalId('Customer', '-4'),
      globalId('Seat', `${home(0)}|${s().sections[0]}`),
      globalId('PageInfo', 'x'),
    ]) {
      const r = await env.gw.exec(NodeDocument, { id });
      expect(codes(r), id).toEqual(['BAD_USER_INPUT']);
      expect(r.data!.node).toBeNull();
    }
    expect((await sandboxStats(env.sb)).posts).toBe(0);
  });
});

describe('connections', () => {
  it("page a customer's seats forwards: every seat once, in order, no gaps", async () => {
    const whole = await env.gw.exec(CustomerSeatsDocument, { acctId: holder(), first: 100 });
    const all = whole.data!.customer!.seats!.edges.map((e) => e.node.id);
    expect(all.length).toBeGreaterThan(20);
    expect(new Set(all).size).toBe(all.length);

    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (; pages < 50; pages++) {
      const r: GqlResult<CustomerSeatsQuery> = await env.gw.exec(CustomerSeatsDocument, {
        acctId: holder(),
        first: 7,
        after,
      });
      expect(r.errors).toBeUndefined();
      const conn = r.data!.customer!.seats!;
      expect(conn.edges.length).toBeLessThanOrEqual(7);
      expect(conn.pageInfo.hasPreviousPage).toBe(after !== null);
      seen.push(...conn.edges.map((e) => e.node.id));
      if (conn.edges.length)
        expect(conn.pageInfo.endCursor).toBe(conn.edges[conn.edges.length - 1].cursor);
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    // The holder has more than 100 seats over the season: paging goes on past the first hundred.
    expect(seen.length).toBeGreaterThan(all.length);
    expect(seen.slice(0, all.length)).toEqual(all);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('filter seats by event and expand blocks into seats with money as decimal strings', async () => {
    const r = await env.gw.exec(CustomerSeatsDocument, {
      acctId: holder(),
      eventName: home(2).toLowerCase(),
      first: 100,
    });
    expect(r.errors).toBeUndefined();
    const seats = r.data!.customer!.seats!.edges.map((e) => e.node);
    expect(seats.length).toBeGreaterThan(1);
    for (const seat of seats) {
      expect(seat.event!.name).toBe(home(2));
      expect(seat.status).toBe('SOLD');
      expect(seat.price!.amount).toMatch(/^\d+\.\d\d$/);
      expect(seat.price!.currency).toBe('USD');
    }
    const numbers = seats.map((seat) => `${seat.section}|${seat.row}|${seat.number}`);
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it('page search results and available seats forwards', async () => {
    const names: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 30; i++) {
      const r: GqlResult<SearchEventsQuery> = await env.gw.exec(SearchEventsDocument, {
        from: '2026-01-01',
        to: '2027-12-31',
        first: 9,
        after,
      });
      expect(r.errors).toBeUndefined();
      names.push(...r.data!.searchEvents!.edges.map((e) => e.node.name));
      if (!r.data!.searchEvents!.pageInfo.hasNextPage) break;
      after = r.data!.searchEvents!.pageInfo.endCursor;
    }
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain(home(0));
    expect(names).toContain(home(39));

    const whole = await env.gw.exec(EventAvailabilityDocument, {
      name: home(3),
      section: s().sections[0],
      first: 100,
    });
    const ids = whole.data!.event!.availableSeats!.edges.map((e) => e.node.id);
    const first = await env.gw.exec(EventAvailabilityDocument, {
      name: home(3),
      section: s().sections[0],
      first: 5,
    });
    const next = await env.gw.exec(EventAvailabilityDocument, {
      name: home(3),
      section: s().sections[0],
      first: 5,
      after: first.data!.event!.availableSeats!.pageInfo.endCursor,
    });
    expect(
      [...first.data!.event!.availableSeats!.edges, ...next.data!.event!.availableSeats!.edges].map(
        (e) => e.node.id,
      ),
    ).toEqual(ids.slice(0, 10));
  });

  it('refuse bad page arguments as BAD_USER_INPUT without calling upstream', async () => {
    const seatCursor = (await env.gw.exec(CustomerSeatsDocument, { acctId: holder(), first: 1 }))
      .data!.customer!.seats!.pageInfo.endCursor!;
    await resetSandbox(env.sb);
    const bad = [
      env.gw.exec(CustomerSeatsDocument, { acctId: holder(), first: 101 }),
      env.gw.exec(CustomerSeatsDocument, { acctId: holder(), first: -1 }),
      env.gw.exec(CustomerSeatsDocument, { acctId: holder(), after: 'bm9wZQ==' }),
      env.gw.exec(SearchEventsDocument, { first: 5, after: seatCursor }),
      env.gw.exec(SearchEventsDocument, { from: '2026-02-30' }),
      env.gw.exec(SearchEventsDocument, { from: '2026-12-01', to: '2026-11-01' }),
      env.gw.exec(CustomerSeatsDocument, { acctId: 0 }),
      env.gw.exec(CustomerSeatsDocument, { acctId: -5 }),
    ];
    for (const r of await Promise.all(bad)) expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect((await sandboxStats(env.sb)).posts).toBe(0);
  });
});
