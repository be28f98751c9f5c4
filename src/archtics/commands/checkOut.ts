import { defineCommand } from '../parse.js';
import { cartEventsKey, eventTagsOf, tag } from './tags.js';
import type { CheckOutRequest, CheckOutResult } from '../types.js';

/**
 * check_out: binds a cart to an account and prices it (line items, service charges, payment
 * plans, amount due). A read: it changes nothing but binds the cart to the account, so it is safe to
 * repeat (reference §4) — never cached, but it evicts the cached cart (which shows no account yet).
 */
export const checkOut = defineCommand<CheckOutRequest, CheckOutResult>('check_out', {
  product: 'sth-buy',
  kind: 'read',
  failures: { 6004: 'unknownCart', 5034: 'unknownAccount' },
  toFields: (req) => ({ acct_id: req.acctId, order_num: req.orderNum }),
  parseOk: (a) => ({
    items: a.list('cart_items').map((i) => ({
      lineItem: i.int('order_line_item'),
      eventName: i.name('event_name'),
      section: i.str('section_name'),
      row: i.str('row_name'),
      firstSeat: i.int('seat_num'),
      numSeats: i.int('num_seats'),
      priceCode: i.str('price_code'),
      ticketTypeCode: i.str('ticket_type_code'),
      price: i.cents('price'),
      lineTotal: i.cents('line_total'),
    })),
    serviceCharges: a.list('service_charges').map((s) => ({
      id: s.str('sc_id'),
      description: s.str('sc_desc'),
      amount: s.cents('sc_amount'),
    })),
    paymentPlans: a.list('pmt_plans').map((p) => ({
      id: p.str('available_payment_plan_id'),
      description: p.str('plan_desc'),
    })),
    subtotal: a.cents('subtotal'),
    feesTotal: a.cents('fees_total'),
    amountDue: a.cents('amount_due'),
  }),
  cache: {
    ttlMs: 0,
    invalidates: (req) => ({ tags: [tag.cart(req.orderNum)] }),
    remember: (req, res) => ({ key: cartEventsKey(req.orderNum), tags: eventTagsOf(res?.items) }),
  },
});
