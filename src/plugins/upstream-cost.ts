/**
 * Cost in upstream calls, before execution: the operation is walked with the schema's cost table
 * (schema/cost.ts: @cost/@listSize-style weights by coordinate), lists sized by their arguments,
 * and the calls it would make estimated the way the loaders make them — de-duplicated by key,
 * event_details batched. Above `maxCalls` the operation is refused with QUERY_TOO_COSTLY and the
 * estimate in extensions, before any resolver (and so before any POST). The estimate is kept on
 * the context (`upstreamEstimate`) for extensions.upstream to report beside the actual calls.
 */
import {
  GraphQLError,
  Kind,
  getArgumentValues,
  getNamedType,
  isAbstractType,
  isCompositeType,
  isObjectType,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import {
  ASSUMED_EVENTS_OF_SEATS,
  FIELD_COSTS,
  type FieldCost,
  type KeySpace,
} from '../../schema/cost.js';

export interface UpstreamCostOptions {
  maxCalls: number;
  /** Names per event_details call (EVENT_BATCH_SIZE). */
  eventBatchSize: number;
  costs?: Record<string, FieldCost>;
}

export interface UpstreamEstimate {
  calls: number;
  /** Distinct objects per key space the estimate assumed. */
  keys: Record<KeySpace, number>;
}

interface Tally {
  literal: Record<KeySpace, Set<string>>;
  distinct: Record<KeySpace, number>;
  repeating: Record<KeySpace, number>;
  /** Weighted fields: coordinate + arguments → parent objects and the parent's key space. */
  groups: Map<string, { weight: number; occurrences: number; space?: KeySpace }>;
}

const SPACES: KeySpace[] = ['Customer', 'Event', 'Cart', 'Seat'];
const KEYED = new Set<string>(SPACES);

function emptyTally(): Tally {
  const per = <T>(make: () => T) =>
    Object.fromEntries(SPACES.map((s) => [s, make()])) as Record<KeySpace, T>;
  return {
    literal: per(() => new Set<string>()),
    distinct: per(() => 0),
    repeating: per(() => 0),
    groups: new Map(),
  };
}

/** "Type:key" of a global id, or undefined (a bad id fails in its resolver, at no upstream cost). */
function decodeId(id: unknown): { typename: string; key: string } | undefined {
  if (typeof id !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(id)) return undefined;
  const m = /^([A-Z][A-Za-z]*):(.+)$/s.exec(Buffer.from(id, 'base64').toString('utf8'));
  return m ? { typename: m[1], key: m[2] } : undefined;
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}

function sizeOf(
  listSize: NonNullable<FieldCost['listSize']>,
  args: Record<string, unknown>,
): number {
  for (const a of listSize.slicingArguments ?? []) {
    const n = args[a];
    if (typeof n === 'number' && Number.isFinite(n) && n >= 0) return n;
  }
  return listSize.assumedSize;
}

class Walker {
  readonly tally = emptyTally();
  private readonly fragments = new Map<string, FragmentDefinitionNode>();

  constructor(
    private readonly schema: GraphQLSchema,
    document: DocumentNode,
    private readonly variables: Record<string, unknown>,
    private readonly costs: Record<string, FieldCost>,
  ) {
    for (const d of document.definitions)
      if (d.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(d.name.value, d);
  }

  /**
   * `count` objects of `type` (and, for an abstract type, how many of each concrete type when
   * known: node/nodes by their ids). Fragments are followed at most `depth` deep.
   */
  walk(
    set: SelectionSetNode,
    type: GraphQLCompositeType,
    count: number,
    byType: Map<string, number> | undefined,
    seen: Set<string>,
  ): void {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value.startsWith('__') || !('getFields' in type)) continue;
        this.field(sel, type, count);
      } else {
        let frag:
          | { typeCondition?: { name: { value: string } }; selectionSet: SelectionSetNode }
          | undefined;
        if (sel.kind === Kind.INLINE_FRAGMENT) frag = sel;
        else if (!seen.has(sel.name.value)) frag = this.fragments.get(sel.name.value);
        if (!frag) continue;
        const next = sel.kind === Kind.FRAGMENT_SPREAD ? new Set(seen).add(sel.name.value) : seen;
        const cond = frag.typeCondition ? this.schema.getType(frag.typeCondition.name.value) : type;
        if (!cond || !isCompositeType(cond)) continue;
        // A concrete type under node/nodes: only the ids of that type.
        const n = byType && isObjectType(cond) ? (byType.get(cond.name) ?? 0) : count;
        if (n > 0)
          this.walk(frag.selectionSet, cond, n, isAbstractType(cond) ? byType : undefined, next);
      }
    }
  }

  private field(
    node: import('graphql').FieldNode,
    parent: GraphQLCompositeType & {
      getFields(): Record<string, import('graphql').GraphQLField<unknown, unknown>>;
    },
    count: number,
  ): void {
    const def = parent.getFields()[node.name.value];
    if (!def) return;
    const cost = this.costs[`${parent.name}.${def.name}`];
    let args: Record<string, unknown> = {};
    if (def.args.length > 0) {
      try {
        args = getArgumentValues(def, node, this.variables);
      } catch {
        args = {}; // bad arguments fail in execution, before any call
      }
    }
    let items = 1;
    let byType: Map<string, number> | undefined;
    const t = this.tally;
    if (cost?.weight) {
      const key = `${parent.name}.${def.name}(${JSON.stringify(args)})`;
      const group = t.groups.get(key) ?? {
        weight: cost.weight,
        occurrences: 0,
        ...(KEYED.has(parent.name) ? { space: parent.name as KeySpace } : {}),
      };
      group.occurrences += count;
      t.groups.set(key, group);
    }
    const loads = cost?.loads;
    if (loads && 'keysArg' in loads && loads.keysArg !== undefined) {
      const keys = listOf(args[loads.keysArg]);
      items = Array.isArray(args[loads.keysArg]) ? keys.length : 1;
      if (loads.space === 'globalIds') {
        byType = new Map();
        for (const id of keys) {
          const d = decodeId(id);
          if (!d) continue;
          byType.set(d.typename, (byType.get(d.typename) ?? 0) + count);
          if (KEYED.has(d.typename)) t.literal[d.typename as KeySpace].add(d.key);
          if (d.typename === 'Seat') t.literal.Event.add(d.key.split('|')[0]);
        }
      } else {
        for (const k of keys) t.literal[loads.space].add(String(k).trim().toUpperCase());
      }
    }
    if (cost?.listSize) {
      const size = sizeOf(cost.listSize, args);
      if (!cost.listSize.sizedFields) items = size;
      if (loads && 'derived' in loads) this.derive(loads.space, loads.derived, count * size);
      const type = getNamedType(def.type);
      if (node.selectionSet && isCompositeType(type))
        this.walkSized(node.selectionSet, type, count, size, cost.listSize.sizedFields);
      return;
    }
    if (loads && 'derived' in loads) this.derive(loads.space, loads.derived, count);
    const type = getNamedType(def.type);
    if (node.selectionSet && isCompositeType(type))
      this.walk(node.selectionSet, type, count * items, byType, new Set());
  }

  /** A connection: its sized fields (edges, nodes) hold `size` items per parent, the rest one. */
  private walkSized(
    set: SelectionSetNode,
    type: GraphQLCompositeType,
    count: number,
    size: number,
    sizedFields: string[] | undefined,
  ): void {
    if (!sizedFields) {
      this.walk(set, type, count * size, undefined, new Set());
      return;
    }
    if (!('getFields' in type)) return;
    for (const sel of set.selections) {
      if (sel.kind !== Kind.FIELD || !sel.selectionSet) continue;
      const def = type.getFields()[sel.name.value];
      if (!def) continue;
      const inner = getNamedType(def.type);
      if (!isCompositeType(inner)) continue;
      this.walk(
        sel.selectionSet,
        inner,
        sizedFields.includes(def.name) ? count * size : count,
        undefined,
        new Set(),
      );
    }
  }

  private derive(space: KeySpace, how: 'distinct' | 'repeating', n: number): void {
    if (how === 'distinct') this.tally.distinct[space] += n;
    else this.tally.repeating[space] += n;
  }
}

