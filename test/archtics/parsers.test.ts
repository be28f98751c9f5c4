/**
 * Every command's wire fields (toFields) and parser, on a success answer shaped as the protocol
 * reference §4 says and on each documented result code; then each quirk of reference §6.
 */
import { describe, expect, it } from 'vitest';
import {
  ALL_COMMAND_DEFS,
  abortShoppingCart,
  checkOut,
  createArchticsApi,
  customerAdd,
  customerQuery,
  customerUpdate,
  eventDetails,
  eventPriceInfo,
  eventSearch,
  getAvailSeats,
  getAvailSummary,
  paymentRequest,
  ping,
  pollingTest,
  seatsHold,
  seatsHoldSpecific,
  seatsSold,
  shoppingCart,
  ticketPrint,
} from '../../src/archtics/commands/index.js';
import { ArchticsCommandError, ProtocolError } from '../../src/archtics/errors.js';
import { centsToDecimal, checkResult, toBool, toCents, toInt } from '../../src/archtics/parse.js';
import type {
  CommandDef,
  CommandRunner,
  PaymentRequest,
  RunOptions,
} from '../../src/archtics/types.js';
import type { Command1Response } from '../../src/protocol/wire.js';
import { COMMANDS } from '../../src/sandbox/reference.js';

const ctx = { siteName: 'vanilla' };

/** A successful command1 answer. */
function ok(cmd: string, output: Record<string, unknown> = {}): Command1Response {
  return { cmd, result: 0, sql_code: 0, ...output };
}

/** A failed command1 answer, with its English text under error_detail (or error_desc). */
function failed(
  cmd: string,
  result: number,
  sqlCode: number,
  text: string,
  key = 'error_detail',
): Command1Response {
  return { cmd, result, sql_code: sqlCode, [key]: text };
}

/** Runs `parse` and returns what it threw (fails the test when it did not throw). */
function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (e) {
    return e;
  }
  throw new Error('expected the parser to throw');
}

function commandErrorOf(
  def: CommandDef<never, unknown>,
  answer: Command1Response,
): ArchticsCommandError {
  const e = thrownBy(() => def.parse(answer));
  expect(e).toBeInstanceOf(ArchticsCommandError);
  return e as ArchticsCommandError;
}

function protocolErrorOf(def: CommandDef<never, unknown>, answer: unknown): ProtocolError {
  const e = thrownBy(() => def.parse(answer as Command1Response));
  expect(e).toBeInstanceOf(ProtocolError);
  return e as ProtocolError;
}

// ── Sample answers (reference §4 shapes) ────────────────────────────────────────────────────

const EVENT_DETAIL_EVT01 = {
  event_name: 'EVT01',
  event_name_inet: 'Opening Night',
  event_description: 'Hawks vs Bears',
  event_date: '2026-10-03',
  event_time: '19:30',
  performer: 'Hawks',
  organization: 'Hawks Hockey Club',
  venue_name: 'Harbor Arena',
  manifest_name: 'HOCKEY',
  season_name: '2026-27 Hockey',
  event_category: 'E',
  event_duration: 150,
  plan_type: 'N',
  total_events: 1,
  allow_singles: 'Y',
  event_onsale_date: '2026-08-01',
  major_cat: 'SPORTS',
  minor_cat: 'HOCKEY',
  archtics_venue_id: '17',
};

const CUSTOMER_100479 = {
  acct_id: 100479,
  cust_name_id: '2001',
  name_type: 'I',
  name_first: 'Ada',
  name_mi: 'B',
  name_last: 'Lovelace',
  street_addr_1: '1 Engine Way',
  city: 'London',
  state: 'LN',
  zip: 'N1 9GU',
  country: 'UK',
  phone_day: '555-0100',
  email: 'ada@example.com',
  add_date: '2016-05-04',
  acct_type: 'Season',
  email_optout: 0,
};

const SEAT_BLOCK = {
  event_name: 'EVT02',
  event_id: 42,
  section_name: '101',
  row_name: 'C',
  seat_num: 5,
  num_seat: 2,
  last_seat: 6,
  seat_increment: 1,
  price_code: 'A',
  ticket_type_code: 'ADULT',
  full_price: 177.7,
  block_full_price: '355.40',
  purchase_price: '150.00',
  block_purchase_price: 300,
  seat_status_ind: 'S',
  purchase_date: '2026-07-14',
  atomic_seats: [
    { atomic_seat: '5', barcode: '0123456789', ticket_status: 'PB' },
    { atomic_seat: '6' },
  ],
};

const HELD_RUN = {
  event_name: 'EVT01',
  section_name: '101',
  row_name: 'C',
  seat_num: 5,
  num_seats: 2,
  last_seat: 6,
  price_code: 'A',
  ticket_type_code: 'ADULT',
  price: '45.50',
};

const HELD_RUN_PARSED = {
  eventName: 'EVT01',
  section: '101',
  row: 'C',
  firstSeat: 5,
  numSeats: 2,
  lastSeat: 6,
  priceCode: 'A',
  ticketTypeCode: 'ADULT',
  price: 4550,
};

// ── Commands ────────────────────────────────────────────────────────────────────────────────

describe('command definitions', () => {
  it('agree with the sandbox’s reading of the reference (product and kind) and cover all 17 commands', () => {
    for (const def of ALL_COMMAND_DEFS) {
      expect({ product: def.product, kind: def.kind }).toEqual(
        COMMANDS[def.name as keyof typeof COMMANDS],
      );
    }
    expect(new Set(ALL_COMMAND_DEFS.map((d) => d.name))).toEqual(new Set(Object.keys(COMMANDS)));
    expect(ALL_COMMAND_DEFS).toHaveLength(18); // get_avail_seats twice: summary and per seat
  });
});

describe('ping', () => {
  it('sends no fields', () => {
    expect(ping.toFields(undefined, ctx)).toEqual({});
  });
  it('parses server status, booleans from 0/1', () => {
    const answer = ok('ping', {
      system_available: 1,
      digit_available: 0,
      cpu_load: 12,
      db_connections: '7',
      active_requests: 3,
      db_name: 'apigee',
    });
    expect(ping.parse(answer)).toEqual({
      systemAvailable: true,
      digitAvailable: false,
      cpuLoad: 12,
      dbConnections: 7,
      activeRequests: 3,
      dbName: 'apigee',
    });
  });
  it('throws ArchticsCommandError for any non-zero result', () => {
    const e = commandErrorOf(ping, failed('ping', 1, -1, 'System unavailable'));
    expect([e.result, e.sqlCode, e.detail, e.command, e.kind]).toEqual([
      1,
      -1,
      'System unavailable',
      'ping',
      'read',
    ]);
  });
});

