import { defineCommand } from '../parse.js';
import { ALL_AVAILABILITY, cartEventsKey, tag } from './tags.js';
import type { AbortCartResult, CartRequest } from '../types.js';

/** abort_shopping_cart: frees a cart's seats; no output. */
export const abortShoppingCart = defineCommand<CartRequest, AbortCartResult>(
  'abort_shopping_cart',
  {
    product: 'sth-hold',
    kind: 'write',
    failures: { 6004: 'unknownCart' },
    toFields: (req) => ({ order_num: req.orderNum }),
    parseOk: () => ({ aborted: true }),
    cache: {
      // The cart and its events' availability (every event's, when its events are not known here).
      invalidates: (req) => ({
        tags: [tag.cart(req.orderNum)],
        recall: { key: cartEventsKey(req.orderNum), orElse: [ALL_AVAILABILITY], forget: true },
      }),
    },
  },
);
