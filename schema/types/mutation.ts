/**
 * The Mutation root. Its fields live next to their payloads (holds.ts, release-cart.ts,
 * checkout.ts, payment.ts, tickets.ts, customer-mutations.ts); each names the scope it needs:
 *   hold  holdBestAvailable, holdSeats, releaseCart, createCustomer, updateCustomer
 *   buy   checkout, submitPayment, printTickets
 * and a token bound to one account acts only for that account (FORBIDDEN otherwise).
 */
import { builder } from '../builder.js';

builder.mutationType({
  description:
    'Writes: holds, carts, checkout, payment, tickets and customer records. Business failures are typed members of each payload.',
});

/** Scope of a field acting for `acctId` when one is given: the tier, and the account (bound tokens). */
export function tierFor(tier: 'hold' | 'buy', acctId: number | null | undefined) {
  return acctId == null ? { [tier]: true } : { $all: { [tier]: true, acct: acctId } };
}
