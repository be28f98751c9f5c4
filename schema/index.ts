/**
 * The executable schema: the builder plus every type file. A new type is one file in
 * schema/types/ and one import here.
 */
import { lexicographicSortSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import { guardAccounts } from './accounts.js';
import { syncNodeIds } from './nodes.js';
import './types/scalars.js';
import './types/query.js';
import './types/error.js';
import './types/money.js';
import './types/seat-status.js';
import './types/price-code.js';
import './types/section-availability.js';
import './types/event.js';
import './types/seat.js';
import './types/customer.js';
import './types/cart.js';
import './types/ping.js';
import './types/polling-test.js';
import './types/quota.js';
import './types/upstream.js';
import './types/mutation.js';
import './types/failures.js';
import './types/holds.js';
import './types/release-cart.js';
import './types/checkout.js';
import './types/payment.js';
import './types/tickets.js';
import './types/customer-mutations.js';
import './types/entities.js';

export { builder };

let built: GraphQLSchema | undefined;

/** Built once per process (types register at import time). */
export function buildSchema(): GraphQLSchema {
  built ??= guardAccounts(syncNodeIds(builder.toSchema()));
  return built;
}

/** The schema as SDL, sorted, as committed in schema/schema.graphql. */
export async function printSchemaSDL(): Promise<string> {
  const { printSchema } = await import('graphql');
  return `${printSchema(lexicographicSortSchema(buildSchema()))}\n`;
}
