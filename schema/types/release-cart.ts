/** releaseCart (abort_shopping_cart) → ReleaseCartPayload. */
import { releaseCart } from '../../resolvers/carts.js';
import { CartExpired } from '../../resolvers/failures.js';
import { builder } from '../builder.js';
import './failures.js';

const ReleaseCartSuccess = builder.objectRef<{ orderNum: number }>('ReleaseCartSuccess').implement({
  description: 'The cart is gone and its seats are on sale again.',
  fields: (t) => ({
    orderNum: t.exposeInt('orderNum', { description: 'Order number of the released cart.' }),
    released: t.boolean({ description: 'Always true.', resolve: () => true }),
  }),
});

const ReleaseCartPayload = builder.errorUnion('ReleaseCartPayload', {
  description: 'The cart released, or why not.',
  types: [ReleaseCartSuccess, CartExpired],
  resolveType: () => 'ReleaseCartSuccess',
});

builder.mutationFields((t) => ({
  releaseCart: t.field({
    // Nullable: an upstream fault fails this field, not the other mutations of the operation.
    nullable: true,
    extensions: { upstream: 'write' },
    type: ReleaseCartPayload,
    description:
      'Gives a cart’s seats back (abort_shopping_cart). Needs the hold scope; an account-bound token may not release another account’s cart.',
    args: { orderNum: t.arg.int({ required: true, description: 'Order number of the cart.' }) },
    authScopes: { hold: true },
    resolve: (_root, { orderNum }, ctx) => releaseCart(orderNum, ctx),
  }),
}));
