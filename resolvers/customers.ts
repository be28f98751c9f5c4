/** Customers (customer_query) and their seats (seats_sold, expanded to one seat each). */
import type { CustomerRecord } from '../src/archtics/types.js';
import type { GatewayContext } from '../src/context.js';
import { badInput } from './errors.js';
import { checkPage, paginate, type Connection, type ConnectionArgs } from './pagination.js';
import { checkEventName } from './events.js';
import { seatCursors, seatsFromBlocks, type SeatShape } from './seats.js';

/** Account ids are positive integers (Int, so at most 2^31 - 1). */
export function checkAcctId(acctId: number, arg = 'acctId'): number {
  if (!Number.isSafeInteger(acctId) || acctId <= 0) throw badInput(`"${arg}" must be a positive account id, got ${acctId}.`, { argument: arg });
  return acctId;
}

/** Unknown account → null, no error. */
export function customerById(acctId: number, ctx: GatewayContext): Promise<CustomerRecord | null> {
  return ctx.loaders.customers.byId.load(checkAcctId(acctId));
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function customerByEmail(email: string, ctx: GatewayContext): Promise<CustomerRecord | null> {
  const trimmed = email.trim();
  if (trimmed.length > 254 || !EMAIL.test(trimmed)) throw badInput('"email" is not an e-mail address.', { argument: 'email' });
  return ctx.loaders.customers.byEmail.load(trimmed);
}

export interface CustomerSeatsArgs extends ConnectionArgs {
  eventName?: string | null;
}

export async function customerSeats(customer: CustomerRecord, args: CustomerSeatsArgs, ctx: GatewayContext): Promise<Connection<SeatShape>> {
  const page = checkPage(args, seatCursors);
  const eventName = args.eventName != null ? checkEventName(args.eventName, 'eventName') : undefined;
  const blocks = await ctx.loaders.seatsSold.load({ acctId: customer.acctId, ...(eventName ? { eventName } : {}) });
  return paginate(seatsFromBlocks(blocks), page, seatCursors);
}
