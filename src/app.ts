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
import { createRedis } from './redis.js';
import { createUpstreamStack, type UpstreamStack } from './cache/wiring.js';
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
  /** Redis key prefix of the shared cache and budget (default "archtics:"; tests: one per run). */
  redisPrefix?: string;
}

/**
 * Payments' idempotency records: in Redis when REDIS_URL is set (shared by replicas, kept across
 * restarts), else in this process. A send may still be carried out upstream for as long as the
 * client would keep polling it (plus one request), and an attempt holds its record a minute longer.
 */
function idempotencyFor(config: Config): { idempotency: Idempotency; close(): Promise<void> } {
  const inFlightMs = config.archtics.pollTimeoutMs + config.archtics.requestTimeoutMs;
  const timing = { inFlightMs, leaseMs: inFlightMs + 60_000 };
  if (!config.redisUrl) return { idempotency: createIdempotency(timing), close: async () => {} };
  const redis = createRedis(config.redisUrl);
  redis.on('error', () => undefined); // commands fail on their own; a payment then fails before its send
  return { idempotency: createIdempotency({ ...timing, redis }), close: async () => void redis.disconnect() };
}

export interface Gateway {
  yoga: GatewayYoga;
  /** The runner every request uses (wrapped, when wrapRunner was given). */
  runner: CommandRunner;
  limiter: Limiter;
  /** The cache, budget and metrics around the client (cache.stats(), metrics.registry). */
  upstream: UpstreamStack;
  close(): Promise<void>;
}

export async function createGateway(opts: GatewayOptions): Promise<Gateway> {
  const { config } = opts;
  const logger = opts.logger ?? createLogger({ level: config.logLevel, secrets: [config.archtics.apiKey] });
  // Budget gate (shared in Redis with REDIS_URL), cache, metrics and their plugins.
  const upstream = createUpstreamStack({
    config,
    logger,
    ...(opts.limiter ? { limiter: opts.limiter } : {}),
    ...(opts.cache === false ? { cache: false } : {}),
    ...(opts.redisPrefix ? { redisPrefix: opts.redisPrefix } : {}),
  });
  const limiter = upstream.limiter;
  const client = opts.runner
    ? undefined
    : createArchticsClient({ config: config.archtics, limiter, logger, onUpstreamCall: upstream.onUpstreamCall(opts.onUpstreamCall) });
  const base: CommandRunner = opts.runner ?? client!;
  const runner = opts.wrapRunner ? opts.wrapRunner(base) : upstream.wrap(base);

  const owned = opts.idempotency ? undefined : idempotencyFor(config);
  const idempotency = opts.idempotency ?? owned!.idempotency;

  // Readiness pings through the base runner: a cached answer must not say "ready".
  const probe = createArchticsApi(base);
  const yoga = createServer({
    runner,
    freshRunner: base,
    idempotency,
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
    plugins: upstream.plugins,
  });

  let closed: Promise<void> | undefined;
  return {
    yoga,
    runner,
    limiter,
    upstream,
    close() {
      closed ??= (async () => {
        await client?.close();
        await upstream.close(); // the limiter, the cache's Redis subscriber and the shared client
        await owned?.close();
      })();
      return closed;
    },
  };
}
