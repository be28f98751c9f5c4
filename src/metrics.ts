/**
 * Prometheus metrics of the upstream budget (prom-client, on a Registry of our own — never the
 * global one, so two gateways in one process, as in tests, do not collide):
 *
 *   archtics_upstream_calls_total{command,status,outcome}   one per command sent (client hook)
 *   archtics_upstream_attempts_total{command}               non-poll POSTs (first send + re-sends)
 *   archtics_upstream_polls_total{command}                  poll POSTs of accepted commands
 *   archtics_upstream_duration_seconds{command}             histogram, whole command incl. polling
 *   archtics_cache_requests_total{command,result}           hit | l2 | coalesced | peer | miss | stale
 *   archtics_cache_bytes / archtics_cache_entries           L1 size (gauges)
 *   archtics_cache_refreshes_total{command,outcome}         refresh-ahead attempts (refreshed, shared, refused, capped, skipped, failed)
 *   archtics_cache_refresh_posts_total{command}             the refresher's POSTs (first sends and polls), apart from callers'
 *   archtics_quota_queue_wait_seconds{priority}             histogram, time in the budget queue
 *   archtics_quota_rejections_total{priority,reason}        budget refusals (deadline/queue full) and failures
 *   archtics_quota_minute_remaining / _day_remaining / _queue_length   from limiter.snapshot() at scrape
 *   archtics_redis_breaker_state{state}                     1 for the breaker's state (closed|open|half-open)
 *   archtics_redis_breaker_opens_total                      times the breaker opened (REDIS_URL only)
 *   archtics_redis_commands_total{result}                   ok | failed | refused (at once, breaker open)
 *   process_resident_memory_bytes, nodejs_heap_size_used_bytes / _total_bytes   at scrape
 *   nodejs_eventloop_lag_{p50,p99,max}_seconds              event-loop delay since the last scrape
 *
 * Labels come from closed sets only (command names of the protocol, HTTP status, priorities): the
 * API key — or anything a caller typed — can never become a label value.
 */
import { monitorEventLoopDelay, type ELDHistogram } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { RateLimitedError } from './archtics/errors.js';
import type { CommandName } from './protocol/wire.js';
import { ALL_COMMAND_DEFS } from './archtics/commands/index.js';
import type { CacheMetricsSink, CacheOutcome } from './cache/types.js';
import type { MaybePromise } from '@whatwg-node/promise-helpers';
import type { AcquireOptions, Limiter, QuotaSnapshot } from './quota/types.js';
import { systemClock, type Clock } from './clock.js';

/** The client's per-command report (structurally src/archtics/client.ts UpstreamCallEvent). */
export interface UpstreamCallReport {
  command: string;
  status: number | string;
  attempts?: number;
  polls?: number;
  durationMs?: number;
  outcome: string;
}

const COMMAND_NAMES: ReadonlySet<string> = new Set(ALL_COMMAND_DEFS.map((def) => def.name));
const command = (name: string) => (COMMAND_NAMES.has(name) ? name : 'other');
const status = (s: number | string) =>
  typeof s === 'number'
    ? Number.isInteger(s) && s >= 100 && s < 600
      ? String(s)
      : 'other'
    : ['network', 'timeout', 'none'].includes(s)
      ? s
      : 'other';
const outcome = (o: string) => (o === 'ok' || o === 'error' ? o : 'other');
const REFRESH_OUTCOMES = ['refreshed', 'shared', 'refused', 'capped', 'skipped', 'failed'];
const priority = (p: string) => (['poll', 'write', 'read', 'idle'].includes(p) ? p : 'other');

/** What the metrics read of the Redis breaker (src/store/redis-breaker.ts). */
export interface BreakerReport {
  state(): 'closed' | 'open' | 'half-open';
  commands(): { ok: number; failed: number; refused: number };
  onStateChange(listener: (state: 'closed' | 'open' | 'half-open') => void): void;
}

/** One event-loop delay monitor per process, shared by every registry (tests run several gateways). */
let loopDelay: ELDHistogram | undefined;
function eventLoopDelay(): ELDHistogram {
  if (!loopDelay) {
    loopDelay = monitorEventLoopDelay({ resolution: 20 });
    loopDelay.enable();
  }
  return loopDelay;
}