function distinctKeys(t: Tally): Record<KeySpace, number> {
  const assumed: Record<KeySpace, number> = {
    Event: ASSUMED_EVENTS_OF_SEATS,
    Customer: 0,
    Cart: 0,
    Seat: 0,
  };
  return Object.fromEntries(
    SPACES.map((s) => [
      s,
      t.literal[s].size + t.distinct[s] + Math.min(t.repeating[s], assumed[s]),
    ]),
  ) as Record<KeySpace, number>;
}

export function estimateUpstreamCalls(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
  opts: Pick<UpstreamCostOptions, 'eventBatchSize' | 'costs'>,
): UpstreamEstimate {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const operation =
    operations.length === 1
      ? operations[0]
      : operations.find((o) => o.name?.value === operationName);
  const root = operation && schema.getRootType(operation.operation);
  const walker = new Walker(schema, document, variables ?? {}, opts.costs ?? FIELD_COSTS);
  if (operation && root) walker.walk(operation.selectionSet, root, 1, undefined, new Set());
  const t = walker.tally;
  const keys = distinctKeys(t);
  let calls =
    keys.Customer +
    keys.Cart +
    keys.Seat +
    Math.ceil(keys.Event / Math.max(1, opts.eventBatchSize));
  for (const g of t.groups.values())
    calls += g.weight * (g.space ? Math.min(g.occurrences, keys[g.space]) : g.occurrences);
  return { calls, keys };
}

interface EstimateContext {
  upstreamEstimate?: number;
}

export function tooCostly(estimate: number, maxCalls: number): GraphQLError {
  return new GraphQLError(
    `This operation would make about ${estimate} upstream calls; the limit is ${maxCalls} (GRAPHQL_MAX_UPSTREAM_CALLS). Ask for fewer items or split it.`,
    {
      extensions: {
        code: 'QUERY_TOO_COSTLY',
        estimatedUpstreamCalls: estimate,
        maxUpstreamCalls: maxCalls,
        http: { status: 400 },
      },
    },
  );
}

export function useUpstreamCost(opts: UpstreamCostOptions): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const { calls } = estimateUpstreamCalls(
        args.schema,
        args.document,
        args.operationName,
        args.variableValues as Record<string, unknown> | undefined,
        opts,
      );
      const ctx = args.contextValue as EstimateContext;
      ctx.upstreamEstimate = calls;
      if (calls > opts.maxCalls)
        setResultAndStopExecution({ errors: [tooCostly(calls, opts.maxCalls)] });
    },
  };
}
