/**
 * The one Pothos SchemaBuilder. It defines no types itself: every type lives in schema/types/
 * (one file per type, with the root fields that return it), and schema/index.ts imports them all.
 *
 * Plugins: scope-auth (scopes read / hold / buy, and `acct` for tokens bound to one account),
 * errors (typed business failures as result unions, for mutations), dataloader, relay (global
 * ids, Node, node/nodes, connections), directives + federation (entity keys, for serving the
 * schema as an Apollo Federation v2 subgraph: schema/federation.ts; applied directives are not
 * printed in schema/schema.graphql). To add a plugin list it here.
 */
import SchemaBuilder, { brandWithType } from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import DirectivePlugin from '@pothos/plugin-directives';
import ErrorsPlugin from '@pothos/plugin-errors';
import FederationPlugin from '@pothos/plugin-federation';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin, { AuthScopeFailureType, type AuthFailure } from '@pothos/plugin-scope-auth';
import { GraphQLError, isObjectType, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import { badInput } from '../resolvers/errors.js';
import type { GatewayContext } from '../src/context.js';
import { handleMaybePromise, type MaybePromise } from '@whatwg-node/promise-helpers';
import { failedItem, isShared } from '../src/loaders/index.js';

export interface SchemaTypes {
  Context: GatewayContext;
  AuthScopes: {
    /** Queries. */
    read: boolean;
    /** Holds and carts. */
    hold: boolean;
    /** Checkout, payment, ticket printing. */
    buy: boolean;
    /** The caller may act for this account (always true unless its token is bound to another). */
    acct: number;
  };
  Scalars: {
    Date: { Input: string; Output: string };
    DateTime: { Input: string; Output: string };
    ID: { Input: string; Output: string | number };
  };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}

export { badInput };

/** Global ids: base64 of "Type:localId" (e.g. "Seat:EVENT01|101|A|7"); anything else is BAD_USER_INPUT. */
export function encodeGlobalId(typename: string, id: string | number | bigint): string {
  return Buffer.from(`${typename}:${id}`, 'utf8').toString('base64');
}

export function decodeGlobalId(globalId: string): { typename: string; id: string } {
  const text = /^[A-Za-z0-9+/]+={0,2}$/.test(globalId)
    ? Buffer.from(globalId, 'base64').toString('utf8')
    : '';
  const m = /^([A-Z][A-Za-z]*):(.+)$/s.exec(text);
  if (!m || encodeGlobalId(m[1], m[2]) !== globalId)
    throw badInput(`Not a valid global id: "${globalId.slice(0, 80)}"`);
  return { typename: m[1], id: m[2] };
}

/**
 * Node loaders hand the relay plugin a copy: it brands what they return with a symbol (to resolve
 * the Node type), and loaded values may be frozen, shared cache entries.
 */
export function brandable<T extends object>(values: readonly (T | null)[]): (T | null)[] {
  return values.map((v) => (v === null ? null : { ...v }));
}

/**
 * How `nodes(ids:)` loads one id of a Node type: the value at once when this operation or the
 * cache has it (PeekingLoader.get), else its promise. Registered by every Node type (one line next
 * to its `builder.node`), so that `nodes` answers item by item: a refusal or failure of one id
 * (budget, upstream fault) is an error at that item's path, and the other items
 * keep their data — the relay plugin's own resolver loads a whole type at once and fails the list.
 * A fully cached list still answers in one synchronous pass.
 */
export type LoadNode = (id: unknown, ctx: GatewayContext) => MaybePromise<object | null>;
const nodeLoaders = new Map<string, LoadNode>();

export function loadNodesWith(typename: string, load: LoadNode): void {
  nodeLoaders.set(typename, load);
}

/** One item of `nodes`: as the relay plugin answers it (a copy, branded with its type), or the item's error. */
function loadNode(typename: string, id: unknown, ctx: GatewayContext): MaybePromise<object | null> {
  try {
    return handleMaybePromise(
      () => nodeLoaders.get(typename)!(id, ctx),
      (v) => {
        if (v === null) return null;
        // A copy: the loaded value may be a frozen, shared cache entry, and branding writes a symbol onto it.
        const branded = { ...v };
        brandWithType(branded, typename as never);
        return branded;
      },
    );
  } catch (error) {
    return failedItem(error);
  }
}

function nodesItemByItem(
  ids: readonly { typename: string; id: unknown }[],
  ctx: GatewayContext,
  info: GraphQLResolveInfo,
): MaybePromise<object | null>[] {
  // An id of no Node type refuses the whole field before any call.
  for (const { typename } of ids) {
    assertNodeType(typename, info);
    if (!nodeLoaders.has(typename))
      throw badInput(`Not a valid global id: no node type "${typename.slice(0, 40)}"`);
  }
  // One object per distinct id, as the relay plugin gives.
  const seen = new Map<string, MaybePromise<object | null>>();
  return ids.map(({ typename, id }) => {
    const key = `${typename}:${typeof id === 'object' ? JSON.stringify(id) : String(id)}`;
    let item = seen.get(key);
    if (item === undefined) seen.set(key, (item = loadNode(typename, id, ctx)));
    return item;
  });
}

/** A global id naming a type that is not a Node of this schema is BAD_USER_INPUT (not a crash). */
function assertNodeType(typename: string, info: GraphQLResolveInfo): void {
  const type = info.schema.getType(typename);
  if (
    !isObjectType(type) ||
    !type.getInterfaces().some((i: { name: string }) => i.name === 'Node')
  ) {
    throw badInput(`Not a valid global id: no node type "${typename.slice(0, 40)}"`);
  }
}

/** The scopes a failed check wanted, and whether it was the token's account that did not match. */
function missing(failure: AuthFailure): { scopes: string[]; account: boolean } {
  if (failure.kind === AuthScopeFailureType.AuthScope) {
    return failure.scope === 'acct'
      ? { scopes: [], account: true }
      : { scopes: [failure.scope], account: false };
  }
  if (
    failure.kind === AuthScopeFailureType.AnyAuthScopes ||
    failure.kind === AuthScopeFailureType.AllAuthScopes
  ) {
    const parts = failure.failures.map(missing);
    return {
      scopes: [...new Set(parts.flatMap((p) => p.scopes))],
      account: parts.some((p) => p.account),
    };
  }
  return { scopes: [], account: false };
}

/** FORBIDDEN naming what the token lacks: the scope(s), or the account it is bound to. */
function forbidden(info: GraphQLResolveInfo, failure: AuthFailure): GraphQLError {
  const { scopes, account } = missing(failure);
  const field = `${info.parentType.name}.${info.fieldName}`;
  const message = scopes.length
    ? `${field} needs the ${scopes.map((s) => `"${s}"`).join(' or ')} scope, which this token does not have.`
    : account
      ? `${field}: this token is bound to another account.`
      : `Not authorized to resolve ${field}.`;
  return new GraphQLError(message, {
    extensions: {
      code: 'FORBIDDEN',
      ...(scopes.length ? { requiredScopes: scopes } : {}),
      ...(account ? { account: true } : {}),
    },
  });
}

export const builder = new SchemaBuilder<SchemaTypes>({
  // Directives and federation last: they must come after the plugins that wrap resolvers.
  plugins: [
    ScopeAuthPlugin,
    ErrorsPlugin,
    DataloaderPlugin,
    RelayPlugin,
    DirectivePlugin,
    FederationPlugin,
  ],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: (ctx) => ({
      read: ctx.auth.scopes.includes('read'),
      hold: ctx.auth.scopes.includes('hold'),
      buy: ctx.auth.scopes.includes('buy'),
      acct: (acctId) => ctx.auth.acctId === undefined || ctx.auth.acctId === acctId,
    }),
    unauthorizedError: (_parent, _ctx, info, result) => forbidden(info, result.failure),
  },
  errors: { defaultTypes: [] },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    encodeGlobalID: encodeGlobalId,
    decodeGlobalID: decodeGlobalId,
    nodeTypeOptions: {
      description: 'An object with a global id: fetch it again with `node(id:)`.',
    },
    pageInfoTypeOptions: { description: 'Where a page of a connection sits in the whole list.' },
    idFieldOptions: { description: 'Global id (base64 of "Type:key"); stable across requests.' },
    nodeQueryOptions: {
      description: 'Any Node by its global id; null when it does not exist.',
      resolve: (_root, { id }, _ctx, info, resolveNode) => {
        assertNodeType(id.typename, info);
        return resolveNode(id);
      },
    },
    nodesQueryOptions: {
      nullable: { list: true, items: true },
      extensions: { upstream: 'any' },
      description: 'Nodes by global id, in the order asked; null for each one that does not exist.',
      resolve: (_root, { ids }, ctx, info) => nodesItemByItem(ids, ctx, info),
    },
    cursorFieldOptions: {
      description: 'Opaque cursor of this edge: pass it as `after` (or `before`).',
    },
    nodeFieldOptions: { nullable: false, description: 'The item at this edge.' },
    edgesFieldOptions: {
      nullable: false,
      description: 'The items of this page, with their cursors.',
    },
    pageInfoFieldOptions: { description: 'Where this page sits in the whole list.' },
    hasNextPageFieldOptions: { description: 'True when items follow this page.' },
    hasPreviousPageFieldOptions: { description: 'True when items precede this page.' },
    startCursorFieldOptions: { description: 'Cursor of the first item of this page.' },
    endCursorFieldOptions: {
      description: 'Cursor of the last item of this page: pass it as `after` for the next page.',
    },
    firstArgOptions: { description: 'Page size, 0–100, counting forwards (default 50).' },
    afterArgOptions: {
      description: 'Return items after this cursor (an endCursor or edge cursor).',
    },
    lastArgOptions: {
      description: 'Page size, 0–100, counting backwards from `before` (or the end).',
    },
    beforeArgOptions: { description: 'Return items before this cursor.' },
  },
});