/** Process gauges, read at scrape: resident memory, heap, event-loop delay since the last scrape. */
function processMetrics(registry: Registry): void {
  const delay = eventLoopDelay();
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const v = read();
        if (Number.isFinite(v)) this.set(v);
      },
    });
  gauge('process_resident_memory_bytes', 'Resident memory size (RSS) in bytes', () =>
    process.memoryUsage.rss(),
  );
  gauge(
    'nodejs_heap_size_used_bytes',
    'V8 heap in use, bytes',
    () => process.memoryUsage().heapUsed,
  );
  gauge(
    'nodejs_heap_size_total_bytes',
    'V8 heap allocated, bytes',
    () => process.memoryUsage().heapTotal,
  );
  // Read p50/p99/max together, then start a new interval (one reset per scrape of this registry).
  let lastRead = { p50: 0, p99: 0, max: 0 };
  const readDelay = () => {
    const count = delay.count;
    lastRead =
      count > 0
        ? { p50: delay.percentile(50) / 1e9, p99: delay.percentile(99) / 1e9, max: delay.max / 1e9 }
        : lastRead;
    delay.reset();
    return lastRead;
  };
  gauge(
    'nodejs_eventloop_lag_p50_seconds',
    'Event-loop delay, median since the last scrape',
    () => readDelay().p50,
  );
  gauge(
    'nodejs_eventloop_lag_p99_seconds',
    'Event-loop delay, 99th percentile since the last scrape',
    () => lastRead.p99,
  );
  gauge(
    'nodejs_eventloop_lag_max_seconds',
    'Event-loop delay, maximum since the last scrape',
    () => lastRead.max,
  );
}

