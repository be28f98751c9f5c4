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
import { createLocalLimiter } from './quota/index.js';
import type { Limiter } from './quota/types.js';
import { createRedis } from './redis.js';
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
  close(): Promise<void>;
}

export async function createGateway(opts: GatewayOptions): Promise<Gateway> {
  const { config } = opts;
  const logger = opts.logger ?? createLogger({ level: config.logLevel, secrets: [config.archtics.apiKey] });
  const limiter =
    opts.limiter ??
    createLocalLimiter({ ratePerMinute: config.archtics.ratePerMinute, ratePerDay: config.archtics.ratePerDay, queueMax: config.archtics.queueMax });
  const client = opts.runner
    ? undefined
    : createArchticsClient({ config: config.archtics, limiter, logger, ...(opts.onUpstreamCall ? { onUpstreamCall: opts.onUpstreamCall } : {}) });
  const base: CommandRunner = opts.runner ?? client!;
  const runner = opts.wrapRunner ? opts.wrapRunner(base) : base;

  const owned = opts.idempotency ? undefined : idempotencyFor(config);
  const idempotency = opts.idempotency ?? owned!.idempotency;

  // Readiness pings through the base runner: a cached answer must not say "ready".
  const probe = createArchticsApi(base);
  const yoga = createServer({
    runner,
    freshRunner: base,
    idempotency,
    createApi: createArchticsApi,
    quota: () => limiter.snapshot(),
    eventBatchSize: config.eventBatchSize,
    federation: config.federation ?? false,
    logger,
    tokens: config.tokens,
    limits: config.limits,
    ready: async () => (await probe.ping({ requestId: 'readiness' })).systemAvailable,
  });

  let closed: Promise<void> | undefined;
  return {
    yoga,
    runner,
    limiter,
    close() {
      closed ??= (async () => {
        await client?.close();
        await limiter.close();
        await owned?.close();
      })();
      return closed;
    },
  };
}