describe('ats_ext_test_polling', () => {
  it('sends no fields and parses {cmd, result 0, sql_code 0} as completed', () => {
    expect(pollingTest.toFields(undefined, ctx)).toEqual({});
    expect(pollingTest.parse(ok('ats_ext_test_polling'))).toEqual({ completed: true });
  });
});

describe('event_search', () => {
  it('sends the date range and the optional filters given, nothing undefined', () => {
    expect(eventSearch.toFields({ startDate: '2016-10-01', endDate: '2016-12-31' }, ctx)).toEqual({
      start_date: '2016-10-01',
      end_date: '2016-12-31',
    });
    expect(
      eventSearch.toFields(
        {
          startDate: '2026-10-01',
          endDate: '2026-12-31',
          siteName: 'vanilla',
          venueName: 'Harbor Arena',
          seasonName: '2026-27 Hockey',
          holdClasses: ['Public'],
          numSeats: 2,
        },
        ctx,
      ),
    ).toEqual({
      start_date: '2026-10-01',
      end_date: '2026-12-31',
      site_name: 'vanilla',
      venue_name: 'Harbor Arena',
      season_name: '2026-27 Hockey',
      hold_classes: ['PUBLIC'],
      num_seats: 2,
    });
  });
  it('parses hold classes and events with availability', () => {
    const answer = ok('event_search', {
      hold_classes: ['PUBLIC', 'MEMBER'],
      events: [
        { event_name: 'EVT01', availability: 1, avail_class: ['PUBLIC'] },
        { event_name: 'EVT02', availability: 0, avail_class: [] },
      ],
    });
    expect(eventSearch.parse(answer)).toEqual({
      holdClasses: ['PUBLIC', 'MEMBER'],
      events: [
        { eventName: 'EVT01', available: true, availClasses: ['PUBLIC'] },
        { eventName: 'EVT02', available: false, availClasses: [] },
      ],
    });
  });
  it('parses 5212 (no events, sql_code 100) as an empty result', () => {
    expect(eventSearch.parse(failed('event_search', 5212, 100, 'No events found'))).toEqual({
      holdClasses: [],
      events: [],
    });
  });
  it('throws 5211 (bad input) as ArchticsCommandError', () => {
    const e = commandErrorOf(eventSearch, failed('event_search', 5211, 0, 'Invalid start_date'));
    expect([e.result, e.sqlCode, e.detail]).toEqual([5211, 0, 'Invalid start_date']);
  });
});

describe('event_details', () => {
  it('sends a list filter of the names given', () => {
    expect(eventDetails.toFields({ names: ['EVT01', 'EVT02'] }, ctx)).toEqual({
      event_filter: 'EVT01,EVT02',
      event_filter_type: 'L',
    });
  });
  it('sends no filter for all events, with the cursor and page size', () => {
    expect(eventDetails.toFields({}, ctx)).toEqual({});
    expect(eventDetails.toFields({ prevEventName: 'EVT01', count: 100 }, ctx)).toEqual({
      prev_event_name: 'EVT01',
      count: 100,
    });
  });
  it('refuses an empty name list instead of loading every event', () => {
    expect(() => eventDetails.toFields({ names: [] }, ctx)).toThrow(RangeError);
  });
  it('parses every documented event field', () => {
    const answer = ok('event_details', { count: 1, events: [EVENT_DETAIL_EVT01] });
    expect(eventDetails.parse(answer)).toEqual({
      count: 1,
      events: [
        {
          name: 'EVT01',
          nameInet: 'Opening Night',
          description: 'Hawks vs Bears',
          date: '2026-10-03',
          time: '19:30',
          performer: 'Hawks',
          organization: 'Hawks Hockey Club',
          venueName: 'Harbor Arena',
          manifestName: 'HOCKEY',
          seasonName: '2026-27 Hockey',
          category: 'E',
          durationMinutes: 150,
          planType: 'N',
          totalEvents: 1,
          allowSingles: true,
          onsaleDate: '2026-08-01',
          majorCategory: 'SPORTS',
          minorCategory: 'HOCKEY',
          archticsVenueId: '17',
        },
      ],
    });
  });
  it('parses 5231 (no events) as an empty result', () => {
    expect(eventDetails.parse(failed('event_details', 5231, 100, 'No events found'))).toEqual({
      count: 0,
      events: [],
    });
  });
});

describe('customer_query', () => {
  it('sends site_name, acct_id and call_reason "S" for a system call', () => {
    expect(customerQuery.toFields({ acctId: 100479 }, ctx)).toEqual({
      site_name: 'vanilla',
      acct_id: 100479,
      call_reason: 'S',
    });
  });
  it('sends site_name, email and the pin instead of call_reason when given', () => {
    expect(customerQuery.toFields({ email: 'ada@example.com', pin: '1234' }, ctx)).toEqual({
      site_name: 'vanilla',
      email: 'ada@example.com',
      pin: '1234',
    });
  });
  it('parses the customer record, the account id list and the status', () => {
    const answer = ok('customer_query', {
      customer: CUSTOMER_100479,
      account_id_list: '100479,100480',
      rec_status: 'Active',
    });
    expect(customerQuery.parse(answer)).toEqual({
      customer: {
        acctId: 100479,
        custNameId: '2001',
        nameType: 'I',
        firstName: 'Ada',
        middleInitial: 'B',
        lastName: 'Lovelace',
        street1: '1 Engine Way',
        city: 'London',
        state: 'LN',
        zip: 'N1 9GU',
        country: 'UK',
        phoneDay: '555-0100',
        email: 'ada@example.com',
        addDate: '2016-05-04',
        acctType: 'Season',
        emailOptOut: false,
      },
      accountIds: [100479, 100480],
      recStatus: 'Active',
    });
  });
  it('parses 5024 (not found, sql_code 100) as null', () => {
    expect(
      customerQuery.parse(failed('customer_query', 5024, 100, 'Customer not found')),
    ).toBeNull();
  });
  it.each([
    [5021, 0, 'Missing acct_id or email'],
    [5023, 0, 'PIN does not match'],
  ])('throws %i as ArchticsCommandError', (result, sqlCode, text) => {
    const e = commandErrorOf(customerQuery, failed('customer_query', result, sqlCode, text));
    expect([e.result, e.sqlCode, e.detail, e.extra]).toEqual([result, sqlCode, text, undefined]);
  });
});

