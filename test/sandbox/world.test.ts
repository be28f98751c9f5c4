/**
 * The sandbox world, command by command: every success and documented error of reference §4,
 * with exact output field names and types. Pure and in-process (no HTTP).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { AVAIL_COLUMNS, SQL_NO_ROW } from '../../src/protocol/wire.js';
import { RESULT_CODES } from '../../src/sandbox/reference.js';
import {
  expectMoney,
  expectShape,
  HELD_RUN,
  SOLD_BLOCK,
  testWorld,
  type TestWorld,
} from './world-helpers.js';

let t: TestWorld;
let samples: Record<string, any>;
beforeEach(() => {
  t = testWorld(1);
  samples = t.world.samples as Record<string, any>;
});

const CUSTOMER: Record<string, any> = {
  acct_id: 'int',
  cust_name_id: 'string',
  name_type: 'string',
  name_first: 'string',
  name_mi: 'string',
  name_last: 'string',
  'company_name?': 'string',
  street_addr_1: 'string',
  'street_addr_2?': 'string',
  city: 'string',
  state: 'string',
  zip: 'string',
  country: 'string',
  'phone_day?': 'string',
  'phone_cell?': 'string',
  email: 'string',
  add_date: 'string',
  acct_type: 'string',
  email_optout: '0|1',
};

const EVENT_DETAIL: Record<string, any> = {
  event_name: 'string',
  'event_name_inet?': 'string',
  event_description: 'string',
  event_date: 'string',
  event_time: 'string',
  'performer?': 'string',
  organization: 'string',
  venue_name: 'string',
  manifest_name: 'string',
  season_name: 'string',
  event_category: 'string',
  event_duration: 'int',
  plan_type: 'string',
  total_events: 'int',
  allow_singles: 'string',
  'event_onsale_date?': 'string',
  'major_cat?': 'string',
  'minor_cat?': 'string',
  archtics_venue_id: 'string',
};

describe('ping and ats_ext_test_polling', () => {
  it('ping reports the system', () => {
    const f = t.okRun('ping', { call_reason: 'test' });
    expectShape(f, {
      system_available: '0|1',
      digit_available: '0|1',
      cpu_load: 'int',
      db_connections: 'int',
      active_requests: 'int',
      db_name: 'string',
    });
    expect(f.system_available).toBe(1);
  });
  it('ats_ext_test_polling is a bare success', () => {
    expect(t.run('ats_ext_test_polling')).toEqual({ result: 0, sql_code: 0 });
  });
});

describe('event_search', () => {
  it('defaults to today .. +90 days on the world clock', () => {
    const f = t.okRun('event_search');
    expectShape(f, { hold_classes: 'array', events: 'array' });
    expect(f.hold_classes).toEqual(['OPEN', 'CLUB']);
    expect(f.events.length).toBeGreaterThan(5);
    const dates = samples.eventDates as Record<string, string>;
    for (const e of f.events) {
      expectShape(e, { event_name: 'string', availability: '0|1', avail_class: 'array' });
      expect(dates[e.event_name] >= '2026-11-29' && dates[e.event_name] <= '2027-02-27').toBe(true);
    }
    // Moving the clock moves the window.
    t.clock.set(Date.UTC(2027, 6, 1));
    const later = t.okRun('event_search').events.map((e: any) => e.event_name);
    expect(later).toContain('CONC04');
    expect(later).not.toContain(f.events[0].event_name);
  });
  it('filters by dates, venue, season and hold classes', () => {
    const f = t.okRun('event_search', { start_date: '2026-09-01', end_date: '2026-10-31' });
    expect(f.events.map((e: any) => e.event_name)).toEqual([
      'EVENT01',
      'EVENT02',
      'EVENT03',
      'EVENT04',
      'EVENT05',
      'CONC01',
      'EVENT06',
      'EVENT07',
    ]);
    const concerts = t.okRun('event_search', {
      start_date: '2026-09-01',
      end_date: '2027-08-31',
      season_name: '2026-27 concerts',
    });
    expect(concerts.events.map((e: any) => e.event_name)).toEqual([
      'CONC01',
      'CONC02',
      'CONC03',
      'CONC04',
    ]);
    const venue = t.okRun('event_search', {
      start_date: '2026-09-01',
      end_date: '2027-08-31',
      venue_name: 'HARBOR CITY ARENA',
    });
    expect(venue.events).toHaveLength(44);
    const club = t.okRun('event_search', {
      start_date: '2026-09-01',
      end_date: '2026-09-30',
      hold_classes: ['club'],
    });
    expect(club.hold_classes).toEqual(['CLUB']);
    expect(club.events[0]).toEqual({
      event_name: 'EVENT01',
      availability: 1,
      avail_class: ['CLUB'],
    });
    const tooMany = t.okRun('event_search', {
      start_date: '2026-09-01',
      end_date: '2026-09-30',
      num_seats: 100000,
    });
    expect(tooMany.events[0]).toEqual({ event_name: 'EVENT01', availability: 0, avail_class: [] });
  });
  it('5211 on bad input, 5212 (sql_code 100) when nothing matches', () => {
    for (const bad of [
      { start_date: '2026-13-01' },
      { end_date: '01/02/2027' },
      { start_date: '2027-01-02', end_date: '2027-01-01' },
      { num_seats: 'x' },
    ]) {
      const out = t.run('event_search', bad);
      expect(out.result, JSON.stringify(bad)).toBe(RESULT_CODES.eventSearchBadInput);
      expect(out.error_detail).toBeTypeOf('string');
    }
    // Nothing between the archived 2016-17 games and the current season.
    const none = t.run('event_search', {
      ref: '1AB2C3',
      start_date: '2018-01-01',
      end_date: '2018-12-31',
    });
    expect(none).toMatchObject({ result: RESULT_CODES.eventSearchNoEvents, sql_code: SQL_NO_ROW });
    expect(none.fields).toBeUndefined();
  });
  it("the public page's sample (2016-10-01..2016-12-31) finds the archived 2016-17 games, as written", () => {
    const f = t.okRun('event_search', {
      ref: '1AB2C3',
      start_date: '2016-10-01',
      end_date: '2016-12-31',
    });
    expect(f.events.map((e: any) => e.event_name)).toEqual(['HIST1601', 'HIST1602', 'HIST1603']);
    expect(f.events[0]).toEqual({
      event_name: 'HIST1601',
      availability: 1,
      avail_class: ['OPEN', 'CLUB'],
    });
    const details = t.okRun('event_details', { event_filter: 'HIST1601', event_filter_type: 'L' });
    expect(details.events[0]).toMatchObject({
      event_date: '2016-10-08',
      season_name: '2016-17 Season',
      total_events: 3,
    });
    // The current season is undisturbed: its first game keeps the first id of its own range.
    expect(
      t.okRun('seats_sold', { acct_id: 100479, event_filter: [{ event_filter: 'EVENT01' }] })
        .seats_array[0].event_id,
    ).toBe(2601);
  });
});

describe('event_details', () => {
  it('the public sample "Event01, Event02" finds both, upper-cased, sorted', () => {
    const f = t.okRun('event_details', {
      event_filter: 'Event01, Event02',
      event_filter_type: 'L',
    });
    expectShape(f, { count: 'int', events: 'array' });
    expect(f.count).toBe(2);
    expect(f.events.map((e: any) => e.event_name)).toEqual(['EVENT01', 'EVENT02']);
    for (const e of f.events) {
      expectShape(e, EVENT_DETAIL, e.event_name);
      expect(e.event_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(e.event_time).toMatch(/^\d{2}:\d{2}$/);
      expect(e.event_name.length).toBeLessThanOrEqual(8);
      expect(['E', 'P', 'O']).toContain(e.event_category);
      expect(['S', 'N']).toContain(e.plan_type);
      expect(['Y', 'N']).toContain(e.allow_singles);
    }
    expect(f.events[0]).toMatchObject({
      event_date: '2026-09-05',
      season_name: '2026-27 Season',
      total_events: 40,
    });
  });
  it('unknown names are absent; a concert has a performer', () => {
    const f = t.okRun('event_details', {
      event_filter: 'conc02,NOPE, event40',
      event_filter_type: 'L',
    });
    expect(f.events.map((e: any) => e.event_name)).toEqual(['CONC02', 'EVENT40']);
    expect(f.events[0].performer).toBeTypeOf('string');
  });
  it('all events, paged by prev_event_name (exclusive) and count', () => {
    // 40 home games and 4 concerts of 2026-27, and the 3 archived games of 2016-17.
    const all = t.okRun('event_details');
    expect(all.count).toBe(47);
    const names = all.events.map((e: any) => e.event_name);
    expect(names).toEqual([...names].sort());
    const page = t.okRun('event_details', { prev_event_name: 'event10', count: 3 });
    expect(page.events.map((e: any) => e.event_name)).toEqual(['EVENT11', 'EVENT12', 'EVENT13']);
    expect(page.count).toBe(3);
  });
  it('5231 (sql_code 100) when no event matches', () => {
    expect(t.run('event_details', { event_filter: 'NOPE', event_filter_type: 'L' })).toMatchObject({
      result: RESULT_CODES.eventDetailsNoEvents,
      sql_code: SQL_NO_ROW,
    });
    // The last name of all: the archived HIST16xx games sort after EVENT40.
    expect(t.run('event_details', { prev_event_name: 'HIST1603' }).result).toBe(
      RESULT_CODES.eventDetailsNoEvents,
    );
  });
});

describe('customer_query', () => {
  it('the public sample (acct 100479, call_reason S) returns the customer', () => {
    const f = t.okRun('customer_query', {
      ref: 'optional-reference',
      site_name: 'vanilla',
      acct_id: 100479,
      call_reason: 'S',
    });
    expectShape(f, { customer: 'object', account_id_list: 'string', rec_status: 'string' });
    expectShape(f.customer, CUSTOMER, 'customer');
    expect(f.customer.acct_id).toBe(100479);
    expect(f.account_id_list).toBe('100479');
    expect(f.rec_status).toBe('Active');
    expect(f.customer.add_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
  it('by e-mail (any case), by PIN, and acct_id as a string', () => {
    const email = samples.seasonTicketHolderEmail as string;
    expect(
      t.okRun('customer_query', { email: email.toUpperCase(), call_reason: 'S' }).customer.acct_id,
    ).toBe(100479);
    expect(
      t.okRun('customer_query', { acct_id: '100479', pin: samples.seasonTicketHolderPin }).customer
        .acct_id,
    ).toBe(100479);
  });
  it('5021 missing input, 5023 PIN mismatch, 5024 not found (sql_code 100)', () => {
    expect(t.run('customer_query', { call_reason: 'S' }).result).toBe(
      RESULT_CODES.customerMissingInput,
    );
    expect(t.run('customer_query', { acct_id: 100479 }).result).toBe(
      RESULT_CODES.customerMissingInput,
    );
    const wrong = samples.seasonTicketHolderPin === '0000' ? '1111' : '0000';
    expect(t.run('customer_query', { acct_id: 100479, pin: wrong }).result).toBe(
      RESULT_CODES.customerPinMismatch,
    );
    expect(t.run('customer_query', { acct_id: 999999, call_reason: 'S' })).toMatchObject({
      result: RESULT_CODES.customerNotFound,
      sql_code: SQL_NO_ROW,
    });
    expect(t.run('customer_query', { email: 'nobody@example.com', call_reason: 'S' }).result).toBe(
      RESULT_CODES.customerNotFound,
    );
  });
});

describe('seats_sold', () => {
  it('the public sample (acct 100479) returns season-ticket blocks for every home event', () => {
    const f = t.okRun('seats_sold', { call_reason: 'test', acct_id: 100479 });
    expectShape(f, { Count: 'int', seats_array: 'array' });
    expect(f.count).toBeUndefined();
    expect(f.Count).toBe(f.seats_array.length);
    expect(new Set(f.seats_array.map((b: any) => b.event_name)).size).toBe(40);
    for (const b of f.seats_array) {
      expectShape(b, SOLD_BLOCK, 'block');
      expect(b.num_seat).toBeGreaterThanOrEqual(2);
      expect(b.num_seat).toBeLessThanOrEqual(6);
      expect(b.last_seat).toBe(b.seat_num + b.num_seat - 1);
      expect(b.atomic_seats).toHaveLength(b.num_seat);
      expect(b.atomic_seats[0]).toEqual({ atomic_seat: String(b.seat_num) });
      expectMoney(b.full_price);
      expect(b.block_full_price).toBeCloseTo(b.full_price * b.num_seat, 6);
      expect(b.purchase_price).toBeLessThan(b.full_price);
    }
  });
  it('event_filter list and count', () => {
    const f = t.okRun('seats_sold', {
      acct_id: 100479,
      event_filter: [{ event_filter: 'event02' }, { event_filter: 'EVENT03' }],
    });
    expect(new Set(f.seats_array.map((b: any) => b.event_name))).toEqual(
      new Set(['EVENT02', 'EVENT03']),
    );
    expect(t.okRun('seats_sold', { acct_id: 100479, count: 1 }).Count).toBe(1);
  });
  it('5061 missing acct_id and 5069 "No blocks found" — both in error_desc', () => {
    const missing = t.run('seats_sold', {});
    expect(missing.result).toBe(RESULT_CODES.seatsSoldMissingInput);
    expect(missing.error_desc).toBeTypeOf('string');
    expect(missing.error_detail).toBeUndefined();
    const none = t.run('seats_sold', { acct_id: samples.customer });
    expect(none).toEqual({
      result: RESULT_CODES.noBlocksFound,
      sql_code: SQL_NO_ROW,
      error_desc: 'No blocks found',
    });
    expect(
      t.run('seats_sold', { acct_id: 100479, event_filter: [{ event_filter: 'CONC01' }] }).result,
    ).toBe(RESULT_CODES.noBlocksFound);
  });
});

describe('customer_add', () => {
  const person = {
    name_first: 'Ada',
    name_last: 'Lovelace',
    email: 'ada.lovelace@example.com',
    city: 'London',
    country: 'GBR',
  };
  it('creates an account (acct_id and cust_name_id as numbers) that customer_query finds', () => {
    const f = t.okRun('customer_add', { pin: '4321', customer: person });
    expectShape(f, { acct_id: 'int', cust_name_id: 'int' });
    expect(f.acct_id).toBeGreaterThanOrEqual(102000);
    const q = t.okRun('customer_query', { email: 'ADA.LOVELACE@example.com', pin: '4321' });
    expect(q.customer).toMatchObject({
      acct_id: f.acct_id,
      cust_name_id: String(f.cust_name_id),
      name_first: 'Ada',
      city: 'London',
      street_addr_1: '',
    });
    expect(q.customer.add_date).toBe('2026-11-29');
    expect(q.customer.phone_day).toBeUndefined();
  });
  it('5011 missing field, 5019 invalid e-mail, 11408 e-mail exists (returns the existing ids)', () => {
    expect(t.run('customer_add', { customer: { ...person, name_last: '' } }).result).toBe(
      RESULT_CODES.customerAddMissingField,
    );
    expect(t.run('customer_add', {}).result).toBe(RESULT_CODES.customerAddMissingField);
    expect(t.run('customer_add', { customer: { ...person, email: 'not-an-email' } }).result).toBe(
      RESULT_CODES.customerAddInvalidEmail,
    );
    const exists = t.run('customer_add', {
      customer: { ...person, email: (samples.seasonTicketHolderEmail as string).toUpperCase() },
    });
    expect(exists.result).toBe(RESULT_CODES.emailExists);
    expect(exists.error_detail).toBeTypeOf('string');
    expect(exists.fields).toEqual({ acct_id: 100479, cust_name_id: 300479 });
  });
});

describe('customer_update', () => {
  it('replace semantics: fields left out are cleared', () => {
    const before = t.okRun('customer_query', { acct_id: 100479, call_reason: 'S' }).customer;
    t.okRun('customer_update', {
      call_reason: 'S',
      customer: {
        acct_id: 100479,
        name_first: 'Jo',
        name_last: before.name_last,
        email: 'jo@example.com',
        phone_cell: '562-555-0001',
      },
    });
    const after = t.okRun('customer_query', { acct_id: 100479, call_reason: 'S' }).customer;
    expect(after).toMatchObject({
      name_first: 'Jo',
      email: 'jo@example.com',
      phone_cell: '562-555-0001',
      city: '',
      street_addr_1: '',
      name_mi: '',
    });
    expect(after.phone_day).toBeUndefined();
    expect(after.add_date).toBe(before.add_date);
    expect(after.acct_type).toBe('STH'); // not a customer field: kept when left out
    // The e-mail index follows: the old address is free, the new one is taken.
    expect(t.run('customer_query', { email: before.email, call_reason: 'S' }).result).toBe(
      RESULT_CODES.customerNotFound,
    );
  });
  it('5021 missing acct_id, 5034 not found, 5036 bad e-mail, 5037 e-mail used by another', () => {
    expect(
      t.run('customer_update', { call_reason: 'S', customer: { email: 'x@example.com' } }).result,
    ).toBe(RESULT_CODES.customerMissingInput);
    expect(
      t.run('customer_update', {
        call_reason: 'S',
        customer: { acct_id: 999999, email: 'x@example.com' },
      }),
    ).toMatchObject({
      result: RESULT_CODES.customerUpdateNotFound,
      sql_code: SQL_NO_ROW,
    });
    expect(
      t.run('customer_update', { call_reason: 'S', customer: { acct_id: 100479, email: 'bad' } })
        .result,
    ).toBe(RESULT_CODES.customerUpdateBadEmail);
    expect(
      t.run('customer_update', {
        call_reason: 'S',
        customer: { acct_id: 100479, email: samples.customerEmail },
      }).result,
    ).toBe(RESULT_CODES.customerUpdateEmailUsed);
    // Own address is fine; the PIN works instead of the system call.
    t.okRun('customer_update', {
      pin: samples.seasonTicketHolderPin,
      customer: {
        acct_id: 100479,
        name_first: 'A',
        name_last: 'B',
        email: samples.seasonTicketHolderEmail,
      },
    });
  });
});

describe('get_avail_seats', () => {
  it('summary per section', () => {
    const f = t.okRun('get_avail_seats', { event_name: 'event01', summary_flag: 'Y' });
    expectShape(f, { manifest: 'object' });
    expectShape(f.manifest, { section_summary: 'object' });
    expect(f.manifest.section_summary.columns).toBe(AVAIL_COLUMNS.summary);
    const rows: string[] = f.manifest.section_summary.data;
    expect(rows).toHaveLength(30);
    const [section, avail, min, max, codes] = rows[0].split(',');
    expect(section).toBe('101');
    expect(Number(avail)).toBeGreaterThan(300);
    expect(min).toBe('95.50');
    expect(max).toBe('145.00');
    expect(codes).toBe('A|B');
    const total = rows.reduce((s, r) => s + Number(r.split(',')[1]), 0);
    expect(total).toBeLessThan(12000); // the season-ticket holders' seats are sold
  });
  it('per seat, with section and price code filters', () => {
    const f = t.okRun('get_avail_seats', {
      event_name: 'EVENT01',
      summary_flag: 'N',
      section_name: '101',
      price_code: 'a',
    });
    expectShape(f.manifest, { seats: 'object' });
    expect(f.manifest.seats.columns).toBe(AVAIL_COLUMNS.seats);
    const rows: string[] = f.manifest.seats.data;
    expect(rows.length).toBeGreaterThan(100);
    for (const r of rows) expect(r).toMatch(/^101,[A-Z],\d{1,2},A,145\.00$/);
    const holder = samples.holderSeats;
    const all: string[] = t.okRun('get_avail_seats', { event_name: 'EVENT01', summary_flag: 'N' })
      .manifest.seats.data;
    expect(
      all.some((r) =>
        r.startsWith(`${holder.section_name},${holder.row_name},${holder.seat_num},`),
      ),
    ).toBe(false);
  });
  it('6002 unknown event', () => {
    expect(t.run('get_avail_seats', { event_name: 'NOPE', summary_flag: 'Y' }).result).toBe(
      RESULT_CODES.unknownEvent,
    );
  });
});

describe('event_price_info', () => {
  it('price codes with ticket types and prices', () => {
    const f = t.okRun('event_price_info', { event_name: 'Event01' });
    expect(f.price_codes).toHaveLength(6);
    for (const pc of f.price_codes) {
      expectShape(pc, { price_code: 'string', price_code_desc: 'string', ticket_types: 'array' });
      expect(pc.ticket_types.map((x: any) => x.ticket_type_code)).toEqual([
        'ADULT',
        'CHILD',
        'SENIOR',
      ]);
      for (const tt of pc.ticket_types) {
        expectShape(tt, {
          ticket_type_code: 'string',
          ticket_type_desc: 'string',
          price: 'number',
        });
        expectMoney(tt.price);
      }
    }
    expect(f.price_codes.find((p: any) => p.price_code === 'E').ticket_types[0].price).toBe(45.5);
    expect(t.run('event_price_info', { event_name: 'NOPE' }).result).toBe(
      RESULT_CODES.unknownEvent,
    );
  });
});

describe('seats_hold (best available)', () => {
  it('holds adjacent seats in one row, best tier first, split by ticket type', () => {
    const f = t.okRun('seats_hold', {
      event_name: 'event03',
      ticket_type: [
        { ticket_type_code: 'ADULT', num_seats: 2 },
        { ticket_type_code: 'child', num_seats: '2' },
      ],
    });
    expectShape(f, { order_num_out: 'int', seats: 'array', hold_expires: 'string' });
    expect(f.hold_expires).toBe('2026-11-29 12:15:00');
    expect(f.seats).toHaveLength(2);
    for (const s of f.seats) expectShape(s, HELD_RUN, 'run');
    const [a, c] = f.seats;
    expect(a).toMatchObject({
      event_name: 'EVENT03',
      price_code: 'A',
      ticket_type_code: 'ADULT',
      num_seats: 2,
      price: 145,
    });
    expect(c).toMatchObject({
      section_name: a.section_name,
      row_name: a.row_name,
      seat_num: a.last_seat + 1,
      ticket_type_code: 'CHILD',
      price: 87,
    });
  });
  it('honours price_code and section_name, adds to a cart with order_num_in', () => {
    const first = t.okRun('seats_hold', {
      event_name: 'EVENT03',
      ticket_type: [{ ticket_type_code: 'ADULT', num_seats: 3 }],
      price_code: 'E',
    });
    expect(first.seats[0].price_code).toBe('E');
    expect(first.seats[0].price).toBe(45.5);
    const second = t.okRun('seats_hold', {
      event_name: 'EVENT04',
      ticket_type: [{ ticket_type_code: 'SENIOR', num_seats: 1 }],
      section_name: '305',
      order_num_in: first.order_num_out,
      acct_id: 100479,
    });
    expect(second.order_num_out).toBe(first.order_num_out);
    expect(second.seats[0].section_name).toBe('305');
    const cart = t.okRun('shopping_cart', { order_num: first.order_num_out });
    expect(cart.seats).toHaveLength(2);
    expect(cart.acct_id).toBe(100479);
  });
  it('6001 (order_num_out 0), 6002 unknown event, 6004 unknown cart', () => {
    const tooMany = t.run('seats_hold', {
      event_name: 'EVENT01',
      ticket_type: [{ ticket_type_code: 'ADULT', num_seats: 21 }],
    });
    expect(tooMany.result).toBe(RESULT_CODES.notEnoughSeats);
    expect(tooMany.fields).toEqual({ order_num_out: 0 });
    expect(
      t.run('seats_hold', {
        event_name: 'NOPE',
        ticket_type: [{ ticket_type_code: 'ADULT', num_seats: 1 }],
      }).result,
    ).toBe(RESULT_CODES.unknownEvent);
    expect(
      t.run('seats_hold', {
        event_name: 'EVENT01',
        order_num_in: 42,
        ticket_type: [{ ticket_type_code: 'ADULT', num_seats: 1 }],
      }),
    ).toMatchObject({ result: RESULT_CODES.unknownCart, sql_code: SQL_NO_ROW });
  });
});

describe('seats_hold_specific', () => {
  it('holds exactly the seats asked for', () => {
    const s = samples.freeSeats;
    const f = t.okRun('seats_hold_specific', { ...s, num_seats: 4, ticket_type_code: 'ADULT' });
    expectShape(f, { order_num_out: 'int', seats: 'array', hold_expires: 'string' });
    expect(f.seats).toEqual([
      {
        event_name: s.event_name,
        section_name: s.section_name,
        row_name: s.row_name,
        seat_num: s.seat_num,
        num_seats: 4,
        last_seat: s.seat_num + 3,
        price_code: s.price_code,
        ticket_type_code: 'ADULT',
        price: f.seats[0].price,
      },
    ]);
  });
  it('6003 when any seat is taken or does not exist — nothing is held; 6002; 6004', () => {
    const s = samples.freeSeats;
    t.okRun('seats_hold_specific', { ...s, seat_num: s.seat_num + 3, num_seats: 1 });
    const clash = t.run('seats_hold_specific', { ...s, num_seats: 5 });
    expect(clash).toMatchObject({
      result: RESULT_CODES.seatsNotAvailable,
      error_detail: 'Seat(s) not available',
      fields: { order_num_out: 0 },
    });
    // The first three are still free: nothing was held by the failed call.
    t.okRun('seats_hold_specific', { ...s, num_seats: 3 });
    const h = samples.holderSeats;
    expect(t.run('seats_hold_specific', { ...h, num_seats: 1 }).result).toBe(
      RESULT_CODES.seatsNotAvailable,
    );
    expect(t.run('seats_hold_specific', { ...s, section_name: '999' }).result).toBe(
      RESULT_CODES.seatsNotAvailable,
    );
    expect(t.run('seats_hold_specific', { ...s, seat_num: 20, num_seats: 2 }).result).toBe(
      RESULT_CODES.seatsNotAvailable,
    );
    expect(t.run('seats_hold_specific', { ...s, event_name: 'NOPE' }).result).toBe(
      RESULT_CODES.unknownEvent,
    );
    expect(t.run('seats_hold_specific', { ...s, order_num_in: 7 }).result).toBe(
      RESULT_CODES.unknownCart,
    );
  });
});

describe('shopping_cart and abort_shopping_cart', () => {
  it('shows the cart, and aborting frees the seats', () => {
    const s = samples.freeSeats;
    const hold = t.okRun('seats_hold_specific', { ...s, num_seats: 2 });
    const cart = t.okRun('shopping_cart', { order_num: hold.order_num_out });
    expectShape(cart, {
      order_num: 'int',
      'acct_id?': 'int',
      seats: 'array',
      hold_expires: 'string',
      subtotal: 'number',
    });
    expect(cart.acct_id).toBeUndefined();
    expect(cart.subtotal).toBeCloseTo(cart.seats[0].price * 2, 6);
    expect(t.okRun('abort_shopping_cart', { order_num: hold.order_num_out })).toEqual({});
    expect(t.run('shopping_cart', { order_num: hold.order_num_out })).toMatchObject({
      result: RESULT_CODES.unknownCart,
      sql_code: SQL_NO_ROW,
    });
    expect(t.run('abort_shopping_cart', { order_num: hold.order_num_out }).result).toBe(
      RESULT_CODES.unknownCart,
    );
    t.okRun('seats_hold_specific', { ...s, num_seats: 2 }); // free again
  });
});

describe('check_out', () => {
  it('prices the cart: items, service charges, plans, amount due', () => {
    const hold = t.okRun('seats_hold', {
      event_name: 'EVENT07',
      ticket_type: [{ ticket_type_code: 'ADULT', num_seats: 2 }],
      price_code: 'E',
    });
    const f = t.okRun('check_out', { acct_id: 100479, order_num: hold.order_num_out });
    expectShape(f, {
      cart_items: 'array',
      service_charges: 'array',
      pmt_plans: 'array',
      subtotal: 'number',
      fees_total: 'number',
      amount_due: 'number',
    });
    expectShape(f.cart_items[0], {
      order_line_item: 'int',
      event_name: 'string',
      section_name: 'string',
      row_name: 'string',
      seat_num: 'int',
      num_seats: 'int',
      price_code: 'string',
      ticket_type_code: 'string',
      price: 'number',
      line_total: 'number',
    });
    for (const sc of f.service_charges)
      expectShape(sc, { sc_id: 'string', sc_desc: 'string', sc_amount: 'number' });
    for (const p of f.pmt_plans)
      expectShape(p, { available_payment_plan_id: 'string', plan_desc: 'string' });
    expect(f.cart_items[0]).toMatchObject({ order_line_item: 1, price: 45.5, line_total: 91 });
    expect(f.subtotal).toBe(91);
    expect(f.fees_total).toBe(10); // 2 × 2.50 facility + 5.00 order
    expect(f.amount_due).toBe(101);
    // Safe to repeat.
    expect(t.okRun('check_out', { acct_id: 100479, order_num: hold.order_num_out })).toEqual(f);
  });
  it('6004 unknown cart, 5034 unknown account', () => {
    expect(t.run('check_out', { acct_id: 100479, order_num: 1 }).result).toBe(
      RESULT_CODES.unknownCart,
    );
    const hold = t.okRun('seats_hold', {
      event_name: 'EVENT07',
      ticket_type: [{ ticket_type_code: 'ADULT', num_seats: 1 }],
    });
    expect(t.run('check_out', { acct_id: 999999, order_num: hold.order_num_out }).result).toBe(
      RESULT_CODES.customerUpdateNotFound,
    );
  });
});
