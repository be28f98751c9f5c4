/**
 * The per-request context every resolver sees: a command API bound to this operation (its trace,
 * request id and abort signal), fresh DataLoaders over that API, the caller's auth, and a quota
 * snapshot. Built by src/server.ts for every request; nothing in it outlives the request.
 */
import { GraphQLError } from 'graphql';
import { setMaxListeners } from 'node:events';
import type { AuthInfo } from './auth.js';
import { createIdempotency, type Idempotency } from './idempotency/index.js';
import type {
  CommandDef,
  CommandRunner,
  Provenance,
  RunOptions,
  UpstreamTrace,
} from './archtics/types.js';
import { newProvenance, newTrace, noteRead } from './archtics/types.js';
import { bindRunner } from './archtics/commands/index.js';
import { createLoaders, InflightTracker, type GatewayApi, type Loaders } from './loaders/index.js';
import type { Drain } from './drain.js';
import type { Logger } from './logger.js';
import type { QuotaSnapshot } from './quota/types.js';
import { MemoryCartOwnerStore, type CartOwnerStore } from './store/index.js';

export interface GatewayContext {
  requestId: string;
  auth: AuthInfo;
  /** Typed commands, bound to this operation's trace, request id and signal. */
  api: GatewayApi;
  /**
   * The same commands without the cross-request cache: for reads whose answer must be current
   * (settling a payment whose outcome is unknown, reading a record before replacing it).
   */
  freshApi: GatewayApi;
  loaders: Loaders;
  /** Upstream work of this operation (reported as extensions.upstream). */
  trace: UpstreamTrace;
  /** What this operation's answer is built from: how long it stays fresh, which writes evict it (the response cache). */
  provenance: Provenance;
  /** Calls left this minute and today, queue length: no upstream call. */
  quota: () => Promise<QuotaSnapshot>;
  logger: Logger;
  /** Keyed writes (payments): records written before the send. */
  idempotency: Idempotency;
  /** Who made each cart and what it held (src/store/): durable, shared by replicas with Redis. */
  carts: CartOwnerStore;
  /** Keyed writes in flight, for a shutdown that waits for them and reports the unknown ones. */
  drain?: Drain;
  /** ISO 4217 code of the service's amounts (ARCHTICS_CURRENCY). */
  currency: string;
}

/** Turns a runner into the typed command API (createArchticsApi in production). */
export type ApiFactory = (runner: CommandRunner, defaults: RunOptions) => GatewayApi;

export interface ContextDeps {
  runner: CommandRunner;
  createApi: ApiFactory;
  quota: () => Promise<QuotaSnapshot>;
  eventBatchSize: number;
  logger: Logger;
  /** The runner under the cache (the client), for freshApi; default `runner`. */
  freshRunner?: CommandRunner;
  /** Default: one in-process store shared by every context of this process. */
  idempotency?: Idempotency;
  /**
   * Upstream calls (POSTs and polls) one operation may make: the estimate refuses costlier
   * operations before they run (src/plugins/upstream-cost.ts); this holds one whose estimate
   * guessed low to the same limit while it runs. Default: no limit.
   */
  maxCallsPerOperation?: number;
  /** Default: one in-process store shared by every context of this process. */
  carts?: CartOwnerStore;
  drain?: Drain;
  /** Epoch ms on the command cache's clock (Provenance.startedAt); default Date.now. */
  now?: () => number;
  /** ISO 4217 code of the service's amounts (default USD). */
  currency?: string;
  /**
   * One deadline per GraphQL operation (GRAPHQL_OPERATION_DEADLINE_MS), on the same clock: every
   * upstream read in it shares it (its RunOptions.deadline), so retries, polls and budget waits
   * stop there together. Writes keep theirs: a write once sent is followed to its outcome.
   * Default: none (each read has only its own).
   */
  operationDeadlineMs?: number;
  /** A read's own deadline (ARCHTICS_READ_DEADLINE_MS): a read's deadline is the earlier of the two. Default 30 s. */
  readDeadlineMs?: number;
}

/** A runner whose reads are never cacheable above it (the fresh, uncached one). */
function uncacheable(runner: CommandRunner): CommandRunner {
  return {
    run(def, req, opts) {
      noteRead(opts?.provenance, 0);
      return runner.run(def, req, opts);
    },
  };
}

