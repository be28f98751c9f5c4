/** holdBestAvailable (seats_hold) and holdSeats (seats_hold_specific) → HoldSeatsPayload. */
import { holdExpiry } from '../../resolvers/carts.js';
import { CartExpired, NotFound, SeatsUnavailable } from '../../resolvers/failures.js';
import { holdBestAvailable, holdSeats, type HoldOutcome } from '../../resolvers/holds.js';
import { MAX_SEATS_PER_HOLD } from '../../resolvers/validate.js';
import { builder } from '../builder.js';
import './failures.js';
import { tierFor } from './mutation.js';
import { CartRef, SeatRef } from './refs.js';

const HoldBestAvailableInput = builder.inputType('HoldBestAvailableInput', {
  description:
    'The best adjacent seats available (best price tier first, nearest the row’s centre).',
  fields: (t) => ({
    eventName: t.string({ required: true, description: 'Event name, e.g. "EVENT01".' }),
    quantity: t.int({
      required: true,
      description: `How many adjacent seats, 1–${MAX_SEATS_PER_HOLD}.`,
    }),
    ticketType: t.string({
      description:
        "Ticket type code; must be one the event sells. Default: the first ticket type the event's price list (event_price_info, cached) gives for `priceCode`, or for the cheapest price code when none is given.",
    }),
    priceCode: t.string({
      description: 'Only seats at this price code; must be one of the event’s.',
    }),
    section: t.string({ description: 'Only seats in this section.' }),
    acctId: t.int({
      description:
        'Bind the cart to this account (an account-bound token’s own account by default).',
    }),
    orderNum: t.int({ description: 'Add to this existing cart instead of starting a new one.' }),
  }),
});

const HoldSeatsInput = builder.inputType('HoldSeatsInput', {
  description: 'Named adjacent seats in one row: all of them or none.',
  fields: (t) => ({
    eventName: t.string({ required: true, description: 'Event name, e.g. "EVENT01".' }),
    section: t.string({ required: true, description: 'Section, e.g. "101".' }),
    row: t.string({ required: true, description: 'Row, e.g. "A".' }),
    firstSeat: t.int({ required: true, description: 'First seat number of the run.' }),
    quantity: t.int({
      required: true,
      description: `How many adjacent seats from firstSeat, 1–${MAX_SEATS_PER_HOLD}.`,
    }),
    ticketType: t.string({
      description:
        "Ticket type code. Default: the first ticket type the event's price list (event_price_info, cached) gives for its cheapest price code.",
    }),
    orderNum: t.int({ description: 'Add to this existing cart instead of starting a new one.' }),
  }),
});

const HoldSeatsSuccess = builder.objectRef<HoldOutcome>('HoldSeatsSuccess').implement({
  description: 'Seats held in a cart for 15 minutes: check out and pay before the hold lapses.',
  fields: (t) => ({
    orderNum: t.exposeInt('orderNum', {
      description: 'Order number of the cart (pass it to checkout, releaseCart, cart).',
    }),
    heldSeats: t.field({
      type: [SeatRef],
      description: 'The seats this hold added, one per seat, at their per-seat price.',
      resolve: (h) => h.seats,
    }),
    expiresAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the hold lapses.',
      resolve: (h) => holdExpiry(h.holdExpires),
    }),
    cart: t.field({
      type: CartRef,
      nullable: true,
      description: 'The whole cart (shopping_cart), with seats held earlier.',
      resolve: (h, _a, ctx) => ctx.loaders.cart.load(h.orderNum),
    }),
  }),
});

const HoldSeatsPayload = builder.errorUnion('HoldSeatsPayload', {
  description: 'Seats held, or why not.',
  types: [HoldSeatsSuccess, SeatsUnavailable, CartExpired, NotFound],
  resolveType: () => 'HoldSeatsSuccess',
});

builder.mutationFields((t) => ({
  holdBestAvailable: t.field({
    // Nullable: an upstream fault fails this field, not the other mutations of the operation.
    nullable: true,
    extensions: { upstream: 'write' },
    type: HoldSeatsPayload,
    description: 'Holds the best available adjacent seats (seats_hold). Needs the hold scope.',
    args: { input: t.arg({ type: HoldBestAvailableInput, required: true }) },
    authScopes: (_root, { input }) => tierFor('hold', input.acctId),
    resolve: (_root, { input }, ctx) => holdBestAvailable(input, ctx),
  }),
  holdSeats: t.field({
    // Nullable: an upstream fault fails this field, not the other mutations of the operation.
    nullable: true,
    extensions: { upstream: 'write' },
    type: HoldSeatsPayload,
    description: 'Holds the named seats, all or none (seats_hold_specific). Needs the hold scope.',
    args: { input: t.arg({ type: HoldSeatsInput, required: true }) },
    authScopes: { hold: true },
    resolve: (_root, { input }, ctx) => holdSeats(input, ctx),
  }),
}));
