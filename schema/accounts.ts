/**
 * Objects of one account (a Customer, a Cart) are refused to a token bound to another account
 * where they are produced: the field, or the list item, that would answer one answers a FORBIDDEN
 * error value instead — one error at the object's path, before any of its fields resolves.
 *
 * Why not Pothos's type auth scopes: `runScopesOnType` checks on `isTypeOf`, which graphql-jit
 * calls without the context (zalando-incubator/graphql-jit#160; src/plugins/compiled-execution.ts),
 * and the per-field form reports one error per selected field, as many as graphql-jit finds but only
 * the first non-null one under graphql-js. An error value is answered alike by both executors.
 *
 * A type declares its owner with `extensions: ownedBy((value) => value.acctId)` (undefined: no
 * owner, anyone may see it); `guardAccounts` wraps every field whose type may hold such an object.
 */
import { handleMaybePromise, isPromise } from '@whatwg-node/promise-helpers';
import {
  GraphQLError,
  defaultFieldResolver,
  defaultTypeResolver,
  getNamedType,
  isAbstractType,
  isObjectType,
  type GraphQLAbstractType,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from 'graphql';
import type { GatewayContext } from '../src/context.js';

const OWNED_BY = 'ownedBy';
type AccountOf = (value: never) => number | undefined;

/** A type's `extensions`: the account its objects belong to. */
export function ownedBy<T>(accountOf: (value: T) => number | undefined): {
  [OWNED_BY]: AccountOf;
} {
  return { [OWNED_BY]: accountOf as AccountOf };
}

const accountOfType = (type: unknown): AccountOf | undefined =>
  isObjectType(type)
    ? ((type.extensions as Record<string, unknown> | undefined)?.[OWNED_BY] as
        AccountOf | undefined)
    : undefined;

/** FORBIDDEN: the token is bound to another account (named by the field that produced the object). */
export function accountForbidden(info: GraphQLResolveInfo): GraphQLError {
  return new GraphQLError(
    `${info.parentType.name}.${info.fieldName}: this token is bound to another account.`,
    { extensions: { code: 'FORBIDDEN', account: true } },
  );
}

/** Wraps every field whose type may hold an owned object; returns the schema. */
export function guardAccounts(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      const owned = isAbstractType(named)
        ? schema.getPossibleTypes(named).some((t) => accountOfType(t))
        : accountOfType(named) !== undefined;
      if (!owned) continue;
      field.resolve = guarded(field.resolve ?? defaultFieldResolver, named);
    }
  }
  return schema;
}

function guarded(
  resolve: GraphQLFieldResolver<unknown, GatewayContext>,
  returnType: ReturnType<typeof getNamedType>,
): GraphQLFieldResolver<unknown, GatewayContext> {
  return (source, args, ctx, info) => {
    const bound = ctx.auth.acctId;
    if (bound === undefined) return resolve(source, args, ctx, info);
    const check = (value: unknown): unknown =>
      handleMaybePromise(
        () => ownerOf(value, returnType, ctx, info),
        (owner) => (owner !== undefined && owner !== bound ? accountForbidden(info) : value),
      );
    return handleMaybePromise(
      () => resolve(source, args, ctx, info),
      (result) =>
        Array.isArray(result)
          ? result.map((item) => (isPromise(item) ? item.then(check) : check(item)))
          : check(result),
    );
  };
}

/** The account of a value of `type` (an abstract type: of the object type it resolves to). */
function ownerOf(
  value: unknown,
  type: ReturnType<typeof getNamedType>,
  ctx: GatewayContext,
  info: GraphQLResolveInfo,
): number | undefined | Promise<number | undefined> {
  if (value === null || typeof value !== 'object' || value instanceof Error) return undefined;
  if (!isAbstractType(type)) return accountOfType(type)?.(value as never);
  const abstract = type as GraphQLAbstractType;
  // As the executors resolve it: the type's resolveType, else `__typename` or the types' isTypeOf.
  return handleMaybePromise(
    () => (abstract.resolveType ?? defaultTypeResolver)(value, ctx, info, abstract),
    (name) => {
      const object = typeof name === 'string' ? info.schema.getType(name) : undefined;
      return accountOfType(object as GraphQLObjectType | undefined)?.(value as never);
    },
  );
}
