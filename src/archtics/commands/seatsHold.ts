import { compact, defineCommand, wireName, type FieldReader } from '../parse.js';
import type {
  CachePolicy,
  HeldSeatRun,
  HoldResult,
  SeatsHoldRequest,
  SeatsHoldSpecificRequest,
} from '../types.js';
import { cartEventsKey, eventTagsOf, isNum, tag } from './tags.js';

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
 * Both holds: the event's availability and the cart go; the cart's events are remembered, so that
 * a later payment or abort of the cart evicts exactly their availability.
 */
export const holdCachePolicy: CachePolicy<SeatsHoldRequest | SeatsHoldSpecificRequest, HoldResult> =
  {
    invalidates(req, res) {
      const tags = eventTagsOf(res?.seats, [req.eventName]);
      if (isNum(req.orderNum)) tags.push(tag.cart(req.orderNum));
      if (res && isNum(res.orderNum) && res.orderNum > 0) tags.push(tag.cart(res.orderNum));
      return { tags: [...new Set(tags)] };
    },
    remember(req, res) {
      const orderNum = res && isNum(res.orderNum) && res.orderNum > 0 ? res.orderNum : req.orderNum;
      return isNum(orderNum)
        ? { key: cartEventsKey(orderNum), tags: eventTagsOf(res?.seats, [req.eventName]) }
        : undefined;
    },
  };

/**
 * seats_hold: holds the best available seats into a new cart, or into `order_num_in`.
 */
export const seatsHold = defineCommand<SeatsHoldRequest, HoldResult>('seats_hold', {
  product: 'sth-hold',
  kind: 'write',
  // 5034: the sandbox refuses a hold for an unknown account so.
  failures: {
    6001: 'notEnoughSeats',
    6002: 'unknownEvent',
    6004: 'unknownCart',
    5034: 'unknownAccount',
  },
  toFields: (req) =>
    compact({
      event_name: wireName(req.eventName),
      ticket_type: req.ticketTypes.map((t) => ({
        ticket_type_code: t.code,
        num_seats: t.numSeats,
      })),
      price_code: req.priceCode,
      section_name: req.section,
      acct_id: req.acctId,
      order_num_in: req.orderNum,
    }),
  parseOk: parseHoldResult,
  cache: holdCachePolicy,
});
