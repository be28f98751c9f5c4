import { compact, defineCommand, wireName, type FieldReader } from '../parse.js';
import type { HeldSeatRun, HoldResult, SeatsHoldRequest } from '../types.js';

/** One run of adjacent held seats, as seats_hold, seats_hold_specific and shopping_cart send it. */
export function parseHeldSeatRun(s: FieldReader): HeldSeatRun {
  return {
    eventName: s.name('event_name'),
    section: s.str('section_name'),
    row: s.str('row_name'),
    firstSeat: s.int('seat_num'),
    numSeats: s.int('num_seats'),
    lastSeat: s.int('last_seat'),
    priceCode: s.str('price_code'),
    ticketTypeCode: s.str('ticket_type_code'),
    price: s.cents('price'),
  };
}

/** The answer of both hold commands: the cart's order number (0 = nothing held) and its runs. */
export function parseHoldResult(a: FieldReader): HoldResult {
  return {
    orderNum: a.int('order_num_out'),
    seats: a.list('seats').map(parseHeldSeatRun),
    holdExpires: a.optStr('hold_expires'),
  };
}

/**
 * seats_hold: holds the best available seats into a new cart, or into `order_num_in`.
 * 6001 (not enough seats), 6002 (unknown event) and 6004 (unknown cart) throw.
 */
export const seatsHold = defineCommand<SeatsHoldRequest, HoldResult>('seats_hold', {
  toFields: (req) =>
    compact({
      event_name: wireName(req.eventName),
      ticket_type: req.ticketTypes.map((t) => ({ ticket_type_code: t.code, num_seats: t.numSeats })),
      price_code: req.priceCode,
      section_name: req.section,
      acct_id: req.acctId,
      order_num_in: req.orderNum,
    }),
  parseOk: parseHoldResult,
});
