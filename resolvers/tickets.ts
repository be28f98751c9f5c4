/**
 * printTickets (ticket_print): issues tickets — new barcodes — for an account's seats at one event
 * (all of them, or the ones named). Printing again voids the earlier barcodes; no money moves, so
 * no idempotency key. 5069 (no such seats for the account) is NotFound.
 */
import type { GatewayContext } from '../src/context.js';
import { RESULT_CODES } from '../src/protocol/wire.js';
import { checkAcctId } from './customers.js';
import { badInput } from './errors.js';
import { checkEventName } from './events.js';
import { NotFound } from './failures.js';
import { commandResult } from './holds.js';
import type { DeliveryMethod } from './payments.js';
import type { SeatShape } from './seats.js';
import { checkField, checkText } from './validate.js';

export const MAX_PRINT_SEATS = 100;

export interface PrintTicketsArgs {
  acctId: number;
  eventName: string;
  seats?: readonly { section: string; row: string; number: number }[] | null;
  deliveryMethod?: DeliveryMethod | null;
}

export async function printTickets(args: PrintTicketsArgs, ctx: GatewayContext): Promise<{ acctId: number; eventName: string; tickets: SeatShape[] }> {
  const acctId = checkAcctId(args.acctId);
  const eventName = checkEventName(args.eventName, 'eventName');
  if (args.seats && (args.seats.length === 0 || args.seats.length > MAX_PRINT_SEATS)) {
    throw badInput(`"seats" takes 1–${MAX_PRINT_SEATS} seats (leave it out for all of the account's seats at the event).`, { argument: 'seats' });
  }
  const seats = args.seats?.map((s) => {
    if (!Number.isInteger(s.number) || s.number < 1) throw badInput(`"seats.number" must be a seat number, got ${s.number}.`, { argument: 'seats' });
    return {
      section: checkField(checkText(s.section, 'seats.section', 12), 'seats.section', 'section_name'),
      row: checkField(checkText(s.row, 'seats.row', 12), 'seats.row', 'row_name'),
      seat: s.number,
    };
  });
  try {
    const res = await ctx.api.ticketPrint({ acctId, eventName, deliveryMethod: args.deliveryMethod ?? 'E', ...(seats ? { seats } : {}) });
    return {
      acctId,
      eventName,
      tickets: res.tickets.map((t) => ({
        eventName: t.eventName,
        section: t.section,
        row: t.row,
        number: t.seat,
        status: 'SOLD',
        barcode: t.barcode,
        ticketStatus: t.ticketStatus,
      })),
    };
  } catch (e) {
    if (commandResult(e) === RESULT_CODES.noBlocksFound) throw new NotFound(`Account ${acctId} has no such seats at ${eventName}.`, 'SEATS');
    throw e;
  }
}