/**
 * Refuses new commands once the operation has started `max` upstream commands. Commands start
 * together (a loader's batch), long before their POSTs show in the trace, so it counts the commands
 * it lets start, less those the cache answered. Polls are not counted: how many a command needs is
 * the service's choice (any answer may be a 202), and the budget planner reserves them before a
 * command starts — counting them would refuse the same operation against a service that answers
 * 202 first that it accepts against one that answers at once.
 */
function withAllowance(runner: CommandRunner, trace: UpstreamTrace, max: number): CommandRunner {
  let started = 0;
  return {
    run(def, req, opts) {
      if (started - trace.cacheHits - trace.staleServes >= max) {
        return Promise.reject(
          new GraphQLError(
            `This operation reached its limit of ${max} upstream calls (GRAPHQL_MAX_UPSTREAM_CALLS) while running.`,
            {
              extensions: { code: 'QUERY_TOO_COSTLY', maxUpstreamCalls: max },
            },
          ),
        );
      }
      started++;
      return runner.run(def, req, opts);
    },
    getFresh(def, req, opts) {
      const hit = runner.getFresh?.(def, req, opts);
      if (hit) started++; // counted as a cache hit on the trace
      return hit;
    },
  };
}

const DEFAULT_CURRENCY = 'USD';
/** Gives every read the operation's deadline, or its own (`readMs` from when it starts) when earlier. */
function withDeadline(
  runner: CommandRunner,
  deadline: number,
  readMs: number,
  now: () => number,
): CommandRunner {
  const bound = <Req, Res>(
    def: CommandDef<Req, Res>,
    opts: RunOptions | undefined,
  ): RunOptions | undefined =>
    def.kind === 'read'
      ? { ...opts, deadline: Math.min(opts?.deadline ?? now() + readMs, deadline) }
      : opts;
  return {
    run: (def, req, opts) => runner.run(def, req, bound(def, opts)),
    getFresh: (def, req, opts) => runner.getFresh?.(def, req, bound(def, opts)),
  };
}

let processIdempotency: Idempotency | undefined;
let processCarts: CartOwnerStore | undefined;

export function createContext(
  deps: ContextDeps,
  request: { requestId: string; auth: AuthInfo; signal?: AbortSignal },
): GatewayContext {
  // Every command of the operation listens on the request's signal: dozens is normal here.
  if (request.signal) setMaxListeners(0, request.signal);
  const trace = newTrace();
  const startedAt = (deps.now ?? Date.now)();
  const provenance = newProvenance(startedAt);
  const tracker = new InflightTracker();
  const defaults = {
    trace,
    provenance,
    requestId: request.requestId,
    ...(request.auth.budgetCaller ? { caller: request.auth.budgetCaller } : {}),
    ...(request.signal ? { signal: request.signal } : {}),
  };
  const allowed = (runner: CommandRunner) =>
    deps.maxCallsPerOperation === undefined
      ? runner
      : withAllowance(runner, trace, deps.maxCallsPerOperation);
  const limited = (runner: CommandRunner) =>
    deps.operationDeadlineMs === undefined
      ? allowed(runner)
      : withDeadline(
          allowed(runner),
          startedAt + deps.operationDeadlineMs,
          deps.readDeadlineMs ?? 30_000,
          deps.now ?? Date.now,
        );
  const runner = tracker.wrap(limited(deps.runner));
  const api = deps.createApi(runner, defaults);
  const freshApi = deps.freshRunner
    ? deps.createApi(tracker.wrap(limited(uncacheable(deps.freshRunner))), defaults)
    : api;
  return {
    requestId: request.requestId,
    auth: request.auth,
    api,
    freshApi,
    loaders: createLoaders(api, bindRunner(runner, defaults), {
      eventBatchSize: deps.eventBatchSize,
      eventSchedule: tracker.scheduleWhenIdle,
    }),
    trace,
    provenance,
    quota: deps.quota,
    logger: deps.logger.child({ requestId: request.requestId }),
    idempotency: deps.idempotency ?? (processIdempotency ??= createIdempotency()),
    carts: deps.carts ?? (processCarts ??= new MemoryCartOwnerStore()),
    ...(deps.drain ? { drain: deps.drain } : {}),
    currency: deps.currency ?? DEFAULT_CURRENCY,
  };
}
