/**
 * Business failures of the mutations: thrown (or returned) by resolvers, and turned into typed
 * members of each mutation's payload union by the errors plugin (schema/types/failures.ts).
 * They carry data only, never upstream texts that could hold anything secret.
 */
import type { Cents } from '../src/archtics/types.js';

/** The seats asked for are held or sold (notEnoughSeats: best available found none; seatsNotAvailable: a seat is taken). */
export class SeatsUnavailable extends Error {
  override readonly name = 'SeatsUnavailable';
  constructor(
    message: string,
    readonly eventName: string,
  ) {
    super(message);
  }
}

/** The cart is unknown, or its hold lapsed and the seats went back on sale (unknownCart). */
export class CartExpired extends Error {
  override readonly name = 'CartExpired';
  constructor(
    readonly orderNum: number,
    /**
     * True when a payment met the cart gone and the gateway READ the account's seats: none of the
     * cart's seats was sold to it, so nothing was bought (the proof settlement needs).
     */
    readonly settledByReading = false,
  ) {
    super(
      settledByReading
        ? `Cart ${orderNum} is gone and none of its seats was sold to the account (read just now): nothing was bought; hold again.`
        : `Cart ${orderNum} is unknown or has expired: its seats are no longer held.`,
    );
  }
}

/** The card was declined (cardDeclined); nothing was charged. */
export class CardDeclined extends Error {
  override readonly name = 'CardDeclined';
  constructor() {
    super('The card was declined; nothing was charged.');
  }
}

/** The amount offered is not the amount due (amountMismatch); `calculated` is what the service asks. */
export class AmountMismatch extends Error {
  override readonly name = 'AmountMismatch';
  constructor(readonly calculated: Cents) {
    super('The amount is not the amount due; pay the calculated amount.');
  }
}

/** Another account already has this e-mail (emailExists on create and on update). */
export class EmailAlreadyExists extends Error {
  override readonly name = 'EmailAlreadyExists';
  constructor(
    readonly email: string,
    /** The account that has it, when the service names it (customer_add does). */
    readonly acctId?: number,
  ) {
    super(
      acctId === undefined
        ? 'Another account already uses this e-mail address.'
        : `Account ${acctId} already uses this e-mail address.`,
    );
  }
}

/** The event, account or seats named do not exist. */
export class NotFound extends Error {
  override readonly name = 'NotFound';
  constructor(
    message: string,
    readonly what: 'EVENT' | 'ACCOUNT' | 'SEATS',
  ) {
    super(message);
  }
}
