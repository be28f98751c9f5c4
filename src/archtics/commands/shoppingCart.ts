import { defineCommand } from '../parse.js';
import type { CartRequest, CartResult } from '../types.js';
import { parseHeldSeatRun } from './seatsHold.js';

/** shopping_cart: a cart's held seats and subtotal. 6004 (unknown or expired cart) throws. */
export const shoppingCart = defineCommand<CartRequest, CartResult>('shopping_cart', {
  toFields: (req) => ({ order_num: req.orderNum }),
  parseOk: (a) => ({
    orderNum: a.int('order_num'),
    acctId: a.optInt('acct_id'),
    seats: a.list('seats').map(parseHeldSeatRun),
    holdExpires: a.optStr('hold_expires'),
    subtotal: a.cents('subtotal'),
  }),
});
