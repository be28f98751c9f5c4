/**
 * Cost reporting, like GitHub's `rateLimit`: every response says what it cost upstream and what
 * budget is left —
 *
 *   extensions.upstream = { estimatedCalls, calls, polls, retries, cacheHits, refreshHits, staleServes, minuteRemaining, dayRemaining, responseCacheHit }
 *
 * refreshHits (only when some): of the cache hits, answers the refresher had renewed ahead of
 * expiry. The refresher's own calls are on no operation's trace (no caller waited for them);
 * /metrics counts them.
 *   extensions.stale    = { ageSeconds }   only when some answer was served stale (upstream refusing)
 *
 * The counts come from the operation's trace (context.trace; the client and the cache add to it),
 * estimatedCalls is what src/plugins/upstream-cost.ts expected before execution (POSTs, polls
 * included: compare it with calls + polls), the budget from the limiter's snapshot (context.quota(): no upstream call). A superset of
 * upstream-trace.ts's report, meant to replace it. With @defer/@stream every payload carries the
 * counts so far; the last one has the totals.
 */
import { handleMaybePromise, type MaybePromise } from '@whatwg-node/promise-helpers';
import type { Plugin } from 'graphql-yoga';
import { isAsyncIterable } from 'graphql-yoga';
import { newTrace, type UpstreamTrace } from '../archtics/types.js';
import { staleExtension } from '../cache/stale.js';
import type { QuotaSnapshot } from '../quota/types.js';

interface TraceContext {
  trace?: UpstreamTrace;
  /** The operation's estimated upstream calls (src/plugins/upstream-cost.ts). */
  upstreamEstimate?: number;
  quota?: () => MaybePromise<QuotaSnapshot>;
}

export interface UpstreamReport {
  /** Estimated before execution (POSTs including expected polls); null when not estimated. */
  estimatedCalls: number | null;
  calls: number;
  polls: number;
  retries: number;
  cacheHits: number;
  /** Of cacheHits, answers renewed ahead of expiry by the refresher; absent when none. */
  refreshHits?: number;
  staleServes: number;
  /** null when the budget store could not be read (or is unlimited). */
  minuteRemaining: number | null;
  dayRemaining: number | null;
  /** True when the whole answer came from the response cache (nothing executed, nothing read). */
  responseCacheHit: boolean;
}

export interface UpstreamExtensionsOptions {
  /**
   * The budget snapshot; default the context's `quota()`. When it answers at once (an in-process
   * limiter), the report is added without a promise hop, so a cached operation's result is
   * finished in the same pass that executed it.
   */
  quota?: () => MaybePromise<QuotaSnapshot>;
}

const finiteOrNull = (n: number | undefined) => (n !== undefined && Number.isFinite(n) ? n : null);

/**
 * The report of one operation (exported for tests and for other transports): at once when `quota`
 * answers at once. A budget store outage never fails the response that already has its data.
 */
export function upstreamReport(
  trace: UpstreamTrace,
  quota?: () => MaybePromise<QuotaSnapshot>,
  estimate?: number,
): MaybePromise<UpstreamReport> {
  return handleMaybePromise(
    () => quota?.(),
    (snapshot) => reportOf(trace, snapshot, estimate),
    () => reportOf(trace, undefined, estimate),
  );
}

/** The report of an answer served whole from the response cache: no work, the budget as it is now. */
export function responseCacheHitReport(snapshot: QuotaSnapshot | undefined): UpstreamReport {
  return { ...reportOf(newTrace(), snapshot, 0), responseCacheHit: true };
}

function reportOf(
  trace: UpstreamTrace,
  snapshot: QuotaSnapshot | undefined,
  estimate: number | undefined,
): UpstreamReport {
  return {
    estimatedCalls: estimate ?? null,
    calls: trace.calls,
    polls: trace.polls,
    retries: trace.retries,
    cacheHits: trace.cacheHits,
    ...(trace.refreshHits ? { refreshHits: trace.refreshHits } : {}),
    staleServes: trace.staleServes,
    minuteRemaining: finiteOrNull(snapshot?.minuteRemaining),
    dayRemaining: finiteOrNull(snapshot?.dayRemaining),
    responseCacheHit: false,
  };
}

export function useUpstreamExtensions(opts: UpstreamExtensionsOptions = {}): Plugin<TraceContext> {
  return {
    onExecute({ args }) {
      const ctx = args.contextValue as TraceContext;
      const trace = ctx.trace;
      if (!trace) return;
      const quota = opts.quota ?? ctx.quota;
      const extend = <R extends { extensions?: Record<string, unknown> }>(
        result: R,
      ): MaybePromise<R> =>
        handleMaybePromise(
          () => upstreamReport(trace, quota, ctx.upstreamEstimate),
          (upstream) => {
            const stale = staleExtension(trace);
            return {
              ...result,
              extensions: { ...result.extensions, upstream, ...(stale ? { stale } : {}) },
            };
          },
        );
      return {
        onExecuteDone({ result, setResult }) {
          if (isAsyncIterable(result)) {
            return {
              onNext: ({ result: next, setResult: setNext }) =>
                handleMaybePromise(() => extend(next), setNext),
            };
          }
          return handleMaybePromise(() => extend(result), setResult);
        },
      };
    },
  };
}
