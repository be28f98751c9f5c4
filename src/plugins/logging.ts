/**
 * One structured log line per GraphQL operation, written when its answer is complete (after the
 * last @defer/@stream payload): request id (the x-request-id echoed to the client), operation
 * name and type, duration, error codes, and the upstream work of the operation (its trace: calls,
 * polls, retries, cache hits). Each upstream command has its own line from the command client,
 * with the same request id. Nothing here reads a header, a variable or the key.
 */
import { getOperationAST, type ExecutionResult, type GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { newTrace, type UpstreamTrace } from '../archtics/types.js';
import type { Logger } from '../logger.js';
import { requestIdOf } from './request-id.js';
import { isResponseCacheHit } from './response-cache.js';

export interface OperationLogLine {
  requestId: string;
  operationName: string | null;
  operationType?: string;
  durationMs: number;
  outcome: 'ok' | 'error';
  /** extensions.code of every error of the answer (each once, in order of appearance). */
  errorCodes: string[];
  /**
   * Upstream work of the operation; absent when it never reached execution — except a response
   * cache hit, which did no upstream work at all (zeros, and responseCacheHit).
   */
  upstream?: UpstreamTrace;
  /** Answered whole from the response cache (no execution). */
  responseCacheHit?: true;
  /** Payloads sent, when the answer was incremental (@defer/@stream). */
  payloads?: number;
  /** The stream stopped before its last payload (client gone, or it failed). */
  cutShort?: boolean;
  /** The client went away (the request was aborted) before the answer was complete. */
  aborted?: boolean;
}

interface OperationState {
  startedAt: number;
  operationName?: string | null;
  operationType?: string;
  trace?: UpstreamTrace;
}

type Payload = ExecutionResult & {
  hasNext?: boolean;
  incremental?: readonly { errors?: readonly GraphQLError[] }[];
  completed?: readonly { errors?: readonly GraphQLError[] }[];
};

function codesOf(payload: Payload, into: Set<string>): void {
  const errors = [
    ...(payload.errors ?? []),
    ...(payload.incremental ?? []).flatMap((i) => i.errors ?? []),
    ...(payload.completed ?? []).flatMap((c) => c.errors ?? []),
  ];
  for (const e of errors)
    into.add(typeof e.extensions?.code === 'string' ? e.extensions.code : 'UNKNOWN');
}

export function useOperationLog(opts: { logger: Logger; now?: () => number }): Plugin {
  const now = opts.now ?? (() => performance.now());
  const operations = new WeakMap<Request, OperationState>();
  const stateOf = (request: Request): OperationState => {
    let state = operations.get(request);
    if (!state) operations.set(request, (state = { startedAt: now() }));
    return state;
  };

  function write(
    request: Request,
    params: { operationName?: string | null } | undefined,
    codes: Set<string>,
    extra: Partial<OperationLogLine> = {},
  ): void {
    const state = stateOf(request);
    const aborted = request.signal?.aborted === true;
    const line: OperationLogLine = {
      requestId: requestIdOf(request),
      operationName: state.operationName ?? params?.operationName ?? null,
      ...(state.operationType ? { operationType: state.operationType } : {}),
      durationMs: Math.round(now() - state.startedAt),
      outcome: codes.size === 0 && !extra.cutShort && !aborted ? 'ok' : 'error',
      errorCodes: [...codes],
      ...(state.trace ? { upstream: { ...state.trace } } : {}),
      ...extra,
      ...(aborted ? { aborted } : {}),
    };
    if (line.outcome === 'ok') opts.logger.info(line, 'graphql operation');
    else opts.logger.warn(line, 'graphql operation');
  }

  return {
    onRequest({ request }) {
      stateOf(request);
    },
    onParams({ request, params }) {
      // A response-cache hit is never parsed: the request's own operation name is all there is.
      const state = stateOf(request);
      state.operationName ??= params.operationName ?? undefined;
    },
    onExecute({ args }) {
      const ctx = args.contextValue as { request?: Request; trace?: UpstreamTrace };
      if (!ctx.request) return;
      const state = stateOf(ctx.request);
      const operation = getOperationAST(args.document, args.operationName);
      state.operationName = operation?.name?.value ?? args.operationName ?? null;
      state.operationType = operation?.operation;
      state.trace = ctx.trace;
    },
    onExecutionResult({ request, result, setResult, context }) {
      const params = (context as { params?: { operationName?: string | null } }).params;
      const codes = new Set<string>();
      if (!result) return;
      if (!isAsyncIterable(result)) {
        codesOf(result as Payload, codes);
        write(
          request,
          params,
          codes,
          isResponseCacheHit(result) ? { upstream: newTrace(), responseCacheHit: true } : {},
        );
        return;
      }
      setResult(
        (async function* observe() {
          let payloads = 0;
          let last: Payload | undefined;
          try {
            for await (const payload of result) {
              payloads++;
              last = payload as Payload;
              codesOf(last, codes);
              yield payload;
            }
          } finally {
            // Runs when the stream ends, fails, or the client goes away (return()).
            write(request, params, codes, {
              payloads,
              ...(last?.hasNext === false ? {} : { cutShort: true }),
            });
          }
        })(),
      );
    },
  };
}
