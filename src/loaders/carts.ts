/** Carts by order number (shopping_cart). An unknown or expired cart is null. */
import DataLoader from 'dataloader';
import { failureOf, shoppingCart } from '../archtics/commands/index.js';
import type { CartResult } from '../archtics/types.js';
import type { GatewayApi } from './api.js';

export function createCartLoader(
  api: Pick<GatewayApi, 'shoppingCart'>,
): DataLoader<number, CartResult | null> {
  return new DataLoader<number, CartResult | null>(
    (orderNums) =>
      Promise.all(
        orderNums.map(async (orderNum) => {
          try {
            return await api.shoppingCart({ orderNum });
          } catch (e) {
            if (failureOf(e, shoppingCart) === 'unknownCart') return null;
            throw e;
          }
        }),
      ),
    { batch: false },
  );
}
