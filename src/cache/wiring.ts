/**
 * The upstream-budget stack of one gateway, assembled in one place so that src/app.ts only plugs
 * it in: the budget gate (in-process, or shared in Redis with REDIS_URL), the cross-request cache
 * in front of the command client (with Redis as L2 when shared), metrics, and the yoga plugins
 * (extensions.upstream / extensions.stale, GET /metrics).
 *
 * Without REDIS_URL nothing here touches Redis and the in-process defaults are unchanged.
 */
import type { Plugin } from 'graphql-yoga';
import type { UpstreamCallEvent } from '../archtics/client.js';
import type { CommandRunner } from '../archtics/types.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { createMetrics, type GatewayMetrics } from '../metrics.js';
import { useMetricsEndpoint } from '../plugins/metrics.js';
import { useUpstreamExtensions } from '../plugins/upstream-extensions.js';
import { createLimiter } from '../quota/redis-limiter.js';
import type { Limiter, QuotaSnapshot } from '../quota/types.js';
import type { DurableSlotLog } from '../quota/window.js';
import { DEFAULT_KEY_PREFIX, createRedis, type Redis } from '../redis.js';
import { RedisL2, cacheNamespace } from './redis-l2.js';
import { RedisRefreshLedger } from './redis-refresh-ledger.js';
import { createCachedRunner, type CachedRunner } from './runner.js';

export interface UpstreamStackOptions {
  config: Config;
  logger: Logger;
  /** A limiter to use instead of the one made from config (closed with the stack). */
  limiter?: Limiter;
  /** false: no cross-request cache. Default true. */
  cache?: boolean;
  /** Redis key prefix for the shared cache and budget (default "archtics:"; tests use a unique one). */
  redisPrefix?: string;
  /** A Redis client to use instead of one made from config.redisUrl (not closed by the stack). */
  redis?: Redis;
  metrics?: GatewayMetrics;
  clock?: Clock;
  /** The "minute" window of the budget (tests); default 60 000. */
  windowMs?: number;
  /** The in-process budget window's durable log (src/store/), so a restart keeps the window. */
  budgetLog?: DurableSlotLog;
}

/** What Upstream.quota shows: the budget and how well the cache stretches it. */
export type QuotaWithCache = QuotaSnapshot & { cacheHitRatio?: number };

export interface UpstreamStack {
  /** The budget gate, instrumented for metrics. */
  limiter: Limiter;
  metrics: GatewayMetrics;
  /** The cache, unless disabled (stats() feeds Upstream.quota.cacheHitRatio). */
  cache?: CachedRunner;
  /** Redis client shared by the cache and budget, when REDIS_URL is set. */
  redis?: Redis;
  /** Puts the cache in front of the command client (identity when disabled). */
  wrap(base: CommandRunner): CommandRunner;
  /** The client's onUpstreamCall: metrics, then `next`. */
  onUpstreamCall(next?: (e: UpstreamCallEvent) => void): (e: UpstreamCallEvent) => void;
  quota(): Promise<QuotaWithCache>;
  /** Yoga plugins: extensions.upstream/stale and GET /metrics. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- they read only what they declare of the context
  plugins: Plugin<any>[];
  close(): Promise<void>;
}

export function createUpstreamStack(opts: UpstreamStackOptions): UpstreamStack {
  const { config, logger } = opts;
  const prefix = opts.redisPrefix ?? DEFAULT_KEY_PREFIX;
  const ownRedis = !opts.redis && config.redisUrl ? createRedis(config.redisUrl) : undefined;
  // Commands fail on their own (the cache degrades, the budget refuses); don't crash on the event.
  ownRedis?.on('error', (err) => logger.warn({ err }, 'redis connection error'));
  const redis = opts.redis ?? ownRedis;
  const metrics = opts.metrics ?? createMetrics();
  const limiter = metrics.instrumentLimiter(
    opts.limiter ??
      createLimiter(config, redis, {
        prefix,
        ...(opts.clock ? { clock: opts.clock } : {}),
        ...(opts.windowMs ? { windowMs: opts.windowMs } : {}),
        ...(opts.budgetLog ? { log: opts.budgetLog, onLogError: (err: unknown) => logger.warn({ err }, 'budget window not saved to the durable store') } : {}),
      }),
    opts.clock,
  );
  metrics.trackQuota(() => limiter.snapshot());

  let cache: CachedRunner | undefined;
  const namespace = cacheNamespace(prefix, config.archtics.dsn);
  const l2 = redis && opts.cache !== false
    ? new RedisL2({ redis, namespace, onError: (err) => logger.warn({ err }, 'shared cache subscriber error') })
    : undefined;
  // Replicas refresh under one cap: the refresher's spend is counted in Redis too.
  const refreshLedger = redis && config.cache.refresh?.enabled ? new RedisRefreshLedger(redis, namespace, config.cache.refresh.maxPerMinute) : undefined;

  return {
    limiter,
    metrics,
    redis,
    get cache() {
      return cache;
    },
    wrap(base) {
      if (opts.cache === false) return base;
      cache = createCachedRunner({
        inner: base,
        config: config.cache,
        l2,
        logger,
        metrics,
        context: { siteName: config.archtics.siteName },
        // A peer's fetch may wait for budget and be 202-polled: wait for it as long as a read may take.
        peerWaitMs: config.archtics.readDeadlineMs,
        ...(refreshLedger ? { refreshLedger } : {}),
        ...(opts.clock ? { clock: opts.clock } : {}),
      });
      return cache;
    },
    onUpstreamCall(next) {
      return (e) => {
        metrics.onUpstreamCall(e);
        next?.(e);
      };
    },
    async quota() {
      const snapshot = await limiter.snapshot();
      return cache ? { ...snapshot, cacheHitRatio: cache.stats().hitRatio } : snapshot;
    },
    // The in-process budget answers at once: a cached response then gets its report without a promise.
    plugins: [useUpstreamExtensions(limiter.snapshotNow ? { quotaNow: () => limiter.snapshotNow!() } : {}), useMetricsEndpoint(metrics)],
    async close() {
      await limiter.close();
      // The cache closes its L2 (the invalidation subscriber); the shared client goes last.
      await (cache ? cache.close() : l2?.close());
      if (ownRedis) await ownRedis.quit().catch(() => ownRedis.disconnect());
    },
  };
}
