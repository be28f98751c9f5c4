/**
 * The per-request context every resolver sees: a command API bound to this operation (its trace,
 * request id and abort signal), fresh DataLoaders over that API, the caller's auth, and a quota
 * snapshot. Built by src/server.ts for every request; nothing in it outlives the request.
 */
import { setMaxListeners } from 'node:events';
import type { AuthInfo } from './auth.js';
import { createIdempotency, type Idempotency } from './idempotency/index.js';
import type { CommandRunner, Provenance, RunOptions, UpstreamTrace } from './archtics/types.js';
import { newProvenance, newTrace, noteRead } from './archtics/types.js';
import { createLoaders, InflightTracker, type GatewayApi, type Loaders } from './loaders/index.js';
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
  /** Default: one in-process store shared by every context of this process. */
  carts?: CartOwnerStore;
  /** Epoch ms on the command cache's clock (Provenance.startedAt); default Date.now. */
  now?: () => number;
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

let processIdempotency: Idempotency | undefined;
let processCarts: CartOwnerStore | undefined;

export function createContext(
  deps: ContextDeps,
  request: { requestId: string; auth: AuthInfo; signal?: AbortSignal },
): GatewayContext {
  // Every command of the operation listens on the request's signal: dozens is normal here.
  if (request.signal) setMaxListeners(0, request.signal);
  const trace = newTrace();
  const provenance = newProvenance((deps.now ?? Date.now)());
  const tracker = new InflightTracker();
  const defaults = {
    trace,
    provenance,
    requestId: request.requestId,
    ...(request.signal ? { signal: request.signal } : {}),
  };
  const api = deps.createApi(tracker.wrap(deps.runner), defaults);
  const freshApi = deps.freshRunner ? deps.createApi(tracker.wrap(uncacheable(deps.freshRunner)), defaults) : api;
  return {
    requestId: request.requestId,
    auth: request.auth,
    api,
    freshApi,
    loaders: createLoaders(api, { eventBatchSize: deps.eventBatchSize, eventSchedule: tracker.scheduleWhenIdle }),
    trace,
    provenance,
    quota: deps.quota,
    logger: deps.logger.child({ requestId: request.requestId }),
    idempotency: deps.idempotency ?? (processIdempotency ??= createIdempotency()),
    carts: deps.carts ?? (processCarts ??= new MemoryCartOwnerStore()),
  };
}
