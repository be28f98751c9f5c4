import { compact, defineCommand, wireName, type FieldReader } from '../parse.js';
import { tag } from './tags.js';
import type { SeatBlock, SeatsSoldRequest, SeatsSoldResult } from '../types.js';

function parseBlock(b: FieldReader): SeatBlock {
  return {
    eventName: b.name('event_name'),
    eventId: b.int('event_id'),
    section: b.str('section_name'),
    row: b.str('row_name'),
    firstSeat: b.int('seat_num'),
    numSeats: b.int('num_seat'),
    lastSeat: b.int('last_seat'),
    seatIncrement: b.int('seat_increment'),
    priceCode: b.str('price_code'),
    ticketTypeCode: b.str('ticket_type_code'),
    fullPrice: b.cents('full_price'),
    blockFullPrice: b.cents('block_full_price'),
    purchasePrice: b.cents('purchase_price'),
    blockPurchasePrice: b.cents('block_purchase_price'),
    seatStatus: b.str('seat_status_ind'),
    purchaseDate: b.str('purchase_date'),
    atomicSeats: b.list('atomic_seats').map((s) => ({
      seat: s.str('atomic_seat'),
      barcode: s.optStr('barcode'),
      ticketStatus: s.optStr('ticket_status'),
    })),
  };
}

/**
 * seats_sold: an account's sold seats as blocks of adjacent seats, optionally for some events
 * (`event_filter` is a list of one-key objects). 5069 ("No blocks found", said in error_desc) is
 * an empty list. The count arrives as `Count`.
 */
export const seatsSold = defineCommand<SeatsSoldRequest, SeatsSoldResult>('seats_sold', {
  product: 'sth-customer',
  kind: 'read',
  failures: { 5061: 'missingInput' },
  toFields: (req) =>
    compact({
      acct_id: req.acctId,
      event_filter: req.eventNames?.map((name) => ({ event_filter: wireName(name) })),
      count: req.count,
    }),
  noRow: { 5069: () => ({ count: 0, blocks: [] }) },
  parseOk(a) {
    const blocks = a.list('seats_array').map(parseBlock);
    // lookup is case-insensitive: this reads `Count` as well as `count`.
    return { count: a.optInt('count') ?? blocks.length, blocks };
  },
  cache: {
    ttlMs: 2 * 60_000,
    shareMisses: true,
    refreshAhead: true,
    tags: (req) => [tag.sold(req.acctId)],
  },
});
