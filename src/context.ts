/**
 * The per-request context every resolver sees: a command API bound to this operation (its trace,
 * request id and abort signal), fresh DataLoaders over that API, the caller's auth, and a quota
 * snapshot. Built by src/server.ts for every request; nothing in it outlives the request.
 */
import { setMaxListeners } from 'node:events';
import type { AuthInfo } from './auth.js';
import { createIdempotency, type Idempotency } from './idempotency/index.js';
import type { CommandRunner, RunOptions, UpstreamTrace } from './archtics/types.js';
import { newTrace } from './archtics/types.js';
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
  /** Calls left this minute and today, queue length: no upstream call. */
  quota: () => Promise<QuotaSnapshot>;
  logger: Logger;
  /** Keyed writes (payments): records written before the send. */
  idempotency: Idempotency;
  /** Who made each cart and what it held (src/store/): durable, shared by replicas with Redis. */
  carts: CartOwnerStore;
  /** Keyed writes in flight, for a shutdown that waits for them and reports the unknown ones. */
  drain?: Drain;
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
  drain?: Drain;
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
  const tracker = new InflightTracker();
  const defaults = {
    trace,
    requestId: request.requestId,
    ...(request.signal ? { signal: request.signal } : {}),
  };
  const api = deps.createApi(tracker.wrap(deps.runner), defaults);
  const freshApi = deps.freshRunner ? deps.createApi(tracker.wrap(deps.freshRunner), defaults) : api;
  return {
    requestId: request.requestId,
    auth: request.auth,
    api,
    freshApi,
    loaders: createLoaders(api, { eventBatchSize: deps.eventBatchSize, eventSchedule: tracker.scheduleWhenIdle }),
    trace,
    quota: deps.quota,
    logger: deps.logger.child({ requestId: request.requestId }),
    idempotency: deps.idempotency ?? (processIdempotency ??= createIdempotency()),
    carts: deps.carts ?? (processCarts ??= new MemoryCartOwnerStore()),
    ...(deps.drain ? { drain: deps.drain } : {}),
  };
}
