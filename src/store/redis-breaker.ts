/**
 * Redis as a dependency that may fail (REDIS_URL): one client for the whole gateway, behind a
 * circuit breaker (cockatiel). Every command has a short timeout and fails at once while Redis is
 * away (no offline queue); after `threshold` consecutive failures the breaker opens and every part
 * that uses Redis runs degraded AT ONCE, without asking it — the cache on L1 only, the budget on
 * this replica's share (src/quota/), payments refused with UPSTREAM_UNAVAILABLE (nothing sent).
 * While open, a PING probes every `halfOpenMs` (half-open); the first that answers closes it.
 *
 * `client` is the guarded client: a Proxy whose commands (and MULTI/pipeline exec) run through the
 * breaker, so the stores written for a plain ioredis client (idempotency, carts, the shared window,
 * the cache's L2) get this behaviour without knowing it. A reply error (NOSCRIPT, WRONGTYPE) proves
 * Redis is alive: it is passed through and does not count as a failure.
 */
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { ReplyError } from 'ioredis';
import { createRedis, type Redis } from '../redis.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface RedisBreakerOptions {
  /** One command's timeout (REDIS_COMMAND_TIMEOUT_MS). */
  commandTimeoutMs: number;
  /** Consecutive failures that open the breaker (REDIS_BREAKER_THRESHOLD). */
  threshold: number;
  /** Open this long before a probe (REDIS_BREAKER_HALF_OPEN_MS). */
  halfOpenMs: number;
  /** How long createRedisDependency waits for the first connection. */
  connectTimeoutMs?: number;
}

/**
 * Redis is away (breaker open, or the command failed): degrade, or refuse saying when to retry.
 * Typed like an upstream failure (code + extensions()), so a refusal that reaches a client is
 * UPSTREAM_UNAVAILABLE with retryAfterSeconds — retryable, and nothing was sent upstream.
 */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
  readonly code = 'UPSTREAM_UNAVAILABLE' as const;
  constructor(
    message: string,
    /** When the breaker will next probe: a retry before then meets the same refusal. */
    readonly retryAfterMs: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(this.retryAfterMs / 1000));
  }

  extensions(): Record<string, unknown> {
    return { code: this.code, retryAfterSeconds: this.retryAfterSeconds, dependency: 'redis' };
  }
}

export interface RedisDependency {
  /** The guarded client (commands through the breaker). */
  readonly client: Redis;
  /** The client without the breaker (subscriptions, tests). */
  readonly raw: Redis;
  state(): BreakerState;
  /** True while the breaker is open or probing: degrade without asking Redis. */
  degraded(): boolean;
  /** Called on every state change (metrics, the shared window's re-seeding). */
  onStateChange(listener: (state: BreakerState) => void): void;
  /** Opens so far. */
  opens(): number;
  /** Commands so far: answered, failed (counted by the breaker), refused at once (breaker open). */
  commands(): { ok: number; failed: number; refused: number };
  close(): Promise<void>;
}

/** Methods of the client that are not commands: never through the breaker. */
const PASS_THROUGH = new Set<PropertyKey>([
  'on',
  'once',
  'off',
  'addListener',
  'removeListener',
  'removeAllListeners',
  'emit',
  'listeners',
  'listenerCount',
  'connect',
  'disconnect',
  'quit',
  'end',
  'duplicate',
  'status',
  'options',
  'condition',
  'stream',
  'defineCommand',
  'createBuiltinCommand',
  'setMaxListeners',
  'getMaxListeners',
]);
const BATCHES = new Set<PropertyKey>(['multi', 'pipeline']);

const stateName = (s: CircuitState): BreakerState =>
  s === CircuitState.Closed ? 'closed' : s === CircuitState.HalfOpen ? 'half-open' : 'open';

