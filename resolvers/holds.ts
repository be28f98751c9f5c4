/**
 * Holds: best available (seats_hold) and named seats (seats_hold_specific), into a new cart or an
 * existing one. Inputs are checked first (quantity bounds, text, and the price code and ticket
 * type against event_price_info — a cached read); then one write. notEnoughSeats and
 * seatsNotAvailable become SeatsUnavailable, unknownEvent NotFound, unknownCart CartExpired.
 */
import {
  eventPriceInfo,
  failureOf,
  seatsHold,
  seatsHoldSpecific,
} from '../src/archtics/commands/index.js';
import type { CommandDef, HoldResult, PriceCodeInfo } from '../src/archtics/types.js';
import type { GatewayContext } from '../src/context.js';
import { assertCartAccess, checkOrderNum, claimCart } from './carts.js';
import { checkAcctId } from './customers.js';
import { badInput } from './errors.js';
import { checkEventName } from './events.js';
import { CartExpired, NotFound, SeatsUnavailable } from './failures.js';
import { formatSeatKey, seatsFromHeldRuns, type SeatShape } from './seats.js';
import { checkField, checkQuantity, checkText } from './validate.js';

/**
 * The ticket type a hold uses when the caller names none: the first ticket type event_price_info
 * lists for the chosen price code, or for the cheapest price code when none is chosen (ticket
 * types are each client's own codes: the protocol names none, so none is assumed here).
 */
export function defaultTicketType(
  codes: readonly PriceCodeInfo[],
  priceCode: string | undefined,
): string | undefined {
  const cheapest = (c: PriceCodeInfo) => Math.min(...c.ticketTypes.map((t) => Number(t.price)));
  const candidates = (
    priceCode === undefined
      ? [...codes].sort((a, b) => cheapest(a) - cheapest(b))
      : codes.filter((c) => c.code === priceCode)
  ).filter((c) => c.ticketTypes.length > 0);
  return candidates[0]?.ticketTypes[0]?.code;
}

export interface HoldOutcome {
  orderNum: number;
  /** The seats this hold added (a cart given by orderNum may hold more). */
  seats: SeatShape[];
  holdExpires?: string;
}

/**
 * Unknown event → NotFound; price code or ticket type the event does not sell → BAD_USER_INPUT.
 * Returns the ticket type to hold: the caller's, or the default (defaultTicketType).
 */
async function checkPricing(
  ctx: GatewayContext,
  eventName: string,
  priceCode: string | undefined,
  requested: string | undefined,
): Promise<string> {
  let codes;
  try {
    codes = await ctx.loaders.priceInfo.load(eventName);
  } catch (e) {
    if (failureOf(e, eventPriceInfo) === 'unknownEvent')
      throw new NotFound(`No event named ${eventName}.`, 'EVENT');
    throw e;
  }
  const offered = priceCode === undefined ? codes : codes.filter((c) => c.code === priceCode);
  if (offered.length === 0) {
    throw badInput(
      `"priceCode" ${priceCode} is not a price code of ${eventName} (known: ${codes.map((c) => c.code).join(', ')}).`,
      { argument: 'priceCode' },
    );
  }
  const ticketType = requested ?? defaultTicketType(codes, priceCode);
  if (
    ticketType === undefined ||
    !offered.some((c) => c.ticketTypes.some((t) => t.code === ticketType))
  ) {
    throw badInput(
      `"ticketType" ${ticketType ?? '(none listed)'} is not sold for ${eventName}${priceCode ? ` at price code ${priceCode}` : ''}.`,
      { argument: 'ticketType' },
    );
  }
  return ticketType;
}

function upper(v: string | null | undefined, arg: string, field: string): string | undefined {
  return v == null ? undefined : checkField(checkText(v, arg, 12).toUpperCase(), arg, field);
}

/** The hold's outcome, its cart recorded as the caller's (before the answer: no window where it is nobody's). */
async function outcome(
  res: HoldResult,
  eventName: string,
  ctx: GatewayContext,
  acctId: number | undefined,
): Promise<HoldOutcome> {
  if (!res.orderNum)
    throw new SeatsUnavailable(`No seats could be held for ${eventName}.`, eventName);
  const seats = seatsFromHeldRuns(res.seats);
  await claimCart(res.orderNum, ctx, acctId, seats.map(formatSeatKey));
  return {
    orderNum: res.orderNum,
    seats,
    ...(res.holdExpires ? { holdExpires: res.holdExpires } : {}),
  };
}

function holdFailure(
  e: unknown,
  def: CommandDef<never, HoldResult>,
  eventName: string,
  orderNum: number | undefined,
): unknown {
  switch (failureOf(e, def)) {
    case 'notEnoughSeats':
      return new SeatsUnavailable(
        `Not enough adjacent seats available at ${eventName}.`,
        eventName,
      );
    case 'seatsNotAvailable':
      return new SeatsUnavailable(
        `Some of those seats at ${eventName} are held or sold.`,
        eventName,
      );
    case 'unknownEvent':
      return new NotFound(`No event named ${eventName}.`, 'EVENT');
    case 'unknownCart':
      return new CartExpired(orderNum ?? 0);
    case 'unknownAccount':
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

export async function holdBestAvailable(
  args: HoldBestAvailableArgs,
  ctx: GatewayContext,
): Promise<HoldOutcome> {
  const eventName = checkEventName(args.eventName, 'eventName');
  const quantity = checkQuantity(args.quantity);
  const requested = upper(args.ticketType, 'ticketType', 'ticket_type_code');
  const priceCode = upper(args.priceCode, 'priceCode', 'price_code');
  const section =
    args.section == null
      ? undefined
      : checkField(checkText(args.section, 'section', 12), 'section', 'section_name');
  const orderNum = args.orderNum == null ? undefined : checkOrderNum(args.orderNum);
  // An account-bound token's holds are bound to its account (the service binds the cart).
  const acctId = args.acctId != null ? checkAcctId(args.acctId) : ctx.auth.acctId;
  const ticketType = await checkPricing(ctx, eventName, priceCode, requested);
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
    throw holdFailure(e, seatsHold, eventName, orderNum);
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
  if (!Number.isInteger(args.firstSeat) || args.firstSeat < 1)
    throw badInput(`"firstSeat" must be a seat number (1 or more), got ${args.firstSeat}.`, {
      argument: 'firstSeat',
    });
  const section = checkField(checkText(args.section, 'section', 12), 'section', 'section_name');
  const row = checkField(checkText(args.row, 'row', 12), 'row', 'row_name');
  const requested = upper(args.ticketType, 'ticketType', 'ticket_type_code');
  const orderNum = args.orderNum == null ? undefined : checkOrderNum(args.orderNum);
  const ticketType = await checkPricing(ctx, eventName, undefined, requested);
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
    throw holdFailure(e, seatsHoldSpecific, eventName, orderNum);
  }
}
