import { defineCommand } from '../parse.js';
import type { AbortCartResult, CartRequest } from '../types.js';

/** abort_shopping_cart: frees a cart's seats; no output. 6004 throws. */
export const abortShoppingCart = defineCommand<CartRequest, AbortCartResult>('abort_shopping_cart', {
  toFields: (req) => ({ order_num: req.orderNum }),
  parseOk: () => ({ aborted: true }),
});
