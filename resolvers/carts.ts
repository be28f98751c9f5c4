/** Carts (shopping_cart): held seats, subtotal and expiry. Unknown or expired → null. */
import type { CartResult } from '../src/archtics/types.js';
import type { GatewayContext } from '../src/context.js';
import { badInput } from './errors.js';
import { seatsFromHeldRuns, type SeatShape } from './seats.js';

export function checkOrderNum(orderNum: number, arg = 'orderNum'): number {
  if (!Number.isSafeInteger(orderNum) || orderNum <= 0) throw badInput(`"${arg}" must be a positive order number, got ${orderNum}.`, { argument: arg });
  return orderNum;
}

export function cartByOrderNum(orderNum: number, ctx: GatewayContext): Promise<CartResult | null> {
  return ctx.loaders.cart.load(checkOrderNum(orderNum));
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