describe('seats_sold', () => {
  it('sends acct_id, the event filter as a list of one-key objects, and count', () => {
    expect(seatsSold.toFields({ acctId: 100479, eventNames: ['EVT02'], count: 50 }, ctx)).toEqual({
      acct_id: 100479,
      event_filter: [{ event_filter: 'EVT02' }],
      count: 50,
    });
    expect(seatsSold.toFields({ acctId: 100479 }, ctx)).toEqual({ acct_id: 100479 });
  });
  it('parses blocks with exact cents and atomic seats, reading Count', () => {
    const answer = ok('seats_sold', { Count: 1, seats_array: [SEAT_BLOCK] });
    expect(seatsSold.parse(answer)).toEqual({
      count: 1,
      blocks: [
        {
          eventName: 'EVT02',
          eventId: 42,
          section: '101',
          row: 'C',
          firstSeat: 5,
          numSeats: 2,
          lastSeat: 6,
          seatIncrement: 1,
          priceCode: 'A',
          ticketTypeCode: 'ADULT',
          fullPrice: 17770,
          blockFullPrice: 35540,
          purchasePrice: 15000,
          blockPurchasePrice: 30000,
          seatStatus: 'S',
          purchaseDate: '2026-07-14',
          atomicSeats: [
            { seat: '5', barcode: '0123456789', ticketStatus: 'PB' },
            { seat: '6', barcode: undefined, ticketStatus: undefined },
          ],
        },
      ],
    });
  });
  it('parses 5069 ("No blocks found" in error_desc) as an empty result', () => {
    const answer = failed('seats_sold', 5069, 100, 'No blocks found', 'error_desc');
    expect(seatsSold.parse(answer)).toEqual({ count: 0, blocks: [] });
  });
  it('throws 5061 (missing input) with the error_desc text as detail', () => {
    const e = commandErrorOf(
      seatsSold,
      failed('seats_sold', 5061, 0, 'Missing acct_id', 'error_desc'),
    );
    expect([e.result, e.sqlCode, e.detail]).toEqual([5061, 0, 'Missing acct_id']);
  });
});

describe('customer_add', () => {
  it('sends the pin and the customer fields given, nothing undefined', () => {
    expect(
      customerAdd.toFields(
        {
          pin: '1234',
          customer: {
            firstName: 'Grace',
            lastName: 'Hopper',
            email: 'grace@example.com',
            city: 'Arlington',
            nameType: 'I',
          },
        },
        ctx,
      ),
    ).toEqual({
      pin: '1234',
      customer: {
        name_first: 'Grace',
        name_last: 'Hopper',
        email: 'grace@example.com',
        city: 'Arlington',
        name_type: 'I',
      },
    });
    expect(
      customerAdd.toFields(
        {
          customer: {
            firstName: 'Grace',
            lastName: 'Hopper',
            email: 'grace@example.com',
            street1: '2 Navy Rd',
            state: 'VA',
            zip: '22201',
            country: 'US',
            phoneDay: '555-0101',
          },
        },
        ctx,
      ),
    ).toEqual({
      customer: {
        name_first: 'Grace',
        name_last: 'Hopper',
        email: 'grace@example.com',
        street_addr_1: '2 Navy Rd',
        state: 'VA',
        zip: '22201',
        country: 'US',
        phone_day: '555-0101',
      },
    });
  });
  it('parses the new acct_id and cust_name_id as numbers', () => {
    expect(customerAdd.parse(ok('customer_add', { acct_id: 100500, cust_name_id: 2050 }))).toEqual({
      acctId: 100500,
      custNameId: 2050,
    });
  });
  it('throws 11408 (e-mail exists) carrying the existing account as extra', () => {
    const answer = {
      ...failed('customer_add', 11408, 0, 'E-mail address already exists'),
      acct_id: 100479,
      cust_name_id: '2001',
    };
    const e = commandErrorOf(customerAdd, answer);
    expect([e.result, e.sqlCode, e.detail]).toEqual([11408, 0, 'E-mail address already exists']);
    expect(e.extra).toEqual({ acctId: 100479, custNameId: 2001 });
  });
  it.each([
    [5011, 'Missing name_last'],
    [5019, 'Invalid e-mail address'],
  ])('throws %i as ArchticsCommandError without extra', (result, text) => {
    const e = commandErrorOf(customerAdd, failed('customer_add', result, 0, text));
    expect([e.result, e.sqlCode, e.detail, e.extra]).toEqual([result, 0, text, undefined]);
  });
});

describe('customer_update', () => {
  it('sends call_reason "S" and every updatable field given under its wire name', () => {
    expect(
      customerUpdate.toFields(
        {
          customer: {
            acctId: 100479,
            nameType: 'I',
            firstName: 'Ada',
            middleInitial: 'B',
            lastName: 'Lovelace',
            companyName: 'Analytical Engines',
            street1: '1 Engine Way',
            street2: 'Flat 2',
            city: 'London',
            state: 'LN',
            zip: 'N1 9GU',
            country: 'UK',
            phoneDay: '555-0100',
            phoneCell: '555-0199',
            email: 'ada@example.com',
            acctType: 'Season',
            emailOptOut: true,
          },
        },
        ctx,
      ),
    ).toEqual({
      call_reason: 'S',
      customer: {
        acct_id: 100479,
        name_type: 'I',
        name_first: 'Ada',
        name_mi: 'B',
        name_last: 'Lovelace',
        company_name: 'Analytical Engines',
        street_addr_1: '1 Engine Way',
        street_addr_2: 'Flat 2',
        city: 'London',
        state: 'LN',
        zip: 'N1 9GU',
        country: 'UK',
        phone_day: '555-0100',
        phone_cell: '555-0199',
        email: 'ada@example.com',
        acct_type: 'Season',
        email_optout: 1,
      },
    });
  });
  it('sends the pin instead of call_reason, and omits fields not given', () => {
    expect(
      customerUpdate.toFields({ pin: '1234', customer: { acctId: 100479, email: 'a@b.co' } }, ctx),
    ).toEqual({
      pin: '1234',
      customer: { acct_id: 100479, email: 'a@b.co' },
    });
  });
  it('parses success as updated', () => {
    expect(customerUpdate.parse(ok('customer_update'))).toEqual({ updated: true });
  });
  it.each([
    [5021, 0, 'Missing acct_id'],
    [5034, 100, 'Customer not found'],
    [5036, 0, 'Invalid e-mail address'],
    [5037, 0, 'E-mail address used by another customer'],
  ])('throws %i as ArchticsCommandError', (result, sqlCode, text) => {
    const e = commandErrorOf(customerUpdate, failed('customer_update', result, sqlCode, text));
    expect([e.result, e.sqlCode, e.detail]).toEqual([result, sqlCode, text]);
  });
});

