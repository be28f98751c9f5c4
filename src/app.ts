/**
 * The gateway assembled — the one place that wires the layers together:
 * config → Redis behind its breaker (when REDIS_URL) → stores → budget → command client → cache →
 * typed API → yoga.
 * Tests pass `runner` to put a stub where the client would be, `cache: false` for none.
 */
import type { Plugin } from 'graphql-yoga';
import type { Clock } from './clock.js';
import { createArchticsClient, type UpstreamCallEvent } from './archtics/client.js';
import { createArchticsApi } from './archtics/commands/index.js';
import type { CommandRunner } from './archtics/types.js';
import { degradableL2 } from './cache/degradable-l2.js';
import { RedisL2, cacheNamespace } from './cache/redis-l2.js';
import { RedisRefreshLedger } from './cache/redis-refresh-ledger.js';
import { createCachedRunner, type CachedRunner } from './cache/runner.js';
import type { Config } from './config.js';
import { Drain } from './drain.js';
import { createIdempotency, type Idempotency } from './idempotency/index.js';
import { createLogger, type Logger } from './logger.js';
import {
  MemoryResponseStore,
  RedisResponseStore,
  responseNamespace,
  type ResponseStore,
} from './cache/response-store.js';
import { createMetrics, type GatewayMetrics } from './metrics.js';
import { createMemoryAPQStore, createRedisAPQStore, type APQStore } from './plugins/apq-store.js';
import { useDrain } from './plugins/drain.js';
import { useMetricsEndpoint } from './plugins/metrics.js';
import { useGatewayResponseCache } from './plugins/response-cache.js';
import { useUpstreamExtensions } from './plugins/upstream-extensions.js';
import { createLimiter } from './quota/redis-limiter.js';
import type { Limiter, QuotaSnapshot } from './quota/types.js';
import { DEFAULT_KEY_PREFIX, secretId, type Redis } from './redis.js';
import { GRAPHQL_ENDPOINT, createServer, type GatewayYoga } from './server.js';
import { createStores, type Stores } from './store/index.js';
import { createRedisDependency, type RedisDependency } from './store/redis-breaker.js';

export interface GatewayOptions {
  config: Config;
  logger?: Logger;
  /** Replaces the Archtics client (tests). Not closed by the gateway. */
  runner?: CommandRunner;
  /**
   * The clock of a `runner`, `limiter` or `wrapRunner` cache given on a scaled time (tests, bench):
   * operation deadlines and provenance are counted on it too. Default: the system clock.
   */
  clock?: Clock;
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
  /** What is in flight, for a shutdown that finishes writes (src/main.ts). */
  drain: Drain;
  /** Redis and its breaker, with REDIS_URL. */
  redis?: RedisDependency;
  upstream: UpstreamParts;
  /** Whole answers of read operations, when the response cache is on. */
  responses?: ResponseStore;
  close(): Promise<void>;
}

/**
 * Redis as a dependency (REDIS_URL): one client for the budget, the cache's L2, idempotency records
 * and cart owners, behind one circuit breaker — when it opens, every one of them degrades at once.
 */
async function redisFor(config: Config, logger: Logger): Promise<RedisDependency | undefined> {
  if (!config.redis) return undefined;
  const {
    url,
    commandTimeoutMs,
    breakerThreshold: threshold,
    breakerHalfOpenMs: halfOpenMs,
  } = config.redis;
  const dep = await createRedisDependency(url, { commandTimeoutMs, threshold, halfOpenMs });
  dep.onStateChange((state) => {
    if (state === 'open')
      logger.warn(
        "Redis unavailable: circuit open — cache on L1 only, budget on this replica's share, payments refused (retryable)",
      );
    else if (state === 'closed') logger.info('Redis back: circuit closed');
  });
  return dep;
}

/** Where APQ registrations live: Redis when the stack has it (every replica knows them), else here; none when APQ_MAX_ENTRIES=0. */
function apqStoreFor(
  config: Config,
  redis: Redis | undefined,
  prefix: string,
): APQStore | undefined {
  const limits = config.persisted?.apq;
  if (limits?.maxEntries === 0) return undefined;
  return redis ? createRedisAPQStore(redis, { ...limits, prefix }) : createMemoryAPQStore(limits);
}

/** One budget per upstream, API key and DSN (hashed: the key never reaches the store in clear). */
function budgetIdentity(config: Config): string {
  return secretId(
    config.archtics.baseUrl ?? 'embedded',
    config.archtics.apiKey,
    config.archtics.dsn.toLowerCase(),
  );
}

/**
 * Payments' timing: a send may still be carried out upstream for as long as the client would keep
 * polling it (plus one request). An attempt renews its lease while it works, so a dead one's
 * record (kill -9) is taken over — and settled by reading — within one lease.
 */
function idempotencyOf(config: Config, stores: Stores): Idempotency {
  const inFlightMs = config.archtics.pollTimeoutMs + config.archtics.requestTimeoutMs;
  return createIdempotency({
    store: stores.idempotency,
    inFlightMs,
    leaseMs: config.idempotencyLeaseMs,
  });
}

