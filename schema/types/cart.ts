/** Cart (shopping_cart): seats held under one order number. */
import { cartByOrderNum, cartSeats, checkOrderNum, holdExpiry } from '../../resolvers/carts.js';
import { money } from '../../resolvers/money.js';
import { badInput, brandable, builder, ownedBy, syncNode } from '../builder.js';
import { CartRef, MoneyRef, SeatRef } from './refs.js';

builder.node(CartRef, {
  description: 'Seats held under one order number until they are paid for or the hold expires.',
  extensions: {
    ...syncNode(
      (c: { orderNum: number }) => c.orderNum,
      (orderNum: number, ctx) => ctx.loaders.cart.load(orderNum),
    ),
    // Refused to a token bound to another account (schema/accounts.ts); a cart of no account is anyone's.
    ...ownedBy((c: { acctId?: number }) => c.acctId),
  },
  id: {
    resolve: (c) => c.orderNum,
    parse: (id) => {
      if (!/^\d{1,15}$/.test(id)) throw badInput('Not a cart id.');
      return checkOrderNum(Number(id), 'id');
    },
  },
  // Through cartByOrderNum: another caller's cart is null here too.
  loadMany: async (orderNums, ctx) =>
    brandable(await Promise.all(orderNums.map((n) => cartByOrderNum(n, ctx)))),
  fields: (t) => ({
    orderNum: t.exposeInt('orderNum', { description: 'Archtics order number of the cart.' }),
    acctId: t.exposeInt('acctId', {
      nullable: true,
      description: 'Account the cart is bound to (after checkout), if any.',
    }),
    seats: t.field({
      type: [SeatRef],
      description: 'The held seats, one per seat, at their per-seat price.',
      resolve: (c) => cartSeats(c),
    }),
    subtotal: t.field({
      type: MoneyRef,
      description: 'Sum of the held seats’ prices, before fees.',
      resolve: (c) => money(c.subtotal),
    }),
    expiresAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the hold lapses and the seats are released.',
      resolve: (c) => holdExpiry(c.holdExpires),
    }),
  }),
});

builder.queryFields((t) => ({
  cart: t.field({
    type: CartRef,
    nullable: true,
    description: 'A cart by order number (shopping_cart); null when unknown or expired.',
    args: {
      orderNum: t.arg.int({ required: true, description: 'Order number returned by a hold.' }),
    },
    resolve: (_root, { orderNum }, ctx) => cartByOrderNum(orderNum, ctx),
  }),
}));
