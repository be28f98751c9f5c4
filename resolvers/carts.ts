/** Carts (shopping_cart): held seats, subtotal and expiry. Unknown or expired → null. */
import { GraphQLError } from 'graphql';
import {
  abortShoppingCart,
  checkOut,
  failureOf,
  shoppingCart,
} from '../src/archtics/commands/index.js';
import type { CartResult, CheckOutResult, CommandDef } from '../src/archtics/types.js';
import type { GatewayContext } from '../src/context.js';
import { checkAcctId } from './customers.js';
import { badInput } from './errors.js';
import { CartExpired, NotFound } from './failures.js';
import { seatsFromHeldRuns, type SeatShape } from './seats.js';

export function checkOrderNum(orderNum: number, arg = 'orderNum'): number {
  if (!Number.isSafeInteger(orderNum) || orderNum <= 0)
    throw badInput(`"${arg}" must be a positive order number, got ${orderNum}.`, { argument: arg });
  return orderNum;
}

/**
 * Whether this caller may see and act on the cart. With tokens on, a cart belongs to the caller
 * whose hold made it (recorded in the durable cart-owner store, ctx.carts): another caller's cart
 * is not found for reads and FORBIDDEN for writes. A cart the gateway never saw made (no owner
 * recorded: made at the box office, or before owners were recorded) is open to tokens not bound
 * to an account (staff, integrations) and closed to account-bound ones. Tokens off: every cart
 * is everyone's, as is everything else.
 */
export async function ownsCart(orderNum: number, ctx: GatewayContext): Promise<boolean> {
  if (!ctx.auth.authenticated) return true;
  const record = await ctx.carts.get(orderNum);
  if (record?.owner !== undefined) return record.owner === ctx.auth.caller;
  return ctx.auth.acctId === undefined;
}

/** Records the caller as the owner of a cart its hold made (the first claim wins). */
export async function claimCart(
  orderNum: number,
  ctx: GatewayContext,
  acctId: number | undefined,
  seats: readonly string[],
): Promise<void> {
  await ctx.carts.claim(orderNum, {
    owner: ctx.auth.caller,
    ...(acctId !== undefined ? { acctId } : {}),
    seats,
  });
}

/** Another caller's cart reads as unknown (null), like one that never existed. */
export async function cartByOrderNum(
  orderNum: number,
  ctx: GatewayContext,
): Promise<CartResult | null> {
  const n = checkOrderNum(orderNum);
  if (!(await ownsCart(n, ctx))) return null;
  return ctx.loaders.cart.load(n);
}

export function cartSeats(cart: CartResult): SeatShape[] {
  return seatsFromHeldRuns(cart.seats);
}

/**
 * The service's "YYYY-MM-DD HH:MM:SS" hold expiry as an ISO date-time. The service states no
 * zone; it is read as UTC.
 */
export function holdExpiry(text: string | undefined): string | null {
  if (!text) return null;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)/.exec(text.trim());
  if (!m) return null;
  return `${m[1]}T${m[2].length === 5 ? `${m[2]}:00` : m[2]}Z`;
}

// ── mutations: access, release, checkout ───────────────────────────────────────────────────

/**
 * A caller may act on a cart it owns (ownsCart; else FORBIDDEN, before any upstream call), and an
 * account-bound token only when the cart is not bound to another account (a cart is bound by a
 * hold made for an account, or by checkout). Read fresh: a cart's binding changes at checkout.
 * Unknown or expired → CartExpired. Tokens not bound to an account skip the binding check.
 */
export async function assertCartAccess(orderNum: number, ctx: GatewayContext): Promise<void> {
  if (!(await ownsCart(orderNum, ctx))) {
    throw new GraphQLError(`Cart ${orderNum} is not one of yours.`, {
      extensions: { code: 'FORBIDDEN' },
    });
  }
  if (ctx.auth.acctId === undefined) return;
  let cart: CartResult;
  try {
    cart = await ctx.freshApi.shoppingCart({ orderNum });
  } catch (e) {
    if (failureOf(e, shoppingCart) === 'unknownCart') throw new CartExpired(orderNum);
    throw e;
  }
  if (cart.acctId !== undefined && cart.acctId !== ctx.auth.acctId) {
    throw new GraphQLError(`Cart ${orderNum} belongs to another account.`, {
      extensions: { code: 'FORBIDDEN' },
    });
  }
}

function cartFailure(e: unknown, def: CommandDef<never, unknown>, orderNum: number): unknown {
  switch (failureOf(e, def)) {
    case 'unknownCart':
      return new CartExpired(orderNum);
    case 'unknownAccount':
      return new NotFound('No such account.', 'ACCOUNT');
    default:
      return e;
  }
}

export async function releaseCart(
  orderNumArg: number,
  ctx: GatewayContext,
): Promise<{ orderNum: number }> {
  const orderNum = checkOrderNum(orderNumArg);
  await assertCartAccess(orderNum, ctx);
  try {
    await ctx.api.abortShoppingCart({ orderNum });
  } catch (e) {
    throw cartFailure(e, abortShoppingCart, orderNum);
  }
  return { orderNum };
}

export interface CheckoutOutcome extends CheckOutResult {
  orderNum: number;
  acctId: number;
}

/** check_out: binds the cart to the account and prices it (line items, fees, amount due). */
export async function checkout(
  args: { orderNum: number; acctId: number },
  ctx: GatewayContext,
): Promise<CheckoutOutcome> {
  const orderNum = checkOrderNum(args.orderNum);
  const acctId = checkAcctId(args.acctId);
  await assertCartAccess(orderNum, ctx);
  try {
    const result = await ctx.api.checkOut({ acctId, orderNum });
    // Checkout binds the cart to the account: recorded, so printing knows whose seats these are.
    await ctx.carts
      .addSeats(orderNum, [], acctId)
      .catch((err: unknown) => ctx.logger.warn({ err, orderNum }, 'cart account not recorded'));
    return { ...result, orderNum, acctId };
  } catch (e) {
    throw cartFailure(e, checkOut, orderNum);
  }
}