describe('get_avail_seats', () => {
  it('sends summary_flag "Y" for the summary and "N" per seat, with the optional filters', () => {
    expect(getAvailSummary.toFields({ eventName: 'EVT01' }, ctx)).toEqual({
      event_name: 'EVT01',
      summary_flag: 'Y',
    });
    expect(
      getAvailSeats.toFields({ eventName: 'EVT01', section: '101', priceCode: 'A' }, ctx),
    ).toEqual({
      event_name: 'EVT01',
      summary_flag: 'N',
      section_name: '101',
      price_code: 'A',
    });
  });
  it('parses the section summary by column name, price codes split on |', () => {
    const answer = ok('get_avail_seats', {
      manifest: {
        section_summary: {
          columns: 'section_name,num_avail,min_price,max_price,price_codes',
          data: ['101,24,45.50,177.70,A|B', '102,0,0.00,0.00,'],
        },
      },
    });
    expect(getAvailSummary.parse(answer)).toEqual({
      sections: [
        { section: '101', available: 24, minPrice: 4550, maxPrice: 17770, priceCodes: ['A', 'B'] },
        { section: '102', available: 0, minPrice: 0, maxPrice: 0, priceCodes: [] },
      ],
    });
  });
  it('parses per-seat rows by column name', () => {
    const answer = ok('get_avail_seats', {
      manifest: {
        seats: {
          columns: 'section_name,row_name,seat_num,price_code,price',
          data: ['101,C,5,A,45.50', '101,C,6,A,45.50'],
        },
      },
    });
    expect(getAvailSeats.parse(answer)).toEqual({
      seats: [
        { section: '101', row: 'C', seat: 5, priceCode: 'A', price: 4550 },
        { section: '101', row: 'C', seat: 6, priceCode: 'A', price: 4550 },
      ],
    });
  });
  it('tolerates reordered columns', () => {
    const answer = ok('get_avail_seats', {
      manifest: {
        seats: {
          columns: 'price,seat_num,row_name,price_code,section_name',
          data: ['177.70,9,D,B,204'],
        },
      },
    });
    expect(getAvailSeats.parse(answer)).toEqual({
      seats: [{ section: '204', row: 'D', seat: 9, priceCode: 'B', price: 17770 }],
    });
  });
  it('parses an empty data list as no rows', () => {
    const answer = ok('get_avail_seats', {
      manifest: {
        section_summary: {
          columns: 'section_name,num_avail,min_price,max_price,price_codes',
          data: [],
        },
      },
    });
    expect(getAvailSummary.parse(answer)).toEqual({ sections: [] });
  });
  it('reports a missing column, a short row and a bad cell as ProtocolError naming the place', () => {
    const noPrice = ok('get_avail_seats', {
      manifest: {
        seats: { columns: 'section_name,row_name,seat_num,price_code', data: ['101,C,5,A'] },
      },
    });
    expect(protocolErrorOf(getAvailSeats, noPrice).message).toContain(
      'manifest.seats.columns" lacks price',
    );
    const shortRow = ok('get_avail_seats', {
      manifest: {
        seats: { columns: 'section_name,row_name,seat_num,price_code,price', data: ['101,C,5'] },
      },
    });
    expect(protocolErrorOf(getAvailSeats, shortRow).message).toContain('manifest.seats.data[0]"');
    const badSeat = ok('get_avail_seats', {
      manifest: {
        seats: {
          columns: 'section_name,row_name,seat_num,price_code,price',
          data: ['101,C,five,A,1'],
        },
      },
    });
    expect(protocolErrorOf(getAvailSeats, badSeat).message).toContain(
      'manifest.seats.data[0].seat_num" is not an integer',
    );
  });
  it('throws 6002 (unknown event) for both forms', () => {
    for (const def of [getAvailSummary, getAvailSeats]) {
      const e = commandErrorOf(def, failed('get_avail_seats', 6002, 100, 'Unknown event'));
      expect([e.result, e.sqlCode, e.detail]).toEqual([6002, 100, 'Unknown event']);
    }
  });
});

describe('event_price_info', () => {
  it('sends event_name', () => {
    expect(eventPriceInfo.toFields({ eventName: 'EVT01' }, ctx)).toEqual({ event_name: 'EVT01' });
  });
  it('parses price codes and their ticket type prices in cents', () => {
    const answer = ok('event_price_info', {
      price_codes: [
        {
          price_code: 'A',
          price_code_desc: 'Lower bowl',
          ticket_types: [
            { ticket_type_code: 'ADULT', ticket_type_desc: 'Adult', price: 177.7 },
            { ticket_type_code: 'CHILD', ticket_type_desc: 'Child', price: '88.85' },
          ],
        },
      ],
    });
    expect(eventPriceInfo.parse(answer)).toEqual({
      priceCodes: [
        {
          code: 'A',
          description: 'Lower bowl',
          ticketTypes: [
            { code: 'ADULT', description: 'Adult', price: 17770 },
            { code: 'CHILD', description: 'Child', price: 8885 },
          ],
        },
      ],
    });
  });
  it('throws 6002 (unknown event)', () => {
    const e = commandErrorOf(
      eventPriceInfo,
      failed('event_price_info', 6002, 100, 'Unknown event'),
    );
    expect([e.result, e.sqlCode, e.detail]).toEqual([6002, 100, 'Unknown event']);
  });
});

describe('seats_hold', () => {
  it('sends the event, ticket types and the optional filters given', () => {
    expect(
      seatsHold.toFields(
        { eventName: 'EVT01', ticketTypes: [{ code: 'ADULT', numSeats: 2 }] },
        ctx,
      ),
    ).toEqual({
      event_name: 'EVT01',
      ticket_type: [{ ticket_type_code: 'ADULT', num_seats: 2 }],
    });
    expect(
      seatsHold.toFields(
        {
          eventName: 'EVT01',
          ticketTypes: [
            { code: 'ADULT', numSeats: 2 },
            { code: 'CHILD', numSeats: 1 },
          ],
          priceCode: 'A',
          section: '101',
          acctId: 100479,
          orderNum: 7001,
        },
        ctx,
      ),
    ).toEqual({
      event_name: 'EVT01',
      ticket_type: [
        { ticket_type_code: 'ADULT', num_seats: 2 },
        { ticket_type_code: 'CHILD', num_seats: 1 },
      ],
      price_code: 'A',
      section_name: '101',
      acct_id: 100479,
      order_num_in: 7001,
    });
  });
  it('parses the cart number, the held runs (price per seat) and the expiry', () => {
    const answer = ok('seats_hold', {
      order_num_out: 7001,
      seats: [HELD_RUN],
      hold_expires: '2026-09-01 12:15:00',
    });
    expect(seatsHold.parse(answer)).toEqual({
      orderNum: 7001,
      seats: [HELD_RUN_PARSED],
      holdExpires: '2026-09-01 12:15:00',
    });
  });
  it('parses order_num_out 0 with no seats as nothing held', () => {
    expect(seatsHold.parse(ok('seats_hold', { order_num_out: 0 }))).toEqual({
      orderNum: 0,
      seats: [],
      holdExpires: undefined,
    });
  });
  it.each([
    [6001, 'Not enough seats available'],
    [6002, 'Unknown event'],
    [6004, 'Unknown shopping cart'],
  ])('throws %i as ArchticsCommandError', (result, text) => {
    const e = commandErrorOf(seatsHold, failed('seats_hold', result, 0, text));
    expect([e.result, e.sqlCode, e.detail, e.kind]).toEqual([result, 0, text, 'write']);
  });
});

