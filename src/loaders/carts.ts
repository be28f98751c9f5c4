/** Carts by order number (shopping_cart). An unknown or expired cart (6004) is null. */
import DataLoader from 'dataloader';
import { ArchticsCommandError } from '../archtics/errors.js';
import type { CartResult } from '../archtics/types.js';
import type { GatewayApi } from './api.js';

/** shopping_cart's "unknown or expired cart" (protocol reference §4). */
export const UNKNOWN_CART = 6004;

export function createCartLoader(api: Pick<GatewayApi, 'shoppingCart'>): DataLoader<number, CartResult | null> {
  return new DataLoader<number, CartResult | null>(
    (orderNums) =>
      Promise.all(
        orderNums.map(async (orderNum) => {
          try {
            return await api.shoppingCart({ orderNum });
          } catch (e) {
            if (e instanceof ArchticsCommandError && Number(e.result) === UNKNOWN_CART) return null;
            throw e;
          }
        }),
      ),
    { batch: false },
  );
}
