import { defineCommand } from '../parse.js';
import type { CartRequest, CartResult } from '../types.js';
import { parseHeldSeatRun } from './seatsHold.js';
import { cartEventsKey, eventTagsOf, tag } from './tags.js';

/** shopping_cart: a cart's held seats and subtotal; "unknownCart" when unknown or expired. */
export const shoppingCart = defineCommand<CartRequest, CartResult>('shopping_cart', {
  product: 'sth-hold',
  kind: 'read',
  failures: { 6004: 'unknownCart' },
  toFields: (req) => ({ order_num: req.orderNum }),
  parseOk: (a) => ({
    orderNum: a.int('order_num'),
    acctId: a.optInt('acct_id'),
    seats: a.list('seats').map(parseHeldSeatRun),
    holdExpires: a.optStr('hold_expires'),
    subtotal: a.cents('subtotal'),
  }),
  cache: {
    ttlMs: 5_000,
    tags: (req) => [tag.cart(req.orderNum)],
    remember: (_req, res) =>
      res ? { key: cartEventsKey(res.orderNum), tags: eventTagsOf(res.seats) } : undefined,
  },
});
