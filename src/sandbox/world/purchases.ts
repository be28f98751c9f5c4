/**
 * payment_request: charges the card for a checked-out cart and sells its seats to the account.
 * No de-duplication (reference §4): the cart is gone after the first success, so a second
 * identical payment sees 6004.
 */
import { type Command1Request } from '../../protocol/wire.js';
import { RESULT_CODES } from '../reference.js';
import { dateOf, fail, int, isRecord, money, money2, ok, parseCents, str } from './format.js';
import { hash32, type SaleBlock } from './seed.js';
import { unknownCart, pricing } from './carts.js';
import { findCart, inventory, SEAT_SOLD, setSeat, type WorldState } from './state.js';
import type { Outcome } from './types.js';
import { seatIndex } from './venue.js';

/** Sandbox cards: any number ending in this is declined. */
export const DECLINED_CARD_SUFFIX = '0002';

export function paymentRequest(state: WorldState, c: Command1Request): Outcome {
  const cart = findCart(state, c.order_num);
  if (!cart) return unknownCart(c.order_num);
  const acctId = int(c.acct_id);
  if (!cart.checkedOut || acctId === undefined || cart.checkedOut.acctId !== acctId)
    return fail(
      RESULT_CODES.cartNotCheckedOut,
      'Shopping cart has not been checked out for this account',
    );

  const due = pricing(cart).due;
  const mops = (Array.isArray(c.mop) ? c.mop : isRecord(c.mop) ? [c.mop] : []).filter(isRecord);
  let paid = 0;
  const amounts: number[] = [];
  for (const m of mops) {
    const cents = parseCents(m.amount);
    if (cents === undefined) {
      paid = NaN;
      break;
    }
    amounts.push(cents);
    paid += cents;
  }
  if (mops.length === 0 || paid !== due)
    return fail(RESULT_CODES.amountMismatch, `Calculated amount to be approved: ${money2(due)}`);
  for (const m of mops) {
    const card = isRecord(m.credit_card) ? m.credit_card : {};
    const num = (str(card.cc_num) ?? '').replace(/\D/g, '');
    if (num.length < 12)
      return fail(RESULT_CODES.cardDeclined, 'Card declined: invalid card number');
    if (num.endsWith(DECLINED_CARD_SUFFIX)) return fail(RESULT_CODES.cardDeclined, 'Card declined');
  }

  // Sell: every seat of the cart becomes the account's.
  const today = dateOf(state.clock.now());
  let list = state.sales.get(acctId);
  if (!list) state.sales.set(acctId, (list = []));
  for (const run of cart.runs) {
    const inv = inventory(state, state.data.events[run.eventIdx]);
    for (let n = 0; n < run.numSeats; n++)
      setSeat(inv, seatIndex(run.section, run.row, run.firstSeat + n), SEAT_SOLD);
    const block: SaleBlock = {
      acctId,
      eventIdx: run.eventIdx,
      section: run.section,
      row: run.row,
      firstSeat: run.firstSeat,
      numSeats: run.numSeats,
      priceCode: run.priceCode,
      ticketType: run.ticketType,
      fullCents: run.priceCents,
      purchaseCents: run.priceCents,
      purchaseDate: today,
    };
    list.push(block);
  }
  state.carts.delete(cart.orderNum);
  const seq = state.purchases.length + 1;
  const confirmationNum = `${String(hash32(state.data.seed, seq, 0xc0f) % 1000).padStart(3, '0')}${String(cart.orderNum)}${String(seq).padStart(4, '0')}`;
  const extTransId = str(c.ext_trans_id);
  state.purchases.push({
    confirmationNum,
    orderNum: cart.orderNum,
    acctId,
    amountCents: due,
    ...(extTransId ? { extTransId } : {}),
    at: state.clock.now(),
  });
  return ok({
    order_num: cart.orderNum,
    confirmation_num: confirmationNum,
    mop: amounts.map((a, i) => ({
      cc_captured: 'Y',
      cc_results: `APPROVED ${String(hash32(state.data.seed, seq, i) % 1_000_000).padStart(6, '0')}`,
      amount: money(a),
    })),
  });
}
