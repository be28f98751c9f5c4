/**
 * Carts: shopping_cart (contents), abort_shopping_cart (free the seats) and check_out (bind the
 * cart to an account and price it: seats, service charges, payment plans, amount due).
 */
import { type Command1Request } from '../../protocol/wire.js';
import { RESULT_CODES } from '../reference.js';
import { dateTimeOf, fail, int, money, ok } from './format.js';
import { runOut } from './inventory.js';
import { findCart, releaseCart, type Cart, type WorldState } from './state.js';
import type { Outcome } from './types.js';

/** Per-ticket facility fee and per-order processing fee, cents. */
export const FACILITY_FEE_CENTS = 250;
export const ORDER_FEE_CENTS = 500;
/** Orders of at least this much may be paid in three instalments. */
export const INSTALMENT_MIN_CENTS = 20000;

export function unknownCart(orderNum: unknown): Outcome {
  return fail(
    RESULT_CODES.unknownCart,
    `Shopping cart not found or expired: ${String(orderNum ?? '(missing)')}`,
    {
      noRow: true,
    },
  );
}

export function subtotalCents(cart: Cart): number {
  return cart.runs.reduce((s, r) => s + r.priceCents * r.numSeats, 0);
}

export function pricing(cart: Cart): {
  subtotal: number;
  charges: { id: string; desc: string; cents: number }[];
  fees: number;
  due: number;
} {
  const subtotal = subtotalCents(cart);
  const tickets = cart.runs.reduce((s, r) => s + r.numSeats, 0);
  const charges = [
    { id: 'FAC', desc: 'Facility fee', cents: tickets * FACILITY_FEE_CENTS },
    { id: 'ORD', desc: 'Order processing fee', cents: ORDER_FEE_CENTS },
  ];
  const fees = charges.reduce((s, x) => s + x.cents, 0);
  return { subtotal, charges, fees, due: subtotal + fees };
}

export function shoppingCart(state: WorldState, c: Command1Request): Outcome {
  const cart = findCart(state, c.order_num);
  if (!cart) return unknownCart(c.order_num);
  const fields: Record<string, unknown> = { order_num: cart.orderNum };
  if (cart.acctId !== undefined) fields.acct_id = cart.acctId;
  fields.seats = cart.runs.map((r) => runOut(state, r));
  fields.hold_expires = dateTimeOf(cart.expiresAt);
  fields.subtotal = money(subtotalCents(cart));
  return ok(fields);
}

export function abortShoppingCart(state: WorldState, c: Command1Request): Outcome {
  const cart = findCart(state, c.order_num);
  if (!cart) return unknownCart(c.order_num);
  releaseCart(state, cart);
  return ok();
}

export function checkOut(state: WorldState, c: Command1Request): Outcome {
  const acctId = int(c.acct_id);
  if (acctId === undefined || !state.accounts.has(acctId))
    return fail(
      RESULT_CODES.customerUpdateNotFound,
      `Account not found: ${String(c.acct_id ?? '(missing)')}`,
      {
        noRow: true,
      },
    );
  const cart = findCart(state, c.order_num);
  if (!cart) return unknownCart(c.order_num);
  const p = pricing(cart);
  cart.acctId = acctId;
  cart.checkedOut = { acctId, amountDueCents: p.due };
  const plans = [{ available_payment_plan_id: 'FULL', plan_desc: 'Pay in full' }];
  if (p.due >= INSTALMENT_MIN_CENTS)
    plans.push({ available_payment_plan_id: '3PAY', plan_desc: 'Three monthly instalments' });
  return ok({
    cart_items: cart.runs.map((r, i) => {
      const seat = runOut(state, r);
      return {
        order_line_item: i + 1,
        event_name: seat.event_name,
        section_name: seat.section_name,
        row_name: seat.row_name,
        seat_num: seat.seat_num,
        num_seats: seat.num_seats,
        price_code: seat.price_code,
        ticket_type_code: seat.ticket_type_code,
        price: seat.price,
        line_total: money(r.priceCents * r.numSeats),
      };
    }),
    service_charges: p.charges.map((x) => ({
      sc_id: x.id,
      sc_desc: x.desc,
      sc_amount: money(x.cents),
    })),
    pmt_plans: plans,
    subtotal: money(p.subtotal),
    fees_total: money(p.fees),
    amount_due: money(p.due),
  });
}
