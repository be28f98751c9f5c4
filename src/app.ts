/**
 * The gateway assembled — the one place that wires the layers together:
 * config → stores → Redis (when REDIS_URL) → budget → command client → cache → typed API → yoga.
 * Tests pass `runner` to put a stub where the client would be, `cache: false` for none.
 */
import type { Plugin } from 'graphql-yoga';
import { createArchticsClient, type UpstreamCallEvent } from './archtics/client.js';
import { createArchticsApi } from './archtics/commands/index.js';
import type { CommandRunner } from './archtics/types.js';
import { RedisL2, cacheNamespace } from './cache/redis-l2.js';
import { RedisRefreshLedger } from './cache/redis-refresh-ledger.js';
import { createCachedRunner, type CachedRunner } from './cache/runner.js';
import type { Config } from './config.js';
import { createIdempotency, type Idempotency } from './idempotency/index.js';
import { createLogger, type Logger } from './logger.js';
import { MemoryResponseStore, RedisResponseStore, responseNamespace, type ResponseStore } from './cache/response-store.js';
import { createMetrics, type GatewayMetrics } from './metrics.js';
import { createMemoryAPQStore, createRedisAPQStore, type APQStore } from './plugins/apq-store.js';
import { useMetricsEndpoint } from './plugins/metrics.js';
import { useGatewayResponseCache } from './plugins/response-cache.js';
import { useUpstreamExtensions } from './plugins/upstream-extensions.js';
import { createLimiter } from './quota/redis-limiter.js';
import type { Limiter, QuotaSnapshot } from './quota/types.js';
import { DEFAULT_KEY_PREFIX, createRedis, secretId, type Redis } from './redis.js';
import { createServer, type GatewayYoga } from './server.js';
import { createStores, type Stores } from './store/index.js';

