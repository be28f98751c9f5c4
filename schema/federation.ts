/**
 * The same schema served as an Apollo Federation v2 subgraph: every type and resolver of
 * buildSchema(), plus `_service { sdl }` and `_entities(representations:)` for the entity keys of
 * schema/types/entities.ts (Event by id or name, Customer by id or acctId, Seat by id).
 * Served at /graphql instead of the plain schema when GRAPHQL_FEDERATION=true (src/config.ts).
 * Its SDL, with the federation directives, is committed as schema/subgraph.graphql.
 */
import { printSubgraphSchema } from '@apollo/subgraph';
import { handleMaybePromise } from '@whatwg-node/promise-helpers';
import type { GraphQLSchema } from 'graphql';
import { settledItems } from '../src/loaders/index.js';
import { guardAccounts } from './accounts.js';
import { syncNodeIds } from './nodes.js';
import { builder } from './index.js';

/** Federation spec version the subgraph links to. */
export const FEDERATION_LINK_URL = 'https://specs.apollo.dev/federation/v2.6';

let built: GraphQLSchema | undefined;

/** Built once per process, like buildSchema(). */
export function buildSubgraphSchema(): GraphQLSchema {
  built ??= guardAccounts(
    settledEntities(syncNodeIds(builder.toSubGraphSchema({ linkUrl: FEDERATION_LINK_URL }))),
  );
  return built;
}

/** `_entities` answers each failed representation as an Error value at its place (settledItems). */
function settledEntities(schema: GraphQLSchema): GraphQLSchema {
  const field = schema.getQueryType()?.getFields()._entities;
  const resolve = field?.resolve;
  if (field && resolve)
    field.resolve = (...args) =>
      handleMaybePromise(
        () => resolve(...args) as unknown,
        (items) => (Array.isArray(items) ? settledItems(items) : items),
      );
  return schema;
}

/** The subgraph SDL (what `_service { sdl }` answers, and what a router composes). */
export function printSubgraphSDL(): string {
  return `${printSubgraphSchema(buildSubgraphSchema()).trimEnd()}\n`;
}
