/**
 * The one Pothos SchemaBuilder. It defines no types itself: every type lives in schema/types/
 * (one file per type, with the root fields that return it), and schema/index.ts imports them all.
 *
 * Plugins: scope-auth (scopes read / hold / buy, and `acct` for tokens bound to one account),
 * errors (typed business failures as result unions, for mutations), relay (global ids, Node,
 * node/nodes, connections), directives + federation (entity keys, for serving the
 * schema as an Apollo Federation v2 subgraph: schema/federation.ts; applied directives are not
 * printed in schema/schema.graphql). To add a plugin list it here.
 */
import SchemaBuilder from '@pothos/core';
import DirectivePlugin from '@pothos/plugin-directives';
import ErrorsPlugin from '@pothos/plugin-errors';
import FederationPlugin from '@pothos/plugin-federation';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin, { AuthScopeFailureType, type AuthFailure } from '@pothos/plugin-scope-auth';
import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { badInput } from '../resolvers/errors.js';
import type { GatewayContext } from '../src/context.js';
import { accountForbidden } from './accounts.js';
import { assertNodeType, decodeGlobalId, encodeGlobalId, nodesItemByItem } from './nodes.js';

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

export { brandable, decodeGlobalId, encodeGlobalId, syncNode } from './nodes.js';
export { ownedBy } from './accounts.js';

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
  if (!scopes.length && account) return accountForbidden(info);
  const field = `${info.parentType.name}.${info.fieldName}`;
  const message = scopes.length
    ? `${field} needs the ${scopes.map((s) => `"${s}"`).join(' or ')} scope, which this token does not have.`
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
  plugins: [ScopeAuthPlugin, ErrorsPlugin, RelayPlugin, DirectivePlugin, FederationPlugin],
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