export async function createRedisDependency(
  url: string,
  opts: RedisBreakerOptions,
): Promise<RedisDependency> {
  const raw = createRedis(url, {
    lazyConnect: true,
    // Fail at once while disconnected instead of queueing until Redis is back.
    enableOfflineQueue: false,
    commandTimeout: opts.commandTimeoutMs,
    maxRetriesPerRequest: 0,
  });
  raw.on('error', () => undefined); // each command fails on its own; the breaker counts them
  const breaker: CircuitBreakerPolicy = circuitBreaker(
    handleWhen((e) => !(e instanceof ReplyError)),
    { halfOpenAfter: opts.halfOpenMs, breaker: new ConsecutiveBreaker(opts.threshold) },
  );
  let openedAt = 0;
  let openCount = 0;
  const listeners: ((s: BreakerState) => void)[] = [];
  let probe: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const retryAfterMs = () => Math.max(250, openedAt + opts.halfOpenMs - Date.now());
  const refuse = (cause: unknown) =>
    cause instanceof BrokenCircuitError
      ? new RedisUnavailableError('Redis is unavailable (circuit open)', retryAfterMs(), { cause })
      : cause instanceof ReplyError
        ? cause
        : new RedisUnavailableError(
            `Redis command failed: ${(cause as Error)?.message ?? cause}`,
            opts.halfOpenMs,
            { cause },
          );

  const counts = { ok: 0, failed: 0, refused: 0 };
  const run = <T>(fn: () => Promise<T>): Promise<T> =>
    breaker.execute(fn).then(
      (v) => {
        counts.ok++;
        return v;
      },
      (e: unknown) => {
        if (e instanceof BrokenCircuitError) counts.refused++;
        else if (e instanceof ReplyError) counts.ok++;
        else counts.failed++;
        return Promise.reject(refuse(e));
      },
    );

  // Probe while open: recovery must not wait for traffic.
  const scheduleProbe = () => {
    if (closed || probe) return;
    probe = setTimeout(() => {
      probe = undefined;
      if (breaker.state === CircuitState.Closed || closed) return;
      run(() => raw.ping()).then(
        () => undefined,
        () => scheduleProbe(),
      );
    }, opts.halfOpenMs + 10);
    probe.unref?.();
  };
  breaker.onBreak(() => {
    openedAt = Date.now();
    openCount++;
    scheduleProbe();
  });
  breaker.onStateChange((s) => {
    for (const l of listeners) l(stateName(s));
  });

  const wrapBatch = (batch: object): object => {
    const proxy: object = new Proxy(batch, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        if (prop === 'exec')
          return (...args: unknown[]) =>
            run(() => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
        return (...args: unknown[]) => {
          const out = (value as (...a: unknown[]) => unknown).apply(target, args);
          return out === target ? proxy : out;
        };
      },
    });
    return proxy;
  };

  const client = new Proxy(raw, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (prop === 'duplicate') {
        // A subscriber needs its queue: SUBSCRIBE is sent before the connection is up.
        return (o?: object) =>
          target.duplicate({
            enableOfflineQueue: true,
            commandTimeout: undefined,
            maxRetriesPerRequest: null,
            ...o,
          });
      }
      if (PASS_THROUGH.has(prop) || typeof prop === 'symbol')
        return (value as (...a: unknown[]) => unknown).bind(target);
      if (BATCHES.has(prop))
        return (...args: unknown[]) =>
          wrapBatch((value as (...a: unknown[]) => object).apply(target, args));
      return (...args: unknown[]) =>
        run(() => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
    },
  });

  // The first connection, bounded: a gateway whose Redis is down at start starts degraded.
  await Promise.race([
    raw.connect().catch(() => undefined),
    new Promise((resolve) => setTimeout(resolve, opts.connectTimeoutMs ?? 2_000).unref()),
  ]);

  return {
    client,
    raw,
    state: () => stateName(breaker.state),
    degraded: () => breaker.state !== CircuitState.Closed,
    onStateChange: (l) => void listeners.push(l),
    opens: () => openCount,
    commands: () => ({ ...counts }),
    async close() {
      closed = true;
      clearTimeout(probe);
      await raw.quit().catch(() => raw.disconnect());
    },
  };
}
