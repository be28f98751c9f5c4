/**
 * printTickets (ticket_print): issues tickets — new barcodes — for an account's seats at one event
 * (all of them, or the ones named). Printing again voids the earlier barcodes; no money moves, so
 * no idempotency key. "noSeats" (none such for the account) is NotFound.
 *
 * Whose tickets: a bound token prints its own account only (the field's scope); with tokens on,
 * seats of a cart another caller made (the durable cart-owner store) are that caller's to print —
 * FORBIDDEN before any upstream call, as for reading, releasing, checking out or paying for it.
 */
import { GraphQLError } from 'graphql';
import type { GatewayContext } from '../src/context.js';
import { failureOf, ticketPrint } from '../src/archtics/commands/index.js';
import { checkAcctId } from './customers.js';
import { badInput } from './errors.js';
import { checkEventName } from './events.js';
import { NotFound } from './failures.js';
import type { DeliveryMethod } from './payments.js';
import { formatSeatKey, parseSeatKey, type SeatShape } from './seats.js';
import { checkField, checkText } from './validate.js';

export const MAX_PRINT_SEATS = 100;

export interface PrintTicketsArgs {
  acctId: number;
  eventName: string;
  seats?: readonly { section: string; row: string; number: number }[] | null;
  deliveryMethod?: DeliveryMethod | null;
}

export async function printTickets(
  args: PrintTicketsArgs,
  ctx: GatewayContext,
): Promise<{ acctId: number; eventName: string; tickets: SeatShape[] }> {
  const acctId = checkAcctId(args.acctId);
  const eventName = checkEventName(args.eventName, 'eventName');
  if (args.seats && (args.seats.length === 0 || args.seats.length > MAX_PRINT_SEATS)) {
    throw badInput(
      `"seats" takes 1–${MAX_PRINT_SEATS} seats (leave it out for all of the account's seats at the event).`,
      { argument: 'seats' },
    );
  }
  const seats = args.seats?.map((s) => {
    if (!Number.isInteger(s.number) || s.number < 1)
      throw badInput(`"seats.number" must be a seat number, got ${s.number}.`, {
        argument: 'seats',
      });
    return {
      section: checkField(
        checkText(s.section, 'seats.section', 12),
        'seats.section',
        'section_name',
      ),
      row: checkField(checkText(s.row, 'seats.row', 12), 'seats.row', 'row_name'),
      seat: s.number,
    };
  });
  await assertPrintAccess(acctId, eventName, seats, ctx);
  try {
    const res = await ctx.api.ticketPrint({
      acctId,
      eventName,
      deliveryMethod: args.deliveryMethod ?? 'E',
      ...(seats ? { seats } : {}),
    });
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
    if (failureOf(e, ticketPrint) === 'noSeats')
      throw new NotFound(`Account ${acctId} has no such seats at ${eventName}.`, 'SEATS');
    throw e;
  }
}

/**
 * With tokens on, no seat to print (the named ones, or without names any of the account's seats at
 * the event) may be in a cart recorded with another owner. Seats the gateway never saw sold (the
 * box office's) are printed by the account's rules alone.
 */
async function assertPrintAccess(
  acctId: number,
  eventName: string,
  seats: readonly { section: string; row: string; seat: number }[] | undefined,
  ctx: GatewayContext,
): Promise<void> {
  if (!ctx.auth.authenticated) return;
  const named = seats
    ? new Set(
        seats.map((s) =>
          formatSeatKey({ eventName, section: s.section, row: s.row, number: s.seat }),
        ),
      )
    : undefined;
  const event = parseSeatKey(
    formatSeatKey({ eventName, section: '-', row: '-', number: 0 }),
  )?.eventName;
  for (const cart of await ctx.carts.ofAccount(acctId)) {
    if (cart.owner === undefined || cart.owner === ctx.auth.caller) continue;
    const theirs = cart.seats.some((key) =>
      named ? named.has(key) : parseSeatKey(key)?.eventName === event,
    );
    if (theirs) {
      throw new GraphQLError(
        `Some of these seats were bought in a cart of another caller: ${named ? 'they are not yours to print' : 'name the seats to print'}.`,
        {
          extensions: { code: 'FORBIDDEN' },
        },
      );
    }
  }
}
