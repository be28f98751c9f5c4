/**
 * Compiled execution: a query document that comes back is compiled once by graphql-jit into a
 * function that resolves its fields without graphql-js's per-field interpretation and builds plain
 * result objects (which also serialise faster than graphql-js's null-prototype ones).
 *
 * What is compiled, and why not everything:
 *   - queries only (a mutation runs once and is not where the time goes), with one operation in
 *     the document, and no @defer / @stream (graphql-jit cannot deliver incrementally);
 *   - on a document's `afterUses`-th execution: a compile costs several executions, so a caller
 *     sending ever-new documents never makes the gateway compile;
 *   - at most `maxFields` fields a document, and at most `maxCompiled` compiled documents (least
 *     recently used first out): compiled code is about a hundred times the size of its document.
 * The rest runs on the usual executor, with the same answers.
 *
 * Known limits of graphql-jit this schema respects (test/graphql/compiled-execution.test.ts):
 *   - `isTypeOf` is called without the context (graphql-jit#160), so type auth scopes run on each
 *     field (Pothos's default), not on `isTypeOf` (`runScopesOnType`);
 *   - a list item that is a rejected promise lands at the end of the list, so list resolvers
 *     answer a failed item as an Error value (`settled`, src/loaders/peeking.ts), which both
 *     executors put at the item's path.
 */
import { Kind, getOperationAST, visit, BREAK, type DocumentNode } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';
import { isPromise } from '@whatwg-node/promise-helpers';
import { LRUCache } from 'lru-cache';

export interface CompiledExecutionOptions {
  /** Compile a document on this execution of it (1: the first). 0 turns compiled execution off. */
  afterUses: number;
  /** Most compiled documents kept (default 64). */
  maxCompiled?: number;
  /** Documents with more fields than this are never compiled (default 300). */
  maxFields?: number;
}

/** Why not compiled, or undefined when it may be. */
function notCompilable(
  document: DocumentNode,
  operationName: string | null | undefined,
  maxFields: number,
): string | undefined {
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1) return 'operations';
  const op = getOperationAST(document, operationName);
  if (!op || op.operation !== 'query') return 'not a query';
  let why: string | undefined;
  let fields = 0;
  visit(document, {
    Field() {
      if (++fields > maxFields) {
        why = 'fields';
        return BREAK;
      }
      return undefined;
    },
    Directive(node) {
      if (node.name.value === 'defer' || node.name.value === 'stream') {
        why = 'incremental';
        return BREAK;
      }
      return undefined;
    },
  });
  return why;
}

export function useCompiledExecution(options: CompiledExecutionOptions): Plugin {
  const { afterUses, maxCompiled = 64, maxFields = 300 } = options;
  if (!(afterUses > 0) || !(maxCompiled > 0)) return {};
  /** Executions so far of documents not yet compiled. */
  const uses = new WeakMap<DocumentNode, number>();
  /** A document's compiled query, or false: it runs on the usual executor. */
  const compiled = new LRUCache<DocumentNode, CompiledQuery | false>({ max: maxCompiled });

  const compiledFor = (
    document: DocumentNode,
    operationName: string | null | undefined,
    schema: Parameters<typeof compileQuery>[0],
  ): CompiledQuery | false | undefined => {
    const known = compiled.get(document);
    if (known !== undefined) return known;
    const n = (uses.get(document) ?? 0) + 1;
    if (n < afterUses) {
      uses.set(document, n);
      return undefined;
    }
    uses.delete(document);
    let entry: CompiledQuery | false = false;
    if (notCompilable(document, operationName, maxFields) === undefined) {
      const result = compileQuery(schema, document, operationName ?? undefined, {
        disablingCapturingStackErrors: true,
        useExperimentalPathBasedSkipInclude: true,
      });
      if (isCompiledQuery(result)) entry = result;
    }
    compiled.set(document, entry);
    return entry;
  };

  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const entry = compiledFor(args.document, args.operationName, args.schema);
      if (!entry) return;
      setExecuteFn((a) => {
        const result = entry.query(a.rootValue, a.contextValue, a.variableValues);
        // Variables it refuses (no data, before any field): the usual executor says why, in its words.
        return isPromise(result) || 'data' in result ? result : executeFn(a);
      });
    },
  };
}