describe('seats_hold_specific', () => {
  it('sends the exact seats to hold', () => {
    expect(
      seatsHoldSpecific.toFields(
        {
          eventName: 'EVT01',
          section: '101',
          row: 'C',
          firstSeat: 5,
          numSeats: 2,
          ticketTypeCode: 'ADULT',
          orderNum: 7001,
        },
        ctx,
      ),
    ).toEqual({
      event_name: 'EVT01',
      section_name: '101',
      row_name: 'C',
      seat_num: 5,
      num_seats: 2,
      ticket_type_code: 'ADULT',
      order_num_in: 7001,
    });
  });
  it('parses the answer as seats_hold does', () => {
    const answer = ok('seats_hold_specific', {
      order_num_out: '7002',
      seats: [HELD_RUN],
      hold_expires: '2026-09-01 12:15:00',
    });
    expect(seatsHoldSpecific.parse(answer)).toEqual({
      orderNum: 7002,
      seats: [HELD_RUN_PARSED],
      holdExpires: '2026-09-01 12:15:00',
    });
  });
  it.each([
    [6002, 'Unknown event'],
    [6003, 'Seat(s) not available'],
    [6004, 'Unknown shopping cart'],
  ])('throws %i as ArchticsCommandError', (result, text) => {
    const e = commandErrorOf(seatsHoldSpecific, failed('seats_hold_specific', result, 0, text));
    expect([e.result, e.sqlCode, e.detail]).toEqual([result, 0, text]);
  });
});

describe('shopping_cart', () => {
  it('sends order_num', () => {
    expect(shoppingCart.toFields({ orderNum: 7001 }, ctx)).toEqual({ order_num: 7001 });
  });
  it('parses the cart with its subtotal in cents', () => {
    const answer = ok('shopping_cart', {
      order_num: 7001,
      acct_id: '100479',
      seats: [HELD_RUN],
      hold_expires: '2026-09-01 12:15:00',
      subtotal: 91,
    });
    expect(shoppingCart.parse(answer)).toEqual({
      orderNum: 7001,
      acctId: 100479,
      seats: [HELD_RUN_PARSED],
      holdExpires: '2026-09-01 12:15:00',
      subtotal: 9100,
    });
  });
  it('throws 6004 (unknown or expired cart)', () => {
    const e = commandErrorOf(
      shoppingCart,
      failed('shopping_cart', 6004, 100, 'Shopping cart not found or expired'),
    );
    expect([e.result, e.sqlCode, e.detail]).toEqual([
      6004,
      100,
      'Shopping cart not found or expired',
    ]);
  });
});

describe('abort_shopping_cart', () => {
  it('sends order_num and parses success as aborted', () => {
    expect(abortShoppingCart.toFields({ orderNum: 7001 }, ctx)).toEqual({ order_num: 7001 });
    expect(abortShoppingCart.parse(ok('abort_shopping_cart'))).toEqual({ aborted: true });
  });
  it('throws 6004 (unknown cart)', () => {
    const e = commandErrorOf(
      abortShoppingCart,
      failed('abort_shopping_cart', 6004, 100, 'Shopping cart not found'),
    );
    expect([e.result, e.sqlCode, e.detail]).toEqual([6004, 100, 'Shopping cart not found']);
  });
});

describe('check_out', () => {
  it('sends acct_id and order_num', () => {
    expect(checkOut.toFields({ acctId: 100479, orderNum: 7001 }, ctx)).toEqual({
      acct_id: 100479,
      order_num: 7001,
    });
  });
  it('parses line items, service charges, payment plans and totals in cents', () => {
    const answer = ok('check_out', {
      cart_items: [
        {
          order_line_item: 1,
          event_name: 'EVT01',
          section_name: '101',
          row_name: 'C',
          seat_num: 5,
          num_seats: 2,
          price_code: 'A',
          ticket_type_code: 'ADULT',
          price: '45.50',
          line_total: 91,
        },
      ],
      service_charges: [{ sc_id: 3, sc_desc: 'Facility fee', sc_amount: 4.5 }],
      pmt_plans: [{ available_payment_plan_id: 'PP3', plan_desc: 'Three instalments' }],
      subtotal: '91.00',
      fees_total: '4.50',
      amount_due: 95.5,
    });
    expect(checkOut.parse(answer)).toEqual({
      items: [
        {
          lineItem: 1,
          eventName: 'EVT01',
          section: '101',
          row: 'C',
          firstSeat: 5,
          numSeats: 2,
          priceCode: 'A',
          ticketTypeCode: 'ADULT',
          price: 4550,
          lineTotal: 9100,
        },
      ],
      serviceCharges: [{ id: '3', description: 'Facility fee', amount: 450 }],
      paymentPlans: [{ id: 'PP3', description: 'Three instalments' }],
      subtotal: 9100,
      feesTotal: 450,
      amountDue: 9550,
    });
  });
  it.each([
    [6004, 100, 'Shopping cart not found'],
    [5034, 100, 'Customer not found'],
  ])('throws %i as ArchticsCommandError', (result, sqlCode, text) => {
    const e = commandErrorOf(checkOut, failed('check_out', result, sqlCode, text));
    expect([e.result, e.sqlCode, e.detail]).toEqual([result, sqlCode, text]);
  });
});

