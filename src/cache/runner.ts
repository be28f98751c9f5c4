/**
 * The cached CommandRunner: wraps another runner (the command client) and, for READ commands with a
 * TTL > 0, answers from L1 (in-process, byte-bounded), then L2 (Redis, when configured), then one
 * shared upstream call per key (in-flight coalescing; across replicas too for the costly commands).
 * Writes pass straight through and evict the reads they make wrong (tags.ts), even when they fail.
 * When the upstream refuses, an expired answer within its grace is served stale (stale.ts).
 *
 * Trace accounting (extensions.upstream): the caller whose fetch goes upstream gets the calls (the
 * inner runner counts them on its trace); every other caller served without an upstream call —
 * L1, L2, joined flight, peer replica — counts one cacheHit.
 *
 * Cached values are deep-frozen: one object is handed to many operations, and a resolver that
 * mutated it would corrupt every later answer. A mutation throws instead (ESM is strict mode).
 */
import { LRUCache } from 'lru-cache';
import type { CommandContext, CommandDef, CommandRunner, RunOptions } from '../archtics/types.js';
import { systemClock, type Clock } from '../clock.js';
import type { CacheConfig } from '../config.js';
import type { CommandName } from '../protocol/wire.js';
import { Coalescer, type Flight, type FlightResult } from './coalesce.js';
import { cacheKey } from './key.js';
import { ByteLruStore } from './lru.js';
import { isRefusal, markStale, servable } from './stale.js';
import { cartEventsOf, cartOfWrite, readTags, writeTags } from './tags.js';
import type { CacheEntry, CacheMetricsSink, CacheOutcome, CacheStats, L2Store, LockHandle } from './types.js';

