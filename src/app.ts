/**
 * The gateway assembled: limiter → client → (wrapRunner: the cache slots in here) → typed API →
 * yoga. Tests pass `runner` to put a stub where the client would be.
 */
import { createArchticsClient, type UpstreamCallEvent } from './archtics/client.js';
import { createArchticsApi } from './archtics/commands/index.js';
import type { CommandRunner } from './archtics/types.js';
import type { Config } from './config.js';
import { createIdempotency, type Idempotency } from './idempotency/index.js';
import { createLogger, type Logger } from './logger.js';
import type { Limiter } from './quota/types.js';
import { createMemoryAPQStore, createRedisAPQStore, type APQStore } from './plugins/apq-store.js';
import { DEFAULT_KEY_PREFIX, createRedis, secretId, type Redis } from './redis.js';
import { createStores, type Stores } from './store/index.js';
import { createUpstreamStack, type UpstreamStack } from './cache/wiring.js';
import { MemoryResponseStore, RedisResponseStore, responseNamespace, type ResponseStore } from './cache/response-store.js';
import { useGatewayResponseCache } from './plugins/response-cache.js';
import { createServer, type GatewayYoga } from './server.js';

export interface GatewayOptions {
  config: Config;
  logger?: Logger;
  /** Replaces the Archtics client (tests). Not closed by the gateway. */
  runner?: CommandRunner;
  /** Replaces the in-process limiter (e.g. the Redis one). Closed by the gateway. */
  limiter?: Limiter;
  /** Wraps the runner before the API sees it: the cross-request cache goes here. */
  wrapRunner?: (runner: CommandRunner) => CommandRunner;
  onUpstreamCall?: (e: UpstreamCallEvent) => void;
  /** Replaces the idempotency store of payments (tests). Not closed by the gateway. */
  idempotency?: Idempotency;
  /** false: no cross-request cache (default on; ignored when wrapRunner is given). */
  cache?: boolean;
  /**
   * false: no response cache. Default: config.responseCache.enabled, and only over the gateway's own
   * command cache (not with cache: false or wrapRunner), which is what tells it how long an answer lives.
   */
  responseCache?: boolean;
  /** Redis key prefix of the shared cache and budget (default "archtics:"; tests: one per run). */
  redisPrefix?: string;
  /**
   * What must outlive a request (src/store/). Default: SQLite in DATA_DIR, records in Redis with
   * REDIS_URL. Tests pass createMemoryStores(). Not closed by the gateway when given.
   */
  stores?: Stores;
}

/**
 * The stores made from config: SQLite in DATA_DIR, and with REDIS_URL the records in Redis (shared
 * by replicas, kept across restarts).
 */
function storesFor(config: Config, redisPrefix?: string): { stores: Stores; close(): Promise<void> } {
  if (!config.redisUrl) {
    const stores = createStores(config);
    return { stores, close: () => stores.close() };
  }
  const redis = createRedis(config.redisUrl);
  redis.on('error', () => undefined); // commands fail on their own; a payment then fails before its send
  const stores = createStores(config, { redis, ...(redisPrefix ? { redisPrefix } : {}) });
  return {
    stores,
    close: async () => {
      await stores.close();
      redis.disconnect();
    },
  };
}

/** Where APQ registrations live: Redis when the stack has it (every replica knows them), else here; none when APQ_MAX_ENTRIES=0. */
function apqStoreFor(config: Config, redis: Redis | undefined, prefix: string): APQStore | undefined {
  const limits = config.persisted?.apq;
  if (limits?.maxEntries === 0) return undefined;
  return redis ? createRedisAPQStore(redis, { ...limits, prefix }) : createMemoryAPQStore(limits);
}

/** One budget per upstream, API key and DSN (hashed: the key never reaches the store in clear). */
function budgetIdentity(config: Config): string {
  return secretId(config.archtics.baseUrl ?? 'embedded', config.archtics.apiKey, config.archtics.dsn.toLowerCase());
}

/**
 * Payments' timing: a send may still be carried out upstream for as long as the client would keep
 * polling it (plus one request). An attempt renews its lease while it works, so a dead one's
 * record (kill -9) is taken over — and settled by reading — within one lease.
 */
function idempotencyOf(config: Config, stores: Stores): Idempotency {
  const inFlightMs = config.archtics.pollTimeoutMs + config.archtics.requestTimeoutMs;
  return createIdempotency({ store: stores.idempotency, inFlightMs, leaseMs: IDEMPOTENCY_LEASE_MS });
}

/** An attempt's lease, renewed every third of it while the attempt lives. */
const IDEMPOTENCY_LEASE_MS = 15_000;