describe('payment_request', () => {
  const payment: PaymentRequest = {
    acctId: 100479,
    orderNum: 7001,
    items: [{ lineItem: 1, deliveryMethod: 'ET' }],
    amount: 9550,
    card: {
      type: 'VI',
      number: '4111111111111111',
      cin: '123',
      expiry: '1229',
      firstName: 'Ada',
      lastName: 'Lovelace',
    },
  };

  it('sends cart items, one card payment with the amount as a decimal string, auth_mode "O"', () => {
    expect(paymentRequest.toFields({ ...payment, extTransId: 'gw-5f1c' }, ctx)).toEqual({
      acct_id: 100479,
      order_num: 7001,
      cart_items: [{ order_line_item: 1, dm_code: 'ET' }],
      mop: [
        {
          pmt_type: 'VI',
          amount: '95.50',
          auth_mode: 'O',
          credit_card: {
            cc_num: '4111111111111111',
            cin: '123',
            exp_date: '1229',
            first_name: 'Ada',
            last_name: 'Lovelace',
          },
        },
      ],
      ext_trans_id: 'gw-5f1c',
    });
    expect(paymentRequest.toFields(payment, ctx)).not.toHaveProperty('ext_trans_id');
  });
  it('parses the confirmation and the captured payments', () => {
    const answer = ok('payment_request', {
      order_num: 7001,
      confirmation_num: 'C-7001-1',
      mop: [{ cc_captured: 'Y', cc_results: 'Approved', amount: '95.50' }],
    });
    expect(paymentRequest.parse(answer)).toEqual({
      orderNum: 7001,
      confirmationNum: 'C-7001-1',
      payments: [{ captured: true, results: 'Approved', amount: 9550 }],
    });
  });
  it('throws 7010 (wrong amount) carrying the calculated amount in cents', () => {
    const text = 'Calculated amount to be approved: 177.70';
    const e = commandErrorOf(paymentRequest, failed('payment_request', 7010, 0, text));
    expect([e.result, e.sqlCode, e.detail]).toEqual([7010, 0, text]);
    expect(e.extra).toEqual({ calculatedAmount: 17770 });
  });
  it('reads the 7010 amount when more text follows it', () => {
    const e = commandErrorOf(
      paymentRequest,
      failed(
        'payment_request',
        7010,
        0,
        'Calculated amount to be approved: 95.5. Amount sent: 90.00',
      ),
    );
    expect(e.extra).toEqual({ calculatedAmount: 9550 });
  });
  it.each([
    [6004, 'Shopping cart not found or expired'],
    [7020, 'Card declined'],
    [7030, 'Cart not checked out'],
  ])('throws %i as ArchticsCommandError without extra', (result, text) => {
    const e = commandErrorOf(paymentRequest, failed('payment_request', result, 0, text));
    expect([e.result, e.sqlCode, e.detail, e.extra]).toEqual([result, 0, text, undefined]);
  });
});

describe('ticket_print', () => {
  it('sends the account, event, seats and delivery method', () => {
    expect(
      ticketPrint.toFields(
        {
          acctId: 100479,
          eventName: 'EVT02',
          seats: [{ section: '101', row: 'C', seat: 5 }],
          deliveryMethod: 'E',
        },
        ctx,
      ),
    ).toEqual({
      acct_id: 100479,
      event_name: 'EVT02',
      seats: [{ section_name: '101', row_name: 'C', seat_num: 5 }],
      delivery_method: 'E',
    });
    expect(
      ticketPrint.toFields({ acctId: 100479, eventName: 'EVT02', deliveryMethod: 'P' }, ctx),
    ).toEqual({
      acct_id: 100479,
      event_name: 'EVT02',
      delivery_method: 'P',
    });
  });
  it('parses the issued tickets', () => {
    const answer = ok('ticket_print', {
      tickets: [
        {
          event_name: 'EVT02',
          section_name: '101',
          row_name: 'C',
          seat_num: '5',
          barcode: '998877665544',
          ticket_status: 'PB',
        },
      ],
    });
    expect(ticketPrint.parse(answer)).toEqual({
      tickets: [
        {
          eventName: 'EVT02',
          section: '101',
          row: 'C',
          seat: 5,
          barcode: '998877665544',
          ticketStatus: 'PB',
        },
      ],
    });
  });
  it('throws 5069 (no seats for that account and event): a write is never an empty success', () => {
    const e = commandErrorOf(ticketPrint, failed('ticket_print', 5069, 100, 'No seats found'));
    expect([e.result, e.sqlCode, e.detail]).toEqual([5069, 100, 'No seats found']);
  });
});

// ── Quirks (reference §6) ───────────────────────────────────────────────────────────────────

describe('quirk 1: numbers as strings, strings as numbers, money to exact cents', () => {
  it('reads integers sent as strings ("acct_id":"100479") and text sent as numbers (cust_name_id)', () => {
    const answer = ok('customer_query', {
      customer: { ...CUSTOMER_100479, acct_id: '100479', cust_name_id: 2001, zip: 10001 },
      account_id_list: 100479,
      rec_status: 'Active',
    });
    const parsed = customerQuery.parse(answer)!;
    expect([
      parsed.customer.acctId,
      parsed.customer.custNameId,
      parsed.customer.zip,
      parsed.accountIds,
    ]).toEqual([100479, '2001', '10001', [100479]]);
  });
  it('reads money 177.7 and "177.70" both as 17770 cents', () => {
    expect(toCents(177.7)).toBe(17770);
    expect(toCents('177.70')).toBe(17770);
  });
  it('reads money exactly where float arithmetic would not (0.29, 1.005 rejected, 19.99)', () => {
    expect(toCents(0.29)).toBe(29); // 0.29 * 100 = 28.999999999999996
    expect(toCents(19.99)).toBe(1999);
    expect(toCents('1234567.89')).toBe(123456789);
    expect(toCents(1.005)).toBeUndefined(); // a fraction of a cent
    expect(toCents('2.500')).toBe(250); // trailing zeros are fine
  });
  it('reads negative, whole and short decimals', () => {
    expect([
      toCents('-3.5'),
      toCents(5),
      toCents('5'),
      toCents('.5'),
      toCents(' 12.3 '),
      toCents('-0.00'),
    ]).toEqual([-350, 500, 500, 50, 1230, 0]);
  });
  it('rejects what is not an amount', () => {
    for (const bad of ['', '.', 'abc', '1e3', '12.3.4', '$5', null, true, Number.NaN, {}])
      expect(toCents(bad)).toBeUndefined();
  });
  it('reads integers from numbers or numeric strings only', () => {
    expect([toInt(5), toInt('5'), toInt(' 42 '), toInt('-7')]).toEqual([5, 5, 42, -7]);
    for (const bad of [5.5, '5.5', '', 'x', null, true]) expect(toInt(bad)).toBeUndefined();
  });
  it('reads booleans from 0/1, "0"/"1" and "Y"/"N"', () => {
    expect([
      toBool(0),
      toBool(1),
      toBool('0'),
      toBool('1'),
      toBool('Y'),
      toBool('N'),
      toBool('y'),
    ]).toEqual([false, true, false, true, true, false, true]);
    for (const bad of [2, 'yes', '', null]) expect(toBool(bad)).toBeUndefined();
  });
  it('writes cents as the decimal string the wire wants', () => {
    expect([
      centsToDecimal(12345),
      centsToDecimal(17770),
      centsToDecimal(5),
      centsToDecimal(0),
      centsToDecimal(-350),
    ]).toEqual(['123.45', '177.70', '0.05', '0.00', '-3.50']);
    expect(() => centsToDecimal(12.5)).toThrow(RangeError);
  });
});