export interface GatewayOptions {
  config: Config;
  logger?: Logger;
  /** Replaces the Archtics client (tests). Not closed by the gateway. */
  runner?: CommandRunner;
  /** Replaces the limiter made from config (in-process, or Redis with REDIS_URL). Closed by the gateway. */
  limiter?: Limiter;
  /** Wraps the runner before the API sees it, instead of the cross-request cache. */
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

/** What Upstream.quota shows: the budget and how well the cache stretches it. */
export type QuotaWithCache = QuotaSnapshot & { cacheHitRatio?: number };

/** The budget, cache and metrics around the client. */
export interface UpstreamParts {
  limiter: Limiter;
  metrics: GatewayMetrics;
  /** The cache, unless disabled or replaced (stats() feeds Upstream.quota.cacheHitRatio). */
  cache?: CachedRunner;
  /** Redis client shared by the cache and budget, when REDIS_URL is set. */
  redis?: Redis;
  quota(): Promise<QuotaWithCache>;
}

export interface Gateway {
  yoga: GatewayYoga;
  /** The runner every request uses (wrapped, when wrapRunner was given). */
  runner: CommandRunner;
  limiter: Limiter;
  stores: Stores;
  upstream: UpstreamParts;
  /** Whole answers of read operations, when the response cache is on. */
  responses?: ResponseStore;
  close(): Promise<void>;
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

export async function createGateway(opts: GatewayOptions): Promise<Gateway> {
  const { config } = opts;
  const logger = opts.logger ?? createLogger({ level: config.logLevel, secrets: [config.archtics.apiKey] });
  // What must outlive a request first: the budget window below is kept in it.
  const owned = opts.stores ? undefined : storesFor(config, opts.redisPrefix);
  const stores = opts.stores ?? owned!.stores;
  const idempotency = opts.idempotency ?? idempotencyOf(config, stores);

  // Redis, shared by the budget and the cache across replicas (absent: everything in-process).
  const prefix = opts.redisPrefix ?? DEFAULT_KEY_PREFIX;
  const redis = config.redisUrl ? createRedis(config.redisUrl) : undefined;
  // Commands fail on their own (the cache degrades, the budget refuses); don't crash on the event.
  redis?.on('error', (err) => logger.warn({ err }, 'redis connection error'));

  // The budget gate, instrumented for metrics.
  const metrics = createMetrics();
  const budgetLog = stores.budgetLog?.(budgetIdentity(config));
  const limiter = metrics.instrumentLimiter(
    opts.limiter ??
      createLimiter(config, redis, {
        prefix,
        ...(budgetLog ? { log: budgetLog, onLogError: (err: unknown) => logger.warn({ err }, 'budget window not saved to the durable store') } : {}),
      }),
  );
  metrics.trackQuota(() => limiter.snapshot());

  // The command client (or a test's stub) under the cross-request cache.
  const client = opts.runner
    ? undefined
    : createArchticsClient({
        config: config.archtics,
        limiter,
        logger,
        onUpstreamCall: (e) => {
          metrics.onUpstreamCall(e);
          opts.onUpstreamCall?.(e);
        },
      });
  const base: CommandRunner = opts.runner ?? client!;
  const useCache = !opts.wrapRunner && opts.cache !== false;
  const cacheNs = cacheNamespace(prefix, config.archtics.dsn);
  const l2 = redis && useCache
    ? new RedisL2({ redis, namespace: cacheNs, onError: (err) => logger.warn({ err }, 'shared cache subscriber error') })
    : undefined;
  // Refresh-ahead (CACHE_REFRESH_*): replicas refresh under one cap, its spend counted in Redis too.
  const refresh = config.cache.refresh;
  const refreshLedger = redis && useCache && refresh?.enabled ? new RedisRefreshLedger(redis, cacheNs, refresh.maxPerMinute) : undefined;
  const cache = useCache
    ? createCachedRunner({
        inner: base,
        config: config.cache,
        l2,
        logger,
        metrics,
        context: { siteName: config.archtics.siteName },
        // A peer's fetch may wait for budget and be 202-polled: wait for it as long as a read may take.
        peerWaitMs: config.archtics.readDeadlineMs,
        ...(refreshLedger ? { refreshLedger } : {}),
      })
    : undefined;
  const runner = opts.wrapRunner ? opts.wrapRunner(base) : (cache ?? base);

  const upstream: UpstreamParts = {
    limiter,
    metrics,
    cache,
    redis,
    async quota() {
      const snapshot = await limiter.snapshot();
      return cache ? { ...snapshot, cacheHitRatio: cache.stats().hitRatio } : snapshot;
    },
  };

  // The response cache sits over the command cache: it needs its provenance (lifetimes, tags) and
  // its write invalidations, so it runs only over the gateway's own cache.
  const responses: ResponseStore | undefined =
    cache && (opts.responseCache ?? config.responseCache.enabled)
      ? redis
        ? new RedisResponseStore(redis, responseNamespace(prefix, config.archtics.dsn), Date.now, (err, op) =>
            logger.warn({ err, op }, 'shared response cache failed; continuing without it'),
          )
        : new MemoryResponseStore(config.responseCache.maxBytes)
      : undefined;
  if (responses) cache!.onInvalidate((tags) => responses.invalidate(tags));
  const responseCache = responses
    ? useGatewayResponseCache({
        store: responses,
        tokens: config.tokens,
        maxTtlMs: config.responseCache.maxTtlMs,
        ...(limiter.snapshotNow ? { quotaNow: () => limiter.snapshotNow!() } : {}),
        quota: () => limiter.snapshot(),
      })
    : undefined;

  // extensions.upstream/stale and GET /metrics. The in-process budget answers at once: a cached
  // response then gets its report without a promise.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- they read only what they declare of the context
  const plugins: Plugin<any>[] = [
    // The response cache first: its onExecuteDone stores an answer before the cost report is added.
    ...(responseCache ? [responseCache] : []),
    useUpstreamExtensions(limiter.snapshotNow ? { quotaNow: () => limiter.snapshotNow!() } : {}),
    useMetricsEndpoint(metrics),
  ];

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
      apqStore: apqStoreFor(config, redis, prefix),
      trustedDocuments: config.persisted?.trustedDocuments,
      allowList: config.persisted?.trustedDocuments !== undefined,
    },
    plugins,
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
        await limiter.close();
        // The cache closes its L2 (the invalidation subscriber); the shared client goes last.
        await (cache ? cache.close() : l2?.close());
        if (redis) await redis.quit().catch(() => redis.disconnect());
        await owned?.close();
      })();
      return closed;
    },
  };
}