export interface Gateway {
  yoga: GatewayYoga;
  /** The runner every request uses (wrapped, when wrapRunner was given). */
  runner: CommandRunner;
  limiter: Limiter;
  stores: Stores;
  /** The cache, budget and metrics around the client (cache.stats(), metrics.registry). */
  upstream: UpstreamStack;
  /** Whole answers of read operations, when the response cache is on. */
  responses?: ResponseStore;
  close(): Promise<void>;
}

export async function createGateway(opts: GatewayOptions): Promise<Gateway> {
  const { config } = opts;
  const logger = opts.logger ?? createLogger({ level: config.logLevel, secrets: [config.archtics.apiKey] });
  // What must outlive a request first: the budget window below is kept in it.
  const owned = opts.stores ? undefined : storesFor(config, opts.redisPrefix);
  const stores = opts.stores ?? owned!.stores;
  const idempotency = opts.idempotency ?? idempotencyOf(config, stores);
  // Budget gate (shared in Redis with REDIS_URL), cache, metrics and their plugins.
  const upstream = createUpstreamStack({
    config,
    logger,
    ...(opts.limiter ? { limiter: opts.limiter } : {}),
    ...(opts.cache === false ? { cache: false } : {}),
    ...(opts.redisPrefix ? { redisPrefix: opts.redisPrefix } : {}),
    ...(stores.budgetLog ? { budgetLog: stores.budgetLog(budgetIdentity(config)) } : {}),
  });
  const limiter = upstream.limiter;
  const client = opts.runner
    ? undefined
    : createArchticsClient({ config: config.archtics, limiter, logger, onUpstreamCall: upstream.onUpstreamCall(opts.onUpstreamCall) });
  const base: CommandRunner = opts.runner ?? client!;
  const runner = opts.wrapRunner ? opts.wrapRunner(base) : upstream.wrap(base);

  // The response cache sits over the command cache: it needs its provenance (lifetimes, tags) and
  // its write invalidations, so it runs only over the gateway's own cache.
  const commandCache = opts.wrapRunner ? undefined : upstream.cache;
  const responses: ResponseStore | undefined =
    commandCache && (opts.responseCache ?? config.responseCache.enabled)
      ? upstream.redis
        ? new RedisResponseStore(upstream.redis, responseNamespace(opts.redisPrefix ?? DEFAULT_KEY_PREFIX, config.archtics.dsn), Date.now, (err, op) =>
            logger.warn({ err, op }, 'shared response cache failed; continuing without it'),
          )
        : new MemoryResponseStore(config.responseCache.maxBytes)
      : undefined;
  if (responses) commandCache!.onInvalidate((tags) => responses.invalidate(tags));
  const responseCache = responses
    ? useGatewayResponseCache({
        store: responses,
        tokens: config.tokens,
        maxTtlMs: config.responseCache.maxTtlMs,
        ...(limiter.snapshotNow ? { quotaNow: () => limiter.snapshotNow!() } : {}),
        quota: () => limiter.snapshot(),
      })
    : undefined;

  // Readiness pings through the base runner: a cached answer must not say "ready".
  const probe = createArchticsApi(base);
  const yoga = createServer({
    runner,
    freshRunner: base,
    idempotency,
    carts: stores.carts,
    createApi: createArchticsApi,
    quota: () => upstream.quota(),
    eventBatchSize: config.eventBatchSize,
    federation: config.federation ?? false,
    logger,
    tokens: config.tokens,
    limits: config.limits,
    requests: config.requests,
    maxUpstreamCalls: config.maxUpstreamCalls,
    exposure: config.exposure,
    ready: async () => (await probe.ping({ requestId: 'readiness' })).systemAvailable,
    persisted: {
      apqStore: apqStoreFor(config, upstream.redis, opts.redisPrefix ?? DEFAULT_KEY_PREFIX),
      trustedDocuments: config.persisted?.trustedDocuments,
      allowList: config.persisted?.trustedDocuments !== undefined,
    },
    // The response cache first: its onExecuteDone stores an answer before the cost report is added.
    plugins: [...(responseCache ? [responseCache] : []), ...upstream.plugins],
  });

  let closed: Promise<void> | undefined;
  return {
    yoga,
    runner,
    limiter,
    stores,
    upstream,
    ...(responses ? { responses } : {}),
    close() {
      closed ??= (async () => {
        await client?.close();
        await responses?.close();
        await upstream.close(); // the limiter, the cache's Redis subscriber and the shared client
        await owned?.close();
      })();
      return closed;
    },
  };
}