/** The slice of a pino logger the cache uses. */
export interface CacheLogger {
  warn(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

/** The costly reads worth a Redis lock so that only one replica fetches them. */
export const DEFAULT_PEER_COALESCE: readonly CommandName[] = ['event_details', 'get_avail_seats', 'seats_sold', 'event_search', 'event_price_info'];

export interface CachedRunnerOptions {
  inner: CommandRunner;
  config: CacheConfig;
  clock?: Clock;
  /** The shared tier; without it the cache is in-process only. */
  l2?: L2Store;
  logger?: CacheLogger;
  metrics?: CacheMetricsSink;
  /** Context handed to def.toFields to build keys (the wire form is the key). */
  context?: CommandContext;
  /** Commands whose misses coalesce across replicas (needs l2). */
  peerCoalesce?: readonly CommandName[];
  /** How long a replica waits for a peer's fetch before fetching itself (bounded by the caller's deadline). */
  peerWaitMs?: number;
  /** L2 poll interval while waiting for a peer. */
  peerPollMs?: number;
}

export interface CachedRunner extends CommandRunner {
  stats(): CacheStats;
  /** Evicts by tag (also in L2 and other replicas when shared). */
  invalidate(tags: readonly string[]): Promise<void>;
  /** Drops the in-process tier (tests, admin). */
  clear(): void;
  close(): Promise<void>;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export function createCachedRunner(opts: CachedRunnerOptions): CachedRunner {
  return new CachedCommandRunner(opts);
}

class CachedCommandRunner implements CachedRunner {
  private readonly inner: CommandRunner;
  private readonly config: CacheConfig;
  private readonly clock: Clock;
  private readonly l2?: L2Store;
  private readonly logger?: CacheLogger;
  private readonly metrics?: CacheMetricsSink;
  private readonly context: CommandContext;
  private readonly peerCoalesce: ReadonlySet<string>;
  private readonly peerWaitMs: number;
  private readonly peerPollMs: number;
  private readonly l1: ByteLruStore;
  private readonly coalescer = new Coalescer();
  /** orderNum → events seen in that cart, so a payment or abort knows whose availability to evict. */
  private readonly cartEvents = new LRUCache<number, Set<string>>({ max: 10_000 });
  private readonly counters = { l1Hits: 0, l2Hits: 0, coalesced: 0, peerFills: 0, misses: 0, staleServes: 0, invalidations: 0 };

  constructor(opts: CachedRunnerOptions) {
    this.inner = opts.inner;
    this.config = opts.config;
    this.clock = opts.clock ?? systemClock;
    this.l2 = opts.l2;
    this.logger = opts.logger;
    this.metrics = opts.metrics;
    this.context = opts.context ?? { siteName: '' };
    this.peerCoalesce = new Set(opts.peerCoalesce ?? DEFAULT_PEER_COALESCE);
    this.peerWaitMs = opts.peerWaitMs ?? 5_000;
    this.peerPollMs = opts.peerPollMs ?? 20;
    this.l1 = new ByteLruStore(opts.config.maxBytes);
    // Another replica's write: drop our copies too.
    this.l2?.onRemoteInvalidate((tags) => {
      this.coalescer.poison(tags);
      this.l1.invalidate(tags);
    });
  }

  async run<Req, Res>(def: CommandDef<Req, Res>, req: Req, opts: RunOptions = {}): Promise<Res> {
    if (def.kind === 'write') return this.runWrite(def, req, opts);
    const ttl = this.config.ttlMs[def.name] ?? 0;
    if (!(ttl > 0)) return this.runUncached(def, req, opts);
    const key = cacheKey(def, req, this.context);
    if (key === undefined) return this.inner.run(def, req, opts);

    const now = this.clock.now();
    const hit = this.l1.get(key, now);
    if (hit && hit.expiresAt > now) {
      this.count(def.name, 'hit', opts);
      return hit.value as Res;
    }

    const { flight, leader } = this.coalescer.acquire<Res>(key, readTags(def.name, req, undefined), now, (f) =>
      this.fetch(def, req, key, ttl, opts, f),
    );
    try {
      const out = await flight.join(opts.signal);
      if (!leader) this.count(def.name, 'coalesced', opts);
      else if (out.source === 'l2') this.count(def.name, 'l2', opts);
      else if (out.source === 'peer') this.count(def.name, 'peer', opts);
      // An upstream answer was counted as a miss when the leader went upstream.
      return out.value;
    } catch (error) {
      if (!isRefusal(error)) throw error;
      const stale = await this.staleEntry(key);
      if (!stale) throw error;
      const at = this.clock.now();
      markStale(opts.trace, stale, at);
      this.counters.staleServes++;
      this.metrics?.cacheResult(def.name, 'stale');
      this.logger?.debug?.({ command: def.name, requestId: opts.requestId, code: error.code }, 'served a stale answer');
      return stale.value as Res;
    }
  }

  stats(): CacheStats {
    const c = this.counters;
    const hits = c.l1Hits + c.l2Hits + c.coalesced + c.peerFills;
    return {
      hits,
      misses: c.misses,
      l1Hits: c.l1Hits,
      l2Hits: c.l2Hits,
      coalesced: c.coalesced,
      peerFills: c.peerFills,
      staleServes: c.staleServes,
      hitRatio: hits + c.misses === 0 ? 0 : hits / (hits + c.misses),
      entries: this.l1.size,
      bytes: this.l1.bytes,
      maxBytes: this.l1.maxBytes,
      invalidations: c.invalidations,
    };
  }

  async invalidate(tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return;
    this.counters.invalidations++;
    this.coalescer.poison(tags);
    this.l1.invalidate(tags);
    if (this.l2) await this.quietly('invalidate', () => this.l2!.invalidate(tags));
  }

  clear(): void {
    this.l1.clear();
  }

  async close(): Promise<void> {
    await this.l2?.close();
  }

  // ── reads ─────────────────────────────────────────────────────────────────────────────────

  /** The leader's work for one key: L2, then a peer's fetch, then the upstream. */
  private async fetch<Req, Res>(
    def: CommandDef<Req, Res>,
    req: Req,
    key: string,
    ttl: number,
    opts: RunOptions,
    flight: Flight<Res>,
  ): Promise<FlightResult<Res>> {
    const l2 = this.l2;
    let lock: LockHandle | undefined;
    if (l2) {
      const shared = await this.quietly('get', () => l2.get(key));
      if (shared && shared.expiresAt > this.clock.now()) return { value: this.keepL1(key, shared).value as Res, source: 'l2' };
      if (this.peerCoalesce.has(def.name)) {
        let lockFailed = false;
        lock = await this.quietly('lock', () => l2.tryLock(key, this.peerWaitMs), () => (lockFailed = true));
        // Not locked because a peer holds it (not because Redis failed): wait for its answer.
        if (!lock && !lockFailed) {
          const filled = await this.waitForPeer(key, opts.deadline, flight.controller.signal);
          if (filled) return { value: this.keepL1(key, filled).value as Res, source: 'peer' };
          // The peer gave up or failed: fetch ourselves (under the shared budget all the same).
          lock = await this.quietly('lock', () => l2.tryLock(key, this.peerWaitMs));
        }
      }
    }
    try {
      this.counters.misses++;
      this.metrics?.cacheResult(def.name, 'miss');
      const value = await this.inner.run(def, req, { ...opts, signal: flight.controller.signal });
      if (!flight.poisoned) await this.store(def.name, key, req, value, ttl, flight.startedAt);
      this.noteCart(def.name, req, value);
      return { value, source: 'upstream' };
    } finally {
      if (lock) await this.quietly('unlock', () => lock!.release());
    }
  }

  private async store(command: string, key: string, req: unknown, value: unknown, ttl: number, startedAt: number): Promise<void> {
    const now = this.clock.now();
    const entry: CacheEntry = {
      value: deepFreeze(value),
      storedAt: now,
      expiresAt: now + ttl,
      staleUntil: now + ttl + this.config.staleGraceMs,
      tags: readTags(command, req, value),
    };
    this.l1.set(key, entry);
    this.metrics?.cacheSize?.(this.l1.bytes, this.l1.size);
    if (this.l2) await this.quietly('set', () => this.l2!.set(key, entry, startedAt));
  }

  private keepL1(key: string, entry: CacheEntry): CacheEntry {
    deepFreeze(entry.value);
    this.l1.set(key, entry);
    return entry;
  }

  /** Waits (bounded) while another replica holds the key's fetch lock; its answer, if it lands. */
  private async waitForPeer(key: string, deadline: number | undefined, signal: AbortSignal): Promise<CacheEntry | undefined> {
    const l2 = this.l2!;
    const start = this.clock.now();
    let until = start + this.peerWaitMs;
    if (deadline !== undefined) until = Math.min(until, deadline);
    const maxRounds = Math.ceil(this.peerWaitMs / this.peerPollMs) + 1;
    for (let round = 0; round < maxRounds && this.clock.now() < until; round++) {
      await this.clock.sleep(this.peerPollMs, signal);
      const entry = await this.quietly('get', () => l2.get(key));
      if (entry && entry.expiresAt > this.clock.now()) return entry;
      const locked = await this.quietly('lock', () => l2.isLocked(key));
      if (!locked) {
        const last = await this.quietly('get', () => l2.get(key));
        return last && last.expiresAt > this.clock.now() ? last : undefined;
      }
    }
    return undefined;
  }

  private async staleEntry(key: string): Promise<CacheEntry | undefined> {
    const now = this.clock.now();
    const local = this.l1.peek(key, now);
    if (servable(local, now)) return local;
    if (!this.l2) return undefined;
    const shared = await this.quietly('get', () => this.l2!.get(key));
    return servable(shared, now) ? shared : undefined;
  }

  /** A read that is never cached (TTL 0): check_out still tells us a cart's events and binds the cart. */
  private async runUncached<Req, Res>(def: CommandDef<Req, Res>, req: Req, opts: RunOptions): Promise<Res> {
    if (def.name !== 'check_out') return this.inner.run(def, req, opts);
    let value: Res | undefined;
    try {
      value = await this.inner.run(def, req, opts);
      this.noteCart(def.name, req, value);
      return value;
    } finally {
      await this.invalidate(writeTags(def.name, req, value, []));
    }
  }

  // ── writes ────────────────────────────────────────────────────────────────────────────────

  private async runWrite<Req, Res>(def: CommandDef<Req, Res>, req: Req, opts: RunOptions): Promise<Res> {
    let value: Res | undefined;
    try {
      value = await this.inner.run(def, req, opts);
      return value;
    } finally {
      // Also after a failure: a write whose outcome is unknown may have happened.
      this.noteCart(def.name, req, value);
      const orderNum = cartOfWrite(def.name, req);
      const events = orderNum === undefined ? [] : await this.knownCartEvents(orderNum);
      await this.invalidate(writeTags(def.name, req, value, events));
      if (orderNum !== undefined && (def.name === 'payment_request' || def.name === 'abort_shopping_cart') && value !== undefined) {
        this.cartEvents.delete(orderNum);
      }
    }
  }

  private noteCart(command: string, req: unknown, value: unknown): void {
    const seen = cartEventsOf(command, req, value);
    if (!seen || seen.events.length === 0) return;
    let set = this.cartEvents.get(seen.orderNum);
    if (!set) this.cartEvents.set(seen.orderNum, (set = new Set()));
    for (const e of seen.events) set.add(e);
    if (this.l2) void this.quietly('cart', () => this.l2!.addCartEvents(seen.orderNum, seen.events));
  }

  private async knownCartEvents(orderNum: number): Promise<string[]> {
    const events = new Set(this.cartEvents.get(orderNum) ?? []);
    if (this.l2) for (const e of (await this.quietly('cart', () => this.l2!.cartEvents(orderNum))) ?? []) events.add(e);
    return [...events];
  }

  // ── bookkeeping ───────────────────────────────────────────────────────────────────────────

  private count(command: CommandName, outcome: CacheOutcome, opts: RunOptions): void {
    if (opts.trace) opts.trace.cacheHits++;
    if (outcome === 'hit') this.counters.l1Hits++;
    else if (outcome === 'l2') this.counters.l2Hits++;
    else if (outcome === 'coalesced') this.counters.coalesced++;
    else if (outcome === 'peer') this.counters.peerFills++;
    this.metrics?.cacheResult(command, outcome);
  }

  /** Redis trouble degrades to the in-process tier; it never fails a read. */
  private async quietly<T>(op: string, fn: () => Promise<T>, onError?: () => void): Promise<T | undefined> {
    try {
      return await fn();
    } catch (error) {
      onError?.();
      this.logger?.warn({ op, err: error }, 'shared cache tier failed; continuing without it');
      return undefined;
    }
  }
}