type IdResolve = (parent: unknown, args: unknown, ctx: unknown, info: unknown) => unknown;

/**
 * Node `id` fields answered synchronously. The relay plugin wraps every `id` in an async resolver
 * (`t.globalID`), so each Customer and Seat of an answer had a promise-valued field: graphql-js
 * then completed every such object (and its parents) through promises — for a cached dashboard,
 * 275 of them, the last async fields once the loaders answer from the cache at once. This puts the
 * same encoding back without the promise: the type's own `id.resolve`, then encodeGlobalId (what
 * the plugin's encodeGlobalID option calls). Node id fields carry no scopes or error types.
 */
export function syncNodeIds(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || !type.getInterfaces().some((i) => i.name === 'Node')) continue;
    const resolveId = (
      type.extensions?.pothosOptions as { id?: { resolve?: IdResolve } } | undefined
    )?.id?.resolve;
    const field = type.getFields().id;
    if (!resolveId || !field) continue;
    const typename = type.name;
    // A frozen parent is a shared cached value (a seat of a cached seats_sold answer): its id is
    // the same every time, so it is encoded once.
    const known = new WeakMap<object, string>();
    field.resolve = (parent, args, ctx, info) => {
      const shared = isShared(parent);
      if (shared) {
        const hit = known.get(parent);
        if (hit !== undefined) return hit;
      }
      const id = resolveId(parent, args, ctx, info);
      if (id instanceof Promise) return id.then((v) => encodeGlobalId(typename, String(v)));
      const encoded = encodeGlobalId(typename, String(id));
      if (shared) known.set(parent, encoded);
      return encoded;
    };
  }
  return schema;
}
