/** submitPayment (payment_request), exactly once per idempotency key → SubmitPaymentPayload. */
import { AmountMismatch, CardDeclined, CartExpired, NotFound } from '../../resolvers/failures.js';
import { money } from '../../resolvers/money.js';
import { submitPayment, type PaymentSuccess } from '../../resolvers/payments.js';
import { builder } from '../builder.js';
import './failures.js';
import { tierFor } from './mutation.js';
import { CustomerRef, MoneyRef } from './refs.js';

export const CardTypeEnum = builder.enumType('CardType', {
  description: 'Card brand.',
  values: {
    VISA: { value: 'VI', description: 'Visa.' },
    MASTERCARD: { value: 'MC', description: 'Mastercard.' },
    AMEX: { value: 'AX', description: 'American Express.' },
  } as const,
});

export const DeliveryMethodEnum = builder.enumType('DeliveryMethod', {
  description: 'How tickets are delivered.',
  values: {
    E_TICKET: { value: 'E', description: 'Electronic ticket.' },
    PRINT_AT_HOME: { value: 'P', description: 'Print at home.' },
  } as const,
});

const CardInput = builder.inputType('CardInput', {
  description:
    'The card to charge. Never stored or logged; the idempotency record keeps only a hash.',
  fields: (t) => ({
    type: t.field({ type: CardTypeEnum, required: true, description: 'Card brand.' }),
    number: t.string({
      required: true,
      description:
        'Card number, 12–19 digits (spaces or dashes allowed); must pass the Luhn check.',
    }),
    cvv: t.string({ required: true, description: 'Security code, 3 or 4 digits.' }),
    expiry: t.string({ required: true, description: 'Expiry "MMYY"; not in the past.' }),
    firstName: t.string({ required: true, description: 'Cardholder’s first name.' }),
    lastName: t.string({ required: true, description: 'Cardholder’s last name.' }),
  }),
});

const SubmitPaymentInput = builder.inputType('SubmitPaymentInput', {
  description: 'Pays a checked-out cart in full with one card.',
  fields: (t) => ({
    idempotencyKey: t.string({
      required: true,
      description:
        'Names this payment (8–128 of A–Z a–z 0–9 . _ : -; a UUID will do). Sending the same key again never pays twice: it answers with the first outcome, or settles an unknown one by reading. A key names one request: reusing it for another is BAD_USER_INPUT.',
    }),
    acctId: t.int({ required: true, description: 'Account the cart was checked out for.' }),
    orderNum: t.int({ required: true, description: 'Order number of the cart.' }),
    amount: t.string({
      required: true,
      description:
        'The amount due from checkout, as a decimal string with two places, e.g. "302.00".',
    }),
    card: t.field({ type: CardInput, required: true, description: 'The card to charge.' }),
    deliveryMethod: t.field({
      type: DeliveryMethodEnum,
      description: 'How the tickets are delivered (default E_TICKET).',
    }),
  }),
});

const PaymentSuccessRef = builder.objectRef<PaymentSuccess>('PaymentSuccess').implement({
  description: 'Paid: the seats are the account’s.',
  fields: (t) => ({
    orderNum: t.exposeInt('orderNum', {
      description: 'Order number of the paid cart (the cart itself is gone).',
    }),
    acctId: t.exposeInt('acctId', { description: 'Account the seats now belong to.' }),
    amount: t.field({
      type: MoneyRef,
      description: 'Amount charged.',
      resolve: (p) => money(p.amount),
    }),
    confirmationNumber: t.exposeString('confirmationNum', {
      nullable: true,
      description:
        'Confirmation number from the ticketing service; null when the payment was established by reading after its answer was lost.',
    }),
    settledByReading: t.exposeBoolean('settledByReading', {
      description:
        'True when the answer was lost and the gateway established the payment by reading the account’s seats and the cart.',
    }),
    replayed: t.exposeBoolean('replayed', {
      description: 'True when this call sent nothing and answered with the key’s recorded outcome.',
    }),
    customer: t.field({
      type: CustomerRef,
      nullable: true,
      description: 'The account (customer_query).',
      resolve: (p, _a, ctx) => ctx.loaders.customers.byId.load(p.acctId),
    }),
  }),
});

const SubmitPaymentPayload = builder.errorUnion('SubmitPaymentPayload', {
  description:
    'The payment made, or why not. A lost answer is not a member: it is the error PAYMENT_OUTCOME_UNKNOWN (retry with the same key).',
  types: [PaymentSuccessRef, CardDeclined, AmountMismatch, CartExpired, NotFound],
  resolveType: () => 'PaymentSuccess',
});

builder.mutationFields((t) => ({
  submitPayment: t.field({
    // Nullable: an upstream fault fails this field, not the other mutations of the operation.
    nullable: true,
    extensions: { upstream: 'write' },
    type: SubmitPaymentPayload,
    description:
      'Pays a checked-out cart (payment_request), exactly once per idempotencyKey. Needs the buy scope and, for an account-bound token, its own account. When the answer is lost the error is PAYMENT_OUTCOME_UNKNOWN: retry with the same key.',
    args: { input: t.arg({ type: SubmitPaymentInput, required: true }) },
    authScopes: (_root, { input }) => tierFor('buy', input.acctId),
    resolve: (_root, { input }, ctx) => submitPayment(input, ctx),
  }),
}));