describe('quirk 2: error_desc vs error_detail, Count vs count', () => {
  it('takes the failure text from error_detail or from error_desc', () => {
    const viaDetail = commandErrorOf(checkOut, failed('check_out', 6004, 100, 'Cart gone'));
    const viaDesc = commandErrorOf(
      checkOut,
      failed('check_out', 6004, 100, 'Cart gone', 'error_desc'),
    );
    expect([viaDetail.detail, viaDesc.detail]).toEqual(['Cart gone', 'Cart gone']);
  });
  it('reads the 7010 amount from error_desc too', () => {
    const e = commandErrorOf(
      paymentRequest,
      failed('payment_request', 7010, 0, 'Calculated amount to be approved: 5', 'error_desc'),
    );
    expect(e.extra).toEqual({ calculatedAmount: 500 });
  });
  it('reads seats_sold Count and event_details count, and counts the list when neither is sent', () => {
    expect(seatsSold.parse(ok('seats_sold', { Count: '1', seats_array: [SEAT_BLOCK] })).count).toBe(
      1,
    );
    expect(seatsSold.parse(ok('seats_sold', { count: 1, seats_array: [SEAT_BLOCK] })).count).toBe(
      1,
    );
    expect(seatsSold.parse(ok('seats_sold', { seats_array: [SEAT_BLOCK] })).count).toBe(1);
    expect(
      eventDetails.parse(ok('event_details', { Count: 1, events: [EVENT_DETAIL_EVT01] })).count,
    ).toBe(1);
  });
  it('reads result and sql_code sent as strings', () => {
    const e = commandErrorOf(customerUpdate, {
      cmd: 'customer_update',
      result: '5034',
      sql_code: '100',
      error_detail: 'Customer not found',
    });
    expect([e.result, e.sqlCode]).toEqual([5034, 100]);
    expect(
      customerQuery.parse({ cmd: 'customer_query', result: '5024', sql_code: '100' }),
    ).toBeNull();
  });
  it('defaults a missing sql_code and failure text to 0 and ""', () => {
    const e = commandErrorOf(abortShoppingCart, { cmd: 'abort_shopping_cart', result: 6004 });
    expect([e.result, e.sqlCode, e.detail]).toEqual([6004, 0, '']);
  });
});

describe('quirk 3: missing optional fields, unknown extra fields', () => {
  it('leaves missing optional fields undefined, never null', () => {
    const {
      event_name_inet: _a,
      performer: _b,
      event_onsale_date: _c,
      major_cat: _d,
      minor_cat: _e,
      ...required
    } = EVENT_DETAIL_EVT01;
    const [event] = eventDetails.parse(
      ok('event_details', { count: 1, events: [required] }),
    ).events;
    for (const key of [
      'nameInet',
      'performer',
      'onsaleDate',
      'majorCategory',
      'minorCategory',
    ] as const) {
      expect(event![key]).toBeUndefined();
    }
  });
  it('reads an optional field sent as null as missing', () => {
    const parsed = customerQuery.parse(
      ok('customer_query', {
        customer: { ...CUSTOMER_100479, name_mi: null },
        account_id_list: '100479',
        rec_status: 'Active',
      }),
    );
    expect(parsed!.customer.middleInitial).toBeUndefined();
    expect(parsed!.customer.companyName).toBeUndefined();
  });
  it('reads an omitted list as empty', () => {
    expect(eventSearch.parse(ok('event_search'))).toEqual({ holdClasses: [], events: [] });
    expect(checkOut.parse(ok('check_out', { subtotal: 0, fees_total: 0, amount_due: 0 }))).toEqual({
      items: [],
      serviceCharges: [],
      paymentPlans: [],
      subtotal: 0,
      feesTotal: 0,
      amountDue: 0,
    });
  });
  it('ignores unknown extra fields at every level', () => {
    const answer = ok('event_search', {
      hold_classes: ['PUBLIC'],
      events: [
        { event_name: 'EVT01', availability: 1, avail_class: ['PUBLIC'], dynamic_pricing: 'Y' },
      ],
      server_ms: 12,
    });
    expect(eventSearch.parse(answer)).toEqual({
      holdClasses: ['PUBLIC'],
      events: [{ eventName: 'EVT01', available: true, availClasses: ['PUBLIC'] }],
    });
  });
});

describe('quirk 4: command casing echoed, names upper-cased', () => {
  it('parses an answer whose cmd echoes the caller casing', () => {
    expect(customerAdd.parse(ok('Customer_Add', { acct_id: 1, cust_name_id: 2 }))).toEqual({
      acctId: 1,
      custNameId: 2,
    });
  });
  it('upper-cases event and hold-class names in answers', () => {
    const answer = ok('event_search', {
      hold_classes: ['public'],
      events: [{ event_name: 'evt01', availability: '1', avail_class: ['Public'] }],
    });
    expect(eventSearch.parse(answer)).toEqual({
      holdClasses: ['PUBLIC'],
      events: [{ eventName: 'EVT01', available: true, availClasses: ['PUBLIC'] }],
    });
    const held = seatsHold.parse(
      ok('seats_hold', { order_num_out: 1, seats: [{ ...HELD_RUN, event_name: 'evt01' }] }),
    );
    expect(held.seats[0]!.eventName).toBe('EVT01');
  });
  it('reads closed codes case-insensitively ("e" → "E")', () => {
    const [event] = eventDetails.parse(
      ok('event_details', {
        events: [{ ...EVENT_DETAIL_EVT01, event_category: 'p', plan_type: 's' }],
      }),
    ).events;
    expect([event!.category, event!.planType]).toEqual(['P', 'S']);
  });
  it('sends event names in one spelling: trimmed and upper case', () => {
    expect(eventDetails.toFields({ names: ['evt01', ' Evt02 '] }, ctx)).toEqual({
      event_filter: 'EVT01,EVT02',
      event_filter_type: 'L',
    });
    expect(seatsSold.toFields({ acctId: 1, eventNames: ['evt02'] }, ctx)).toEqual({
      acct_id: 1,
      event_filter: [{ event_filter: 'EVT02' }],
    });
  });
});

