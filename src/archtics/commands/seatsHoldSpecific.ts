import { compact, defineCommand, wireName } from '../parse.js';
import type { HoldResult, SeatsHoldSpecificRequest } from '../types.js';
import { parseHoldResult } from './seatsHold.js';

/**
 * seats_hold_specific: holds named adjacent seats, all or none. 6002, 6003 ("Seat(s) not
 * available": nothing is held) and 6004 throw. Answers as seats_hold.
 */
export const seatsHoldSpecific = defineCommand<SeatsHoldSpecificRequest, HoldResult>('seats_hold_specific', {
  toFields: (req) =>
    compact({
      event_name: wireName(req.eventName),
      section_name: req.section,
      row_name: req.row,
      seat_num: req.firstSeat,
      num_seats: req.numSeats,
      ticket_type_code: req.ticketTypeCode,
      order_num_in: req.orderNum,
    }),
  parseOk: parseHoldResult,
});