export interface GatewayMetrics extends CacheMetricsSink {
  readonly registry: Registry;
  /** Pass as the client's onUpstreamCall. */
  onUpstreamCall(e: UpstreamCallReport): void;
  /** Wraps a limiter so that queue waits and refusals are measured (same behaviour otherwise). */
  instrumentLimiter(limiter: Limiter, clock?: Clock): Limiter;
  /** Quota gauges read this at scrape time. */
  trackQuota(snapshot: () => MaybePromise<QuotaSnapshot>): void;
  /** The Redis breaker's state and opens (REDIS_URL). */
  trackBreaker(breaker: BreakerReport): void;
  /** Prometheus text exposition. */
  text(): Promise<string>;
  readonly contentType: string;
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): GatewayMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  else processMetrics(registry);

  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers: [registry] });
  const histogram = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: number[],
  ) => new Histogram<L>({ name, help, labelNames, buckets, registers: [registry] });
  const gaugeOf = (name: string, help: string) => new Gauge({ name, help, registers: [registry] });

  const calls = counter(
    'archtics_upstream_calls_total',
    'Upstream commands, by command, last HTTP status and outcome',
    ['command', 'status', 'outcome'],
  );
  const attempts = counter(
    'archtics_upstream_attempts_total',
    'Non-poll POSTs (first sends and re-sends)',
    ['command'],
  );
  const polls = counter('archtics_upstream_polls_total', 'Poll POSTs of accepted (202) commands', [
    'command',
  ]);
  const duration = histogram(
    'archtics_upstream_duration_seconds',
    'Whole upstream command time, queue and polling included',
    ['command'],
    [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  );
  const cache = counter(
    'archtics_cache_requests_total',
    'Cacheable reads by command and result (hit, l2, coalesced, peer, miss, stale)',
    ['command', 'result'],
  );
  const refreshes = counter(
    'archtics_cache_refreshes_total',
    'Refresh-ahead attempts by command and outcome',
    ['command', 'outcome'],
  );
  const refreshPosts = counter(
    'archtics_cache_refresh_posts_total',
    "The refresher's upstream POSTs (idle budget), first sends and polls",
    ['command'],
  );
  const cacheBytes = gaugeOf('archtics_cache_bytes', 'Calculated size of the in-process cache');
  const cacheEntries = gaugeOf('archtics_cache_entries', 'Entries in the in-process cache');
  const queueWait = histogram(
    'archtics_quota_queue_wait_seconds',
    'Time a command waited for upstream budget',
    ['priority'],
    [0.001, 0.01, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60],
  );
  const rejections = counter(
    'archtics_quota_rejections_total',
    'Budget gate refusals: deadline (slot too late), queue_full, aborted, error',
    ['priority', 'reason'],
  );

  let snapshot: (() => MaybePromise<QuotaSnapshot>) | undefined;
  const quotaGauge = (name: string, help: string, pick: (s: QuotaSnapshot) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        if (!snapshot) return;
        try {
          const v = pick(await snapshot());
          if (Number.isFinite(v)) this.set(v);
        } catch {
          /* a failing store must not break the scrape */
        }
      },
    });
  quotaGauge(
    'archtics_quota_minute_remaining',
    'Upstream calls left in the current 60 s window',
    (s) => s.minuteRemaining,
  );
  quotaGauge(
    'archtics_quota_day_remaining',
    'Upstream calls left in the rolling day',
    (s) => s.dayRemaining,
  );
  quotaGauge(
    'archtics_quota_queue_length',
    'Callers waiting for upstream budget',
    (s) => s.queueLength,
  );

  const breakerOpens = counter(
    'archtics_redis_breaker_opens_total',
    'Times the Redis circuit breaker opened (the gateway ran degraded)',
  );
  let breaker: BreakerReport | undefined;
  new Gauge({
    name: 'archtics_redis_breaker_state',
    help: 'The Redis circuit breaker: 1 for its current state (closed, open, half-open); absent without REDIS_URL',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      if (!breaker) return;
      const now = breaker.state();
      for (const s of ['closed', 'open', 'half-open'] as const)
        this.set({ state: s }, s === now ? 1 : 0);
    },
  });

  let counted = { ok: 0, failed: 0, refused: 0 };
  new Counter({
    name: 'archtics_redis_commands_total',
    help: 'Redis commands: ok (answered), failed (counted by the breaker), refused (at once, breaker open)',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      if (!breaker) return;
      const now = breaker.commands();
      for (const r of ['ok', 'failed', 'refused'] as const)
        if (now[r] > counted[r]) this.inc({ result: r }, now[r] - counted[r]);
      counted = now;
    },
  });

  return {
    registry,
    contentType: registry.contentType,
    trackBreaker(b) {
      breaker = b;
      b.onStateChange((s) => {
        if (s === 'open') breakerOpens.inc();
      });
    },
    onUpstreamCall(e) {
      const c = command(e.command);
      calls.inc({ command: c, status: status(e.status), outcome: outcome(e.outcome) });
      if (e.attempts) attempts.inc({ command: c }, e.attempts);
      if (e.polls) polls.inc({ command: c }, e.polls);
      if (e.durationMs !== undefined && e.durationMs >= 0)
        duration.observe({ command: c }, e.durationMs / 1000);
    },
    cacheResult(name: string, result: CacheOutcome) {
      cache.inc({ command: command(name), result });
    },
    cacheRefresh(name: string, outcome: string, posts: number) {
      refreshes.inc({
        command: command(name),
        outcome: REFRESH_OUTCOMES.includes(outcome) ? outcome : 'other',
      });
      if (posts > 0) refreshPosts.inc({ command: command(name) }, posts);
    },
    cacheSize(bytes, entries) {
      cacheBytes.set(bytes);
      cacheEntries.set(entries);
    },
    trackQuota(fn) {
      snapshot = fn;
    },
    instrumentLimiter(limiter, clock = systemClock) {
      return {
        async acquire(o: AcquireOptions) {
          const started = clock.now();
          const p = priority(o.priority);
          try {
            const grant = await limiter.acquire(o);
            queueWait.observe({ priority: p }, Math.max(0, clock.now() - started) / 1000);
            return grant;
          } catch (error) {
            const reason =
              error instanceof RateLimitedError
                ? /queue is full/.test(error.message)
                  ? 'queue_full'
                  : 'deadline'
                : o.signal?.aborted
                  ? 'aborted'
                  : 'error';
            rejections.inc({ priority: p, reason });
            throw error;
          }
        },
        ...(limiter.claim
          ? { claim: (command: CommandName, caller?: string) => limiter.claim!(command, caller) }
          : {}),
        pauseFor: (ms) => limiter.pauseFor(ms),
        snapshot: () => limiter.snapshot(),
        close: () => limiter.close(),
      };
    },
    text: () => registry.metrics(),
  };
}
