/**
 * Apollo Federation v2 entity keys (served only by the subgraph schema, schema/federation.ts; the
 * keys are type extensions, invisible in schema/schema.graphql):
 *   Event    @key(fields: "id") @key(fields: "name")
 *   Customer @key(fields: "id") @key(fields: "acctId")
 *   Seat     @key(fields: "id")
 * `id` is the global id (base64 "Type:key"). Every reference goes through the same per-request
 * loaders as the queries, so N Event references in one `_entities` call are ONE event_details.
 *
 * `_entities` is added by @apollo/subgraph outside Pothos, so the Query type's `read` scope does
 * not cover it: each resolveReference checks it. Customer's `acct` scope runs on the type itself.
 * References resolve asynchronously (an error fails its own entity, not the whole list) and to a
 * copy of the loaded record: @apollo/subgraph writes `__typename` onto what it gets, and records
 * from the cross-request cache are frozen.
 */
import { GraphQLError } from 'graphql';
import { checkAcctId } from '../../resolvers/customers.js';
import { eventByName } from '../../resolvers/events.js';
import { loadSeat, parseSeatId } from '../../resolvers/seats.js';
import type { GatewayContext } from '../../src/context.js';
import { badInput, builder, decodeGlobalId } from '../builder.js';
import { CustomerRef, EventRef, SeatRef } from './refs.js';

function requireRead(ctx: GatewayContext): void {
  if (!ctx.auth.scopes.includes('read'))
    throw new GraphQLError('Not authorized', { extensions: { code: 'FORBIDDEN' } });
}

/** The local key of a global id of `typename`; BAD_USER_INPUT for anything else. */
function localId(globalId: unknown, typename: string): string {
  if (typeof globalId !== 'string') throw badInput(`A ${typename} reference needs a string "id".`);
  const decoded = decodeGlobalId(globalId);
  if (decoded.typename !== typename)
    throw badInput(`Not a ${typename} id: "${globalId.slice(0, 80)}"`);
  return decoded.id;
}

function copy<T extends object>(value: T | null): T | null {
  return value === null ? null : { ...value };
}

builder.asEntity(EventRef, {
  key: [builder.selection<{ id: string }>('id'), builder.selection<{ name: string }>('name')],
  resolveReference: async (ref, ctx) => {
    requireRead(ctx);
    const name =
      'name' in ref && ref.name !== undefined
        ? ref.name
        : localId((ref as { id?: unknown }).id, 'Event');
    if (typeof name !== 'string') throw badInput('An Event reference needs a string "name".');
    return copy(await eventByName(name, ctx));
  },
});

builder.asEntity(CustomerRef, {
  key: [builder.selection<{ id: string }>('id'), builder.selection<{ acctId: number }>('acctId')],
  resolveReference: async (ref, ctx) => {
    requireRead(ctx);
    const raw =
      'acctId' in ref && ref.acctId !== undefined
        ? ref.acctId
        : localId((ref as { id?: unknown }).id, 'Customer');
    const text = String(raw);
    if (!/^\d{1,15}$/.test(text)) throw badInput('Not a customer id.');
    return copy(await ctx.loaders.customers.byId.load(checkAcctId(Number(text))));
  },
});

builder.asEntity(SeatRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: async (ref, ctx) => {
    requireRead(ctx);
    return copy(await loadSeat(parseSeatId(localId(ref.id, 'Seat')), ctx));
  },
});