export async function createGateway(opts: GatewayOptions): Promise<Gateway> {
  const { config } = opts;
  const logger =
    opts.logger ?? createLogger({ level: config.logLevel, secrets: [config.archtics.apiKey] });
  // Redis, shared by the budget, the cache and the records across replicas (absent: everything
  // on this machine). Behind one breaker: when it opens, every user of it degrades at once.
  const redisDep = await redisFor(config, logger);
  const redis = redisDep?.client;
  const prefix = opts.redisPrefix ?? DEFAULT_KEY_PREFIX;
  // What must outlive a request next: the budget window below is kept in it.
  const owned = opts.stores
    ? undefined
    : createStores(
        config,
        redis ? { redis, ...(opts.redisPrefix ? { redisPrefix: opts.redisPrefix } : {}) } : {},
      );
  const stores = opts.stores ?? owned!;
  const idempotency = opts.idempotency ?? idempotencyOf(config, stores);
  const drain = new Drain();

  // The budget gate, instrumented for metrics.
  const metrics = createMetrics();
  const budgetLog = stores.budgetLog?.(budgetIdentity(config));
  const limiter = metrics.instrumentLimiter(
    opts.limiter ??
      createLimiter(config, redis, {
        prefix,
        ...(budgetLog
          ? {
              log: budgetLog,
              onLogError: (err: unknown) =>
                logger.warn({ err }, 'budget window not saved to the durable store'),
            }
          : {}),
        ...(redisDep ? { health: redisDep } : {}),
        ...(config.replicas ? { replicas: config.replicas } : {}),
        ...(stores.durable
          ? {
              facts: {
                get: (k: string) => stores.durable!.getMeta(k),
                set: (k: string, v: string) => stores.durable!.setMeta(k, v),
              },
            }
          : {}),
      }),
  );
  metrics.trackQuota(() => limiter.snapshot());
  if (redisDep) metrics.trackBreaker(redisDep);

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
  const sharedL2 =
    redis && useCache
      ? new RedisL2({
          redis,
          namespace: cacheNs,
          onError: (err) => logger.warn({ err }, 'shared cache subscriber error'),
        })
      : undefined;
  // While the breaker is open the cache answers from L1 alone, without waiting on Redis.
  const l2 = sharedL2 && redisDep ? degradableL2(sharedL2, () => redisDep.degraded()) : sharedL2;
  // Refresh-ahead (CACHE_REFRESH_*): replicas refresh under one cap, its spend counted in Redis too.
  const refresh = config.cache.refresh;
  const refreshLedger =
    redis && useCache && refresh?.enabled
      ? new RedisRefreshLedger(
          redis,
          cacheNs,
          refresh.maxPerMinute,
          undefined,
          () => redisDep?.degraded() ?? false,
        )
      : undefined;
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
        ? new RedisResponseStore(
            redis,
            responseNamespace(prefix, config.archtics.dsn),
            Date.now,
            (err, op) =>
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
        quota: () => limiter.snapshot(),
      })
    : undefined;

  // extensions.upstream/stale and GET /metrics. The in-process budget answers at once: a cached
  // response then gets its report without a promise.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- they read only what they declare of the context
  const plugins: Plugin<any>[] = [
    useDrain(drain, { endpoint: GRAPHQL_ENDPOINT }),
    // The response cache first: its onExecuteDone stores an answer before the cost report is added.
    ...(responseCache ? [responseCache] : []),
    useUpstreamExtensions({ quota: () => limiter.snapshot() }),
    useMetricsEndpoint(metrics),
  ];

  // Readiness pings through the base runner: a cached answer must not say "ready".
  const probe = createArchticsApi(base);
  const yoga = createServer({
    runner,
    freshRunner: base,
    idempotency,
    carts: stores.carts,
    drain,
    createApi: createArchticsApi,
    quota: () => upstream.quota(),
    eventBatchSize: config.eventBatchSize,
    currency: config.archtics.currency,
    federation: config.federation ?? false,
    logger,
    tokens: config.tokens,
    limits: config.limits,
    requests: config.requests,
    maxUpstreamCalls: config.maxUpstreamCalls,
    compileAfterUses: config.compileAfterUses,
    operationDeadlineMs: config.operationDeadlineMs,
    readDeadlineMs: config.archtics.readDeadlineMs,
    ...(opts.clock ? { now: () => opts.clock!.now() } : {}),
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
    drain,
    ...(redisDep ? { redis: redisDep } : {}),
    upstream,
    ...(responses ? { responses } : {}),
    close() {
      closed ??= (async () => {
        await client?.close();
        await responses?.close();
        await limiter.close();
        // The cache closes its L2 (the invalidation subscriber); the shared client goes last.
        await (cache ? cache.close() : l2?.close());
        await owned?.close();
        await redisDep?.close();
      })();
      return closed;
    },
  };
}
