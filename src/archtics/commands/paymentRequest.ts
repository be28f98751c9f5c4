import { centsToDecimal, compact, defineCommand, toCents } from '../parse.js';
import { ALL_AVAILABILITY, cartEventsKey, tag } from './tags.js';
import type { Cents, PaymentRequest, PaymentResult } from '../types.js';

/** The "amountMismatch" answer's error_detail: "Calculated amount to be approved: <amount>" (amount as the service writes it). */
const CALCULATED_AMOUNT = /Calculated amount to be approved:\s*\$?\s*(-?[\d,]*\.?\d+)/i;

/** The amount due that a 7010 answer names, in cents; undefined when the text does not say. */
export function calculatedAmountOf(detail: string): Cents | undefined {
  const match = CALCULATED_AMOUNT.exec(detail);
  return match ? toCents(match[1]!.replaceAll(',', '')) : undefined;
}

/**
 * payment_request: pays a checked-out cart with one card; the seats become sold. NOT idempotent:
 * the service charges again when the same payment is sent twice. "amountMismatch" carries
 * `extra: {calculatedAmount}`.
 */
export const paymentRequest = defineCommand<PaymentRequest, PaymentResult>('payment_request', {
  product: 'sth-buy',
  kind: 'write',
  failures: {
    6004: 'unknownCart',
    5034: 'unknownAccount',
    7010: 'amountMismatch',
    7020: 'cardDeclined',
    7030: 'notCheckedOut',
  },
  toFields: (req) =>
    compact({
      acct_id: req.acctId,
      order_num: req.orderNum,
      cart_items: req.items.map((i) => ({
        order_line_item: i.lineItem,
        dm_code: i.deliveryMethod,
      })),
      mop: [
        {
          pmt_type: req.card.type,
          amount: centsToDecimal(req.amount),
          auth_mode: 'O',
          credit_card: {
            cc_num: req.card.number,
            cin: req.card.cin,
            exp_date: req.card.expiry,
            first_name: req.card.firstName,
            last_name: req.card.lastName,
          },
        },
      ],
      ext_trans_id: req.extTransId,
    }),
  extra: {
    7010(_answer, detail) {
      const calculatedAmount = calculatedAmountOf(detail);
      return calculatedAmount === undefined ? undefined : { calculatedAmount };
    },
  },
  parseOk: (a) => ({
    orderNum: a.int('order_num'),
    confirmationNum: a.str('confirmation_num'),
    payments: a.list('mop').map((m) => ({
      captured: m.bool('cc_captured'),
      results: m.str('cc_results'),
      amount: m.cents('amount'),
    })),
  }),
  cache: {
    // The account's seats, the cart, and its events' availability (every event's when unknown).
    invalidates: (req) => ({
      tags: [tag.sold(req.acctId), tag.cart(req.orderNum)],
      recall: { key: cartEventsKey(req.orderNum), orElse: [ALL_AVAILABILITY], forget: true },
    }),
  },
});