describe('quirk 5: a malformed field is a ProtocolError naming the field, not a crash', () => {
  it('names a wrong-typed required field by its path', () => {
    const answer = ok('event_details', {
      events: [EVENT_DETAIL_EVT01, { ...EVENT_DETAIL_EVT01, event_duration: 'long' }],
    });
    const e = protocolErrorOf(eventDetails, answer);
    expect(e.message).toBe(
      'event_details: field "events[1].event_duration" is not an integer: "long"',
    );
    expect([e.code, e.command, e.kind]).toEqual([
      'UPSTREAM_PROTOCOL_ERROR',
      'event_details',
      'read',
    ]);
  });
  it('marks an unreadable write answer as outcome unknown (the write was executed), a read not', () => {
    const payment = protocolErrorOf(
      paymentRequest,
      ok('payment_request', { order_num: 7001, mop: [] }),
    );
    expect([payment.message, payment.outcomeUnknown]).toEqual([
      'payment_request: field "confirmation_num" is missing',
      true,
    ]);
    expect(
      protocolErrorOf(shoppingCart, ok('shopping_cart', { order_num: 'x' })).outcomeUnknown,
    ).toBe(false);
  });
  it('names a missing required field', () => {
    const { full_price: _, ...block } = SEAT_BLOCK;
    expect(protocolErrorOf(seatsSold, ok('seats_sold', { seats_array: [block] })).message).toBe(
      'seats_sold: field "seats_array[0].full_price" is missing',
    );
  });
  it('names a money field that is not an amount', () => {
    expect(
      protocolErrorOf(checkOut, ok('check_out', { subtotal: 'n/a', fees_total: 0, amount_due: 0 }))
        .message,
    ).toBe('check_out: field "subtotal" is not an amount: "n/a"');
  });
  it('names a list that is not a list, an object that is not an object, a code outside its set', () => {
    expect(protocolErrorOf(eventSearch, ok('event_search', { events: 'EVT01' })).message).toContain(
      'field "events" is not a list',
    );
    expect(
      protocolErrorOf(
        customerQuery,
        ok('customer_query', { customer: 'Ada', rec_status: 'Active' }),
      ).message,
    ).toContain('field "customer" is not an object');
    expect(
      protocolErrorOf(
        eventDetails,
        ok('event_details', { events: [{ ...EVENT_DETAIL_EVT01, plan_type: 'X' }] }),
      ).message,
    ).toContain('field "events[0].plan_type" is not one of S|N');
    expect(
      protocolErrorOf(
        customerQuery,
        ok('customer_query', {
          customer: CUSTOMER_100479,
          account_id_list: '1,x',
          rec_status: 'Active',
        }),
      ).message,
    ).toContain('field "account_id_list" has an entry that is not an account id');
  });
  it('reports an answer that is not an object, or has no readable result', () => {
    expect(protocolErrorOf(ping, 'oops').message).toContain('field "command1" is not an object');
    expect(protocolErrorOf(ping, { cmd: 'ping' }).message).toContain('field "result" is missing');
    expect(protocolErrorOf(ping, { cmd: 'ping', result: 'bad' }).message).toContain(
      'field "result" is not an integer',
    );
  });
});

describe('checkResult', () => {
  const def = { name: 'shopping_cart', kind: 'read' } as const;
  it('returns undefined on result 0 and the empty value on a no-row code', () => {
    expect(checkResult(ok('shopping_cart'), def)).toBeUndefined();
    expect(
      checkResult(failed('shopping_cart', 6004, 100, 'gone'), def, { noRow: { 6004: () => null } }),
    ).toEqual({ empty: null });
  });
  it('throws other codes with result, sql_code, detail and a message naming the command', () => {
    const e = thrownBy(() =>
      checkResult(failed('shopping_cart', 6004, 100, 'gone'), def),
    ) as ArchticsCommandError;
    expect(e).toBeInstanceOf(ArchticsCommandError);
    expect([e.message, e.result, e.sqlCode, e.detail, e.code]).toEqual([
      'shopping_cart failed: result 6004, sql_code 100: gone',
      6004,
      100,
      'gone',
      'UPSTREAM_COMMAND_ERROR',
    ]);
  });
  it('leaves extra undefined when the failure answer lacks the explaining output', () => {
    expect(
      commandErrorOf(customerAdd, failed('customer_add', 11408, 0, 'E-mail exists')).extra,
    ).toBeUndefined();
    expect(
      commandErrorOf(paymentRequest, failed('payment_request', 7010, 0, 'Amount mismatch')).extra,
    ).toBeUndefined();
  });
});

describe('createArchticsApi', () => {
  function recordingRunner() {
    const calls: {
      def: CommandDef<unknown, unknown>;
      req: unknown;
      opts: RunOptions | undefined;
    }[] = [];
    const runner: CommandRunner = {
      run<Req, Res>(def: CommandDef<Req, Res>, req: Req, opts?: RunOptions): Promise<Res> {
        calls.push({ def: def as CommandDef<unknown, unknown>, req, opts });
        return Promise.resolve({ ran: def.name } as Res);
      },
    };
    return { runner, calls };
  }

  it('runs each typed function through the runner with its own def and request', async () => {
    const { runner, calls } = recordingRunner();
    const api = createArchticsApi(runner);
    await api.ping();
    await api.getAvailSummary({ eventName: 'EVT01' });
    await api.getAvailSeats({ eventName: 'EVT01' });
    await api.paymentRequest({
      acctId: 1,
      orderNum: 2,
      items: [],
      amount: 100,
      card: { type: 'VI', number: '4', cin: '1', expiry: '1229', firstName: 'A', lastName: 'B' },
    });
    expect(calls.map((c) => c.def)).toEqual([ping, getAvailSummary, getAvailSeats, paymentRequest]);
    expect(calls[1]!.req).toEqual({ eventName: 'EVT01' });
    expect(calls[0]!.req).toBeUndefined();
  });
  it('takes the options of a command without input as f(opts) or as f(emptyReq, opts)', async () => {
    const { runner, calls } = recordingRunner();
    const api = createArchticsApi(runner, { requestId: 'req-1' });
    await api.ping({ ref: 'a' });
    await api.ping({}, { ref: 'b' });
    await api.pollingTest(undefined, { ref: 'c' });
    await api.pollingTest();
    expect(calls.map((c) => [c.def.name, c.req, c.opts])).toEqual([
      ['ping', undefined, { requestId: 'req-1', ref: 'a' }],
      ['ping', undefined, { requestId: 'req-1', ref: 'b' }],
      ['ats_ext_test_polling', undefined, { requestId: 'req-1', ref: 'c' }],
      ['ats_ext_test_polling', undefined, { requestId: 'req-1' }],
    ]);
  });
  it('has one function per command def', () => {
    const api = createArchticsApi(recordingRunner().runner);
    expect(Object.keys(api)).toHaveLength(ALL_COMMAND_DEFS.length);
  });
  it('merges per-call options over the defaults; an undefined option keeps the default', async () => {
    const { runner, calls } = recordingRunner();
    const trace = { calls: 0, polls: 0, retries: 0, cacheHits: 0, staleServes: 0 };
    const api = createArchticsApi(runner, { requestId: 'req-1', trace, ref: 'default' });
    await api.shoppingCart({ orderNum: 7001 }, { ref: 'cart', requestId: undefined });
    expect(calls[0]!.opts).toEqual({ requestId: 'req-1', trace, ref: 'cart' });
    expect(calls[0]!.opts!.trace).toBe(trace);
  });
});
