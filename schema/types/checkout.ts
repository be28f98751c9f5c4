/** checkout (check_out): line items, service charges, payment plans and the amount due. */
import { checkout, type CheckoutOutcome } from '../../resolvers/carts.js';
import { CartExpired, NotFound } from '../../resolvers/failures.js';
import { money } from '../../resolvers/money.js';
import { seatsFromHeldRuns } from '../../resolvers/seats.js';
import type { CartLineItem, CheckOutResult } from '../../src/archtics/types.js';
import { builder } from '../builder.js';
import './failures.js';
import { tierFor } from './mutation.js';
import { MoneyRef, SeatRef } from './refs.js';

const CheckoutInput = builder.inputType('CheckoutInput', {
  description: 'The cart to check out and the account that will pay for it.',
  fields: (t) => ({
    orderNum: t.int({ required: true, description: 'Order number of the cart.' }),
    acctId: t.int({ required: true, description: 'Account the cart is bound to and sold to.' }),
  }),
});

const CheckoutLineItem = builder.objectRef<CartLineItem>('CheckoutLineItem').implement({
  description: 'One line of the order: a run of adjacent seats at one price.',
  fields: (t) => ({
    lineItem: t.exposeInt('lineItem', { description: 'Line number (order_line_item).' }),
    eventName: t.exposeString('eventName', { description: 'Event of the seats.' }),
    seats: t.field({
      type: [SeatRef],
      description: 'The seats of this line, one per seat.',
      resolve: (i) => seatsFromHeldRuns([{ ...i, lastSeat: i.firstSeat + i.numSeats - 1 }]),
    }),
    quantity: t.exposeInt('numSeats', { description: 'Number of seats.' }),
    priceCode: t.exposeString('priceCode', { description: 'Price code of the seats.' }),
    ticketType: t.exposeString('ticketTypeCode', { description: 'Ticket type code.' }),
    price: t.field({
      type: MoneyRef,
      description: 'Price of one seat.',
      resolve: (i) => money(i.price),
    }),
    total: t.field({
      type: MoneyRef,
      description: 'Price of the line.',
      resolve: (i) => money(i.lineTotal),
    }),
  }),
});

const ServiceCharge = builder
  .objectRef<CheckOutResult['serviceCharges'][number]>('ServiceCharge')
  .implement({
    description: 'A fee on the order.',
    fields: (t) => ({
      id: t.exposeString('id', { description: 'Service charge code.' }),
      description: t.exposeString('description', { description: 'What the fee is for.' }),
      amount: t.field({
        type: MoneyRef,
        description: 'Amount of the fee.',
        resolve: (c) => money(c.amount),
      }),
    }),
  });

const PaymentPlan = builder
  .objectRef<CheckOutResult['paymentPlans'][number]>('PaymentPlan')
  .implement({
    description: 'A way the order may be paid (in full, in instalments).',
    fields: (t) => ({
      id: t.exposeString('id', { description: 'Payment plan id.' }),
      description: t.exposeString('description', { description: 'What the plan is.' }),
    }),
  });

const CheckoutSuccess = builder.objectRef<CheckoutOutcome>('CheckoutSuccess').implement({
  description: 'The cart bound to the account and priced: pay `amountDue` with submitPayment.',
  fields: (t) => ({
    orderNum: t.exposeInt('orderNum', { description: 'Order number of the cart.' }),
    acctId: t.exposeInt('acctId', { description: 'Account the cart is bound to.' }),
    lineItems: t.field({
      type: [CheckoutLineItem],
      description: 'The order’s lines.',
      resolve: (c) => c.items,
    }),
    serviceCharges: t.field({
      type: [ServiceCharge],
      description: 'Fees on the order.',
      resolve: (c) => c.serviceCharges,
    }),
    paymentPlans: t.field({
      type: [PaymentPlan],
      description: 'Ways the order may be paid.',
      resolve: (c) => c.paymentPlans,
    }),
    subtotal: t.field({
      type: MoneyRef,
      description: 'Sum of the lines, before fees.',
      resolve: (c) => money(c.subtotal),
    }),
    feesTotal: t.field({
      type: MoneyRef,
      description: 'Sum of the fees.',
      resolve: (c) => money(c.feesTotal),
    }),
    amountDue: t.field({
      type: MoneyRef,
      description: 'What submitPayment must pay, exactly.',
      resolve: (c) => money(c.amountDue),
    }),
  }),
});

const CheckoutPayload = builder.errorUnion('CheckoutPayload', {
  description: 'The priced order, or why not.',
  types: [CheckoutSuccess, CartExpired, NotFound],
  resolveType: () => 'CheckoutSuccess',
});

builder.mutationFields((t) => ({
  checkout: t.field({
    // Nullable: an upstream fault fails this field, not the other mutations of the operation.
    nullable: true,
    extensions: { upstream: 'write' },
    type: CheckoutPayload,
    description:
      'Binds a cart to an account and prices it (check_out). Needs the buy scope and, for an account-bound token, its own account.',
    args: { input: t.arg({ type: CheckoutInput, required: true }) },
    authScopes: (_root, { input }) => tierFor('buy', input.acctId),
    resolve: (_root, { input }, ctx) => checkout(input, ctx),
  }),
}));
