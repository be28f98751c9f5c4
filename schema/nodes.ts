/**
 * Global ids and `nodes(ids:)` — the schema's one home of sync paths of its own. A fully cached
 * operation should execute in one synchronous pass (no promise per field, no half-built result
 * kept across event-loop turns); the relay plugin answers both of these with a promise, so:
 *
 *   - `nodes(ids:)` answers item by item (the plugin's own resolver is its documented
 *     `nodesQueryOptions.resolve` hook): each id through its type's `loadNode`, a value at once
 *     when this operation or the cache has it, else its promise; a refusal or failure of one id
 *     (budget, upstream fault) is an error at that item's path and the other items keep their data
 *     — the plugin's resolver loads a whole type at once and fails the list.
 *   - Node `id` fields: the plugin wraps every `id` in an async resolver (`t.globalID`); the same
 *     encoding is put back without the promise, from the type's own `localId`.
 *
 * A Node type declares both in its options, `extensions: syncNode(localId, loadNode)` (public
 * GraphQL type extensions, read back from the built schema). Values or promises are handled by
 * handleMaybePromise. test/cache/sync-answers.test.ts asserts a cached dashboard stays synchronous.
 */
import { brandWithType } from '@pothos/core';
import { handleMaybePromise, type MaybePromise } from '@whatwg-node/promise-helpers';
import {
  isObjectType,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from 'graphql';
import { badInput } from '../resolvers/errors.js';
import type { GatewayContext } from '../src/context.js';
import { failedItem, isShared, settledItems } from '../src/loaders/index.js';

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

/** One id of a Node type, loaded: the value at once when known now, else its promise. */
export type LoadNode = (id: unknown, ctx: GatewayContext) => MaybePromise<object | null>;

interface SyncNode {
  /** The local id of a value (what the type's `id.resolve` gives). */
  localId: (node: never) => string | number | bigint;
  loadNode: LoadNode;
}

const SYNC_NODE = 'syncNode';

/** A Node type's `extensions`: how its id is encoded at once and one id is loaded for `nodes`. */
export function syncNode<T>(
  localId: (node: T) => string | number | bigint,
  loadNode: (id: never, ctx: GatewayContext) => MaybePromise<object | null>,
): { [SYNC_NODE]: SyncNode } {
  return {
    [SYNC_NODE]: { localId: localId as SyncNode['localId'], loadNode: loadNode as LoadNode },
  };
}

function syncNodeOf(type: unknown): SyncNode | undefined {
  return isObjectType(type)
    ? ((type.extensions as Record<string, unknown> | undefined)?.[SYNC_NODE] as
        SyncNode | undefined)
    : undefined;
}

/**
 * `nodes(ids:)`: one value or promise per id, in the order asked (one object per distinct id); a
 * failed id is an Error value at its place (settledItems).
 */
export function nodesItemByItem(
  ids: readonly { typename: string; id: unknown }[],
  ctx: GatewayContext,
  info: GraphQLResolveInfo,
): MaybePromise<object | null>[] {
  // An id of no Node type refuses the whole field before any call.
  const loads = new Map<string, LoadNode>();
  for (const { typename } of ids) {
    assertNodeType(typename, info);
    const load = syncNodeOf(info.schema.getType(typename))?.loadNode;
    if (!load) throw badInput(`Not a valid global id: no node type "${typename.slice(0, 40)}"`);
    loads.set(typename, load);
  }
  const seen = new Map<string, MaybePromise<object | null>>();
  return settledItems(
    ids.map(({ typename, id }) => {
      const key = `${typename}:${typeof id === 'object' ? JSON.stringify(id) : String(id)}`;
      let item = seen.get(key);
      if (item === undefined)
        seen.set(key, (item = loadNode(loads.get(typename)!, typename, id, ctx)));
      return item;
    }),
  );
}

/** One item of `nodes`: as the relay plugin answers it (a copy, branded with its type), or the item's error. */
function loadNode(
  load: LoadNode,
  typename: string,
  id: unknown,
  ctx: GatewayContext,
): MaybePromise<object | null> {
  try {
    return handleMaybePromise(
      () => load(id, ctx),
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

/** A global id naming a type that is not a Node of this schema is BAD_USER_INPUT (not a crash). */
export function assertNodeType(typename: string, info: GraphQLResolveInfo): void {
  const type = info.schema.getType(typename);
  if (
    !isObjectType(type) ||
    !type.getInterfaces().some((i: { name: string }) => i.name === 'Node')
  ) {
    throw badInput(`Not a valid global id: no node type "${typename.slice(0, 40)}"`);
  }
}

/**
 * Node `id` fields answered synchronously: every Node type declaring syncNode gets its `id`
 * resolved as encodeGlobalId(type, localId(parent)) — what the plugin's encodeGlobalID option
 * gives, without the promise. Node id fields carry no scopes or error types.
 */
export function syncNodeIds(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    const sync = syncNodeOf(type);
    const field = sync && (type as GraphQLObjectType).getFields().id;
    if (!sync || !field) continue;
    const typename = type.name;
    const localId = sync.localId as (node: unknown) => string | number | bigint;
    // A shared parent is a cached value (a seat of a cached seats_sold answer): its id is the
    // same every time, so it is encoded once.
    const known = new WeakMap<object, string>();
    field.resolve = (parent: object) => {
      const shared = isShared(parent);
      if (shared) {
        const hit = known.get(parent);
        if (hit !== undefined) return hit;
      }
      const encoded = encodeGlobalId(typename, localId(parent));
      if (shared) known.set(parent, encoded);
      return encoded;
    };
  }
  return schema;
}
