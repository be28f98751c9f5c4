/** Customer (customer_query) with its seats (seats_sold), and the customer queries. */
import { seatsSold } from '../../src/archtics/commands/index.js';
import {
  checkAcctId,
  checkCustomerSeatsArgs,
  customerByEmail,
  customerById,
  customerSeats,
} from '../../resolvers/customers.js';
import { handleMaybePromise } from '@whatwg-node/promise-helpers';
import { getAll } from '../../src/loaders/index.js';
import type { GatewayContext } from '../../src/context.js';
import { badInput, brandable, builder, ownedBy, syncNode } from '../builder.js';
import { CustomerRef, SeatConnectionRef, SeatRef } from './refs.js';

const loadCustomers = (ids: number[], ctx: GatewayContext) =>
  handleMaybePromise(() => getAll(ctx.loaders.customers.byId, ids), brandable);

builder.node(CustomerRef, {
  description: 'An Archtics account holder. Its global id is built from the account id.',
  extensions: {
    // Cached customers answer `nodes` without a promise (a dashboard's whole tree then executes in one pass).
    ...syncNode(
      (c: { acctId: number }) => c.acctId,
      (acctId: number, ctx) => ctx.loaders.customers.byId.get(acctId),
    ),
    // Refused to a token bound to another account (schema/accounts.ts).
    ...ownedBy((c: { acctId: number }) => c.acctId),
  },
  id: {
    resolve: (c) => c.acctId,
    parse: (id) => {
      if (!/^\d{1,15}$/.test(id)) throw badInput('Not a customer id.');
      return checkAcctId(Number(id), 'id');
    },
  },
  loadMany: loadCustomers,
  fields: (t) => ({
    acctId: t.exposeInt('acctId', { description: 'Archtics account id.' }),
    firstName: t.exposeString('firstName', { nullable: true, description: 'First name.' }),
    lastName: t.exposeString('lastName', { nullable: true, description: 'Last name.' }),
    companyName: t.exposeString('companyName', {
      nullable: true,
      description: 'Company, for company accounts.',
    }),
    email: t.exposeString('email', { nullable: true, description: 'E-mail address.' }),
    city: t.exposeString('city', { nullable: true, description: 'City of the postal address.' }),
    state: t.exposeString('state', {
      nullable: true,
      description: 'State or region of the postal address.',
    }),
    country: t.exposeString('country', {
      nullable: true,
      description: 'Country of the postal address.',
    }),
    accountType: t.exposeString('acctType', {
      nullable: true,
      description: 'Archtics account type code.',
    }),
    since: t.field({
      type: 'Date',
      nullable: true,
      description: 'Day the account was opened.',
      resolve: (c) => (/^\d{4}-\d{2}-\d{2}$/.test(c.addDate) ? c.addDate : null),
    }),
    seats: t.connection(
      {
        type: SeatRef,
        description:
          'Seats the customer owns, one per seat (seats_sold blocks expanded), in event, section, row and seat order. Each Seat.event is batched.',
        nullable: true,
        args: { eventName: t.arg.string({ description: 'Only seats of this event.' }) },
        extensions: { checkArgs: checkCustomerSeatsArgs, upstream: seatsSold.name },
        resolve: (c, args, ctx) => customerSeats(c, args, ctx),
      },
      SeatConnectionRef,
    ),
  }),
});

builder.queryFields((t) => ({
  customer: t.field({
    type: CustomerRef,
    nullable: true,
    description: 'A customer by account id (customer_query); null when there is no such account.',
    args: { acctId: t.arg.int({ required: true, description: 'Archtics account id (positive).' }) },
    // Checked from the argument too, so a token bound to another account spends no budget.
    authScopes: (_root, { acctId }) => ({ acct: acctId }),
    resolve: (_root, { acctId }, ctx) => customerById(acctId, ctx),
  }),
  customerByEmail: t.field({
    type: CustomerRef,
    nullable: true,
    description: 'A customer by e-mail address (customer_query); null when no account has it.',
    args: {
      email: t.arg.string({ required: true, description: 'E-mail address of the account.' }),
    },
    resolve: (_root, { email }, ctx) => customerByEmail(email, ctx),
  }),
}));
