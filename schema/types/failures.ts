/** The typed business failures of the mutations, as members of their payload unions. */
import { money } from '../../resolvers/money.js';
import {
  AmountMismatch,
  CardDeclined,
  CartExpired,
  EmailAlreadyExists,
  NotFound,
  SeatsUnavailable,
} from '../../resolvers/failures.js';
import { builder } from '../builder.js';
import { ErrorInterface } from './error.js';
import { CustomerRef, MoneyRef } from './refs.js';

export const SeatsUnavailableRef = builder.objectType(SeatsUnavailable, {
  name: 'SeatsUnavailable',
  description: 'The seats asked for are held or sold by someone else (nothing was held).',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof SeatsUnavailable,
  fields: (t) => ({
    eventName: t.exposeString('eventName', {
      description: 'The event whose seats were asked for.',
    }),
  }),
});

export const CartExpiredRef = builder.objectType(CartExpired, {
  name: 'CartExpired',
  description:
    'The cart is unknown, or its hold lapsed (15 minutes) and its seats went back on sale.',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof CartExpired,
  fields: (t) => ({
    orderNum: t.exposeInt('orderNum', { description: 'Order number of the cart.' }),
    settledByReading: t.exposeBoolean('settledByReading', {
      description:
        'True when a payment found the cart gone and the gateway read the account’s seats and the cart: none of its seats was bought, so nothing was charged. False when the service only said the cart is unknown or expired.',
    }),
  }),
});

export const CardDeclinedRef = builder.objectType(CardDeclined, {
  name: 'CardDeclined',
  description: 'The card was declined; nothing was charged and the seats are still held.',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof CardDeclined,
  fields: () => ({}),
});

export const AmountMismatchRef = builder.objectType(AmountMismatch, {
  name: 'AmountMismatch',
  description: 'The amount offered is not the amount due; nothing was charged.',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof AmountMismatch,
  fields: (t) => ({
    calculatedAmount: t.field({
      type: MoneyRef,
      description: 'The amount due, as the ticketing service calculates it.',
      resolve: (e) => money(e.calculated),
    }),
  }),
});

export const EmailAlreadyExistsRef = builder.objectType(EmailAlreadyExists, {
  name: 'EmailAlreadyExists',
  description: 'Another account already uses this e-mail address.',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof EmailAlreadyExists,
  fields: (t) => ({
    email: t.exposeString('email', { description: 'The e-mail address asked for.' }),
    // Not `acctId`: that is Int! on CreateCustomerSuccess, and GraphQL refuses one selection of a
    // field with two types across union members.
    existingAcctId: t.exposeInt('acctId', {
      nullable: true,
      description:
        'The existing account with this e-mail (createCustomer: always; updateCustomer: null, the service does not name it).',
    }),
    account: t.field({
      type: CustomerRef,
      nullable: true,
      description: 'The existing account (customer_query), when known and the caller may see it.',
      resolve: (e, _args, ctx) =>
        e.acctId === undefined ? null : ctx.loaders.customers.byId.load(e.acctId),
    }),
  }),
});

export const NotFoundRef = builder.objectType(NotFound, {
  name: 'NotFound',
  description: 'The event, account or seats named do not exist.',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof NotFound,
  fields: (t) => ({
    what: t.exposeString('what', { description: 'What was not found: EVENT, ACCOUNT or SEATS.' }),
  }),
});
