import { compact, defineCommand, wireName } from '../parse.js';
import type { HoldResult, SeatsHoldSpecificRequest } from '../types.js';
import { holdCachePolicy, parseHoldResult } from './seatsHold.js';

/**
 * seats_hold_specific: holds named adjacent seats, all or none ("seatsNotAvailable": nothing is
 * held). Answers as seats_hold.
 */
export const seatsHoldSpecific = defineCommand<SeatsHoldSpecificRequest, HoldResult>(
  'seats_hold_specific',
  {
    product: 'sth-hold',
    kind: 'write',
    failures: { 6002: 'unknownEvent', 6003: 'seatsNotAvailable', 6004: 'unknownCart' },
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
    cache: holdCachePolicy,
  },
);
