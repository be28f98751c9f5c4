/**
 * Holds: best available (seats_hold) and named seats (seats_hold_specific), into a new cart or an
 * existing one. Inputs are checked first (quantity bounds, text, and the price code and ticket
 * type against event_price_info — a cached read); then one write. 6001/6003 become
 * SeatsUnavailable, 6002 NotFound, 6004 CartExpired.
 */
import { ArchticsCommandError } from '../src/archtics/errors.js';
import type { HoldResult } from '../src/archtics/types.js';
import type { GatewayContext } from '../src/context.js';
import { RESULT_CODES } from '../src/protocol/wire.js';
import { assertCartAccess, checkOrderNum, claimCart } from './carts.js';
import { checkAcctId } from './customers.js';
import { badInput } from './errors.js';
import { checkEventName } from './events.js';
import { CartExpired, NotFound, SeatsUnavailable } from './failures.js';
import { formatSeatKey, seatsFromHeldRuns, type SeatShape } from './seats.js';
import { checkField, checkQuantity, checkText } from './validate.js';

export const DEFAULT_TICKET_TYPE = 'ADULT';

export interface HoldOutcome {
  orderNum: number;
  /** The seats this hold added (a cart given by orderNum may hold more). */
  seats: SeatShape[];
  holdExpires?: string;
}

/** The result code of a business failure, or undefined for any other error. */
export function commandResult(e: unknown): number | undefined {
  return e instanceof ArchticsCommandError ? Number(e.result) : undefined;
}

/** Unknown event → NotFound; price code or ticket type the event does not sell → BAD_USER_INPUT. */
async function checkPricing(ctx: GatewayContext, eventName: string, priceCode: string | undefined, ticketType: string): Promise<void> {
  let codes;
  try {
    codes = await ctx.loaders.priceInfo.load(eventName);
  } catch (e) {
    if (commandResult(e) === RESULT_CODES.unknownEvent) throw new NotFound(`No event named ${eventName}.`, 'EVENT');
    throw e;
  }
  const offered = priceCode === undefined ? codes : codes.filter((c) => c.code === priceCode);
  if (offered.length === 0) {
    throw badInput(`"priceCode" ${priceCode} is not a price code of ${eventName} (known: ${codes.map((c) => c.code).join(', ')}).`, { argument: 'priceCode' });
  }
  if (!offered.some((c) => c.ticketTypes.some((t) => t.code === ticketType))) {
    throw badInput(`"ticketType" ${ticketType} is not sold for ${eventName}${priceCode ? ` at price code ${priceCode}` : ''}.`, { argument: 'ticketType' });
  }
}

function upper(v: string | null | undefined, arg: string, field: string): string | undefined {
  return v == null ? undefined : checkField(checkText(v, arg, 12).toUpperCase(), arg, field);
}

/** The hold's outcome, its cart recorded as the caller's (before the answer: no window where it is nobody's). */
async function outcome(res: HoldResult, eventName: string, ctx: GatewayContext, acctId: number | undefined): Promise<HoldOutcome> {
  if (!res.orderNum) throw new SeatsUnavailable(`No seats could be held for ${eventName}.`, eventName);
  const seats = seatsFromHeldRuns(res.seats);
  await claimCart(res.orderNum, ctx, acctId, seats.map(formatSeatKey));
  return { orderNum: res.orderNum, seats, ...(res.holdExpires ? { holdExpires: res.holdExpires } : {}) };
}

function holdFailure(e: unknown, eventName: string, orderNum: number | undefined): unknown {
  switch (commandResult(e)) {
    case RESULT_CODES.notEnoughSeats:
      return new SeatsUnavailable(`Not enough adjacent seats available at ${eventName}.`, eventName);
    case RESULT_CODES.seatsNotAvailable:
      return new SeatsUnavailable(`Some of those seats at ${eventName} are held or sold.`, eventName);
    case RESULT_CODES.unknownEvent:
      return new NotFound(`No event named ${eventName}.`, 'EVENT');
    case RESULT_CODES.unknownCart:
      return new CartExpired(orderNum ?? 0);
    case RESULT_CODES.customerUpdateNotFound:
      return new NotFound('No such account.', 'ACCOUNT');
    default:
      return e;
  }
}

export interface HoldBestAvailableArgs {
  eventName: string;
  quantity: number;
  ticketType?: string | null;
  priceCode?: string | null;
  section?: string | null;
  acctId?: number | null;
  orderNum?: number | null;
}

export async function holdBestAvailable(args: HoldBestAvailableArgs, ctx: GatewayContext): Promise<HoldOutcome> {
  const eventName = checkEventName(args.eventName, 'eventName');
  const quantity = checkQuantity(args.quantity);
  const ticketType = upper(args.ticketType, 'ticketType', 'ticket_type_code') ?? DEFAULT_TICKET_TYPE;
  const priceCode = upper(args.priceCode, 'priceCode', 'price_code');
  const section = args.section == null ? undefined : checkField(checkText(args.section, 'section', 12), 'section', 'section_name');
  const orderNum = args.orderNum == null ? undefined : checkOrderNum(args.orderNum);
  // An account-bound token's holds are bound to its account (the service binds the cart).
  const acctId = args.acctId != null ? checkAcctId(args.acctId) : ctx.auth.acctId;
  await checkPricing(ctx, eventName, priceCode, ticketType);
  if (orderNum !== undefined) await assertCartAccess(orderNum, ctx);
  try {
    const res = await ctx.api.seatsHold({
      eventName,
      ticketTypes: [{ code: ticketType, numSeats: quantity }],
      ...(priceCode ? { priceCode } : {}),
      ...(section ? { section } : {}),
      ...(acctId !== undefined ? { acctId } : {}),
      ...(orderNum !== undefined ? { orderNum } : {}),
    });
    return await outcome(res, eventName, ctx, acctId);
  } catch (e) {
    throw holdFailure(e, eventName, orderNum);
  }
}

export interface HoldSeatsArgs {
  eventName: string;
  section: string;
  row: string;
  firstSeat: number;
  quantity: number;
  ticketType?: string | null;
  orderNum?: number | null;
}

export async function holdSeats(args: HoldSeatsArgs, ctx: GatewayContext): Promise<HoldOutcome> {
  const eventName = checkEventName(args.eventName, 'eventName');
  const quantity = checkQuantity(args.quantity);
  if (!Number.isInteger(args.firstSeat) || args.firstSeat < 1) throw badInput(`"firstSeat" must be a seat number (1 or more), got ${args.firstSeat}.`, { argument: 'firstSeat' });
  const section = checkField(checkText(args.section, 'section', 12), 'section', 'section_name');
  const row = checkField(checkText(args.row, 'row', 12), 'row', 'row_name');
  const ticketType = upper(args.ticketType, 'ticketType', 'ticket_type_code') ?? DEFAULT_TICKET_TYPE;
  const orderNum = args.orderNum == null ? undefined : checkOrderNum(args.orderNum);
  await checkPricing(ctx, eventName, undefined, ticketType);
  if (orderNum !== undefined) await assertCartAccess(orderNum, ctx);
  try {
    const res = await ctx.api.seatsHoldSpecific({
      eventName,
      section,
      row,
      firstSeat: args.firstSeat,
      numSeats: quantity,
      ticketTypeCode: ticketType,
      ...(orderNum !== undefined ? { orderNum } : {}),
    });
    return await outcome(res, eventName, ctx, ctx.auth.acctId);
  } catch (e) {
    throw holdFailure(e, eventName, orderNum);
  }
}
