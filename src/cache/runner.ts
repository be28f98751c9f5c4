/**
 * The cached CommandRunner: wraps another runner (the command client) and, for READ commands with a
 * TTL > 0, answers from L1 (in-process, byte-bounded), then L2 (Redis, when configured), then one
 * shared upstream call per key (in-flight coalescing; across replicas too for the costly commands).
 * event_details' list form is cached event by event (split.ts), so overlapping lists share.
 * Writes pass straight through and evict the reads they make wrong (tags.ts), even when they fail.
 * When the upstream refuses, an expired answer within its grace is served stale (stale.ts), at
 * once: a read that has one is sent fail-fast (no wait for budget, no re-send).
 *
 * Trace accounting (extensions.upstream): the caller whose fetch goes upstream gets the calls (the
 * inner runner counts them on its trace); every other caller served without an upstream call —
 * L1, L2, joined flight, peer replica — counts one cacheHit.
 *
 * Cached values are deep-frozen: one object is handed to many operations, and a resolver that
 * mutated it would corrupt every later answer. A mutation throws instead (ESM is strict mode).
 */
import { LRUCache } from 'lru-cache';
import { noteRead, type CommandContext, type CommandDef, type CommandRunner, type ItemPolicy, type RunOptions } from '../archtics/types.js';
import { systemClock, type Clock } from '../clock.js';
import type { CacheConfig } from '../config.js';
import { Coalescer, Flight, type FlightResult } from './coalesce.js';
import { cacheKey, itemKey, keyOfFields } from './key.js';
import { ByteLruStore } from './lru.js';
import { isRefusal, markStale, servable } from './stale.js';
import type { CacheEntry, CacheMetricsSink, CacheOutcome, CacheStats, L2Store, LockHandle } from './types.js';

/** The slice of a pino logger the cache uses. */
export interface CacheLogger {
  warn(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

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
  /**
   * How long a replica waits for a peer's fetch before fetching itself (bounded by the caller's
   * deadline); also the fetch lock's lifetime. Default 5 s; the gateway uses its read deadline.
   */
  peerWaitMs?: number;
  /** L2 poll interval while waiting for a peer. */
  peerPollMs?: number;
}

export interface CachedRunner extends CommandRunner {
  stats(): CacheStats;
  /** Evicts by tag (also in L2 and other replicas when shared). */
  invalidate(tags: readonly string[]): Promise<void>;
  /** Also tells `listener` the tags of every invalidation made here (the response cache evicts the same). */
  onInvalidate(listener: (tags: readonly string[]) => unknown): void;
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
  private readonly peerWaitMs: number;
  private readonly peerPollMs: number;
  private readonly l1: ByteLruStore;
  private readonly coalescer = new Coalescer();
  /** Item keys being fetched → their flight (one call may carry many items). */
  private readonly itemFlights = new Map<string, Flight<Map<string, unknown>>>();
  /** Tags remembered under a key (a cart's events), for a later invalidation to recall. */
  private readonly remembered = new LRUCache<string, Set<string>>({ max: 10_000 });
  private readonly counters = { l1Hits: 0, l2Hits: 0, coalesced: 0, peerFills: 0, misses: 0, staleServes: 0, invalidations: 0 };
  private readonly invalidationListeners: ((tags: readonly string[]) => unknown)[] = [];

  constructor(opts: CachedRunnerOptions) {
    this.inner = opts.inner;
    this.config = opts.config;
    this.clock = opts.clock ?? systemClock;
    this.l2 = opts.l2;
    this.logger = opts.logger;
    this.metrics = opts.metrics;
    this.context = opts.context ?? { siteName: '' };
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
    const ttl = this.ttlOf(def);
    if (!(ttl > 0)) {
      noteRead(opts.provenance, 0);
      return this.runUncached(def, req, opts);
    }
    const items = def.cache?.items;
    const ids = items?.ids(req);
    if (items && ids) return this.runSplit(def, items, req, ids, ttl, opts);
    const key = cacheKey(def, req, this.context);
    if (key === undefined) {
      noteRead(opts.provenance, 0);
      return this.inner.run(def, req, opts);
    }

    const now = this.clock.now();
    const hit = this.l1.get(key, now);
    if (hit && hit.expiresAt > now) {
      this.count(def.name, 'hit', opts);
      noteRead(opts.provenance, hit.expiresAt, hit.tags);
      return hit.value as Res;
    }

    const { flight, leader } = this.coalescer.acquire<Res>(key, def.cache?.tags?.(req, undefined) ?? [], now, (f) =>
      this.fetch(def, req, key, ttl, opts, f),
    );
    try {
      const out = await flight.join(opts.signal);
      noteRead(opts.provenance, out.expiresAt ?? 0, out.tags);
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
      noteRead(opts.provenance, 0);
      this.counters.staleServes++;
      this.metrics?.cacheResult(def.name, 'stale');
      this.logger?.debug?.({ command: def.name, requestId: opts.requestId, code: error.code }, 'served a stale answer');
      return stale.value as Res;
    }
  }

  /** A fresh L1 answer of a read, synchronously (CommandRunner.peek); counted as the L1 hit run() would count. */
  peek<Req, Res>(def: CommandDef<Req, Res>, req: Req, opts: RunOptions = {}): { value: Res } | undefined {
    if (!(this.ttlOf(def) > 0)) return undefined;
    const now = this.clock.now();
    const policy = def.cache?.items;
    const ids = policy?.ids(req);
    if (policy && ids) {
      const items = new Map<string, unknown>();
      let expiresAt = Number.POSITIVE_INFINITY;
      for (const id of ids) {
        const e = this.l1.get(itemKey(def.name, id), now);
        if (!e || !(e.expiresAt > now)) return undefined;
        items.set(id, e.value);
        expiresAt = Math.min(expiresAt, e.expiresAt);
      }
      this.count(def.name, 'hit', opts);
      noteRead(opts.provenance, expiresAt);
      return { value: policy.assemble(ids, items) };
    }
    const key = cacheKey(def, req, this.context);
    if (key === undefined) return undefined;
    const hit = this.l1.get(key, now);
    if (!hit || !(hit.expiresAt > now)) return undefined;
    this.count(def.name, 'hit', opts);
    noteRead(opts.provenance, hit.expiresAt, hit.tags);
    return { value: hit.value as Res };
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
    const listening = this.invalidationListeners.map((listener) => this.quietly('invalidate', async () => listener(tags)));
    if (this.l2) await this.quietly('invalidate', () => this.l2!.invalidate(tags));
    await Promise.all(listening);
  }

  onInvalidate(listener: (tags: readonly string[]) => unknown): void {
    this.invalidationListeners.push(listener);
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
    // An expired copy within its grace to fall back on: then the read is sent fail-fast.
    let fallback = servable(this.l1.peek(key, this.clock.now()), this.clock.now());
    if (l2) {
      const shared = await this.quietly('get', () => l2.get(key));
      if (shared && shared.expiresAt > this.clock.now()) return { ...this.answerOf<Res>(this.keepL1(key, shared)), source: 'l2' };
      fallback ||= servable(shared, this.clock.now());
      if (def.cache?.shareMisses) {
        let lockFailed = false;
        lock = await this.quietly('lock', () => l2.tryLock(key, this.peerWaitMs), () => (lockFailed = true));
        // Not locked because a peer holds it (not because Redis failed): wait for its answer.
        if (!lock && !lockFailed) {
          const filled = await this.waitForPeer(key, () => this.freshFromL2(key), opts.deadline, flight.controller.signal);
          if (filled) return { ...this.answerOf<Res>(this.keepL1(key, filled)), source: 'peer' };
          // The peer gave up or failed: fetch ourselves (under the shared budget all the same).
          lock = await this.quietly('lock', () => l2.tryLock(key, this.peerWaitMs));
        }
      }
    }
    try {
      this.counters.misses++;
      this.metrics?.cacheResult(def.name, 'miss');
      const value = await this.inner.run(def, req, this.upstreamOptions(opts, flight, fallback));
      const stored = flight.poisoned ? undefined : await this.store(key, def.cache?.tags?.(req, value) ?? [], value, ttl, flight.startedAt);
      this.remember(def, req, value);
      return { value, source: 'upstream', ...(stored ? { expiresAt: stored.expiresAt, tags: stored.tags } : {}) };
    } finally {
      if (lock) await this.quietly('unlock', () => lock!.release());
    }
  }

  /**
   * The options of a flight's upstream call: its own signal, and fail-fast when every caller has
   * a stale copy to fall back on — a refusal is then served stale at once, not waited out.
   */
  private upstreamOptions(opts: RunOptions, flight: Flight<unknown>, fallback: boolean): RunOptions {
    return { ...opts, signal: flight.controller.signal, ...(fallback ? { failFast: true } : {}) };
  }

  private async store(key: string, tags: string[], value: unknown, ttl: number, startedAt: number): Promise<CacheEntry> {
    const now = this.clock.now();
    const entry: CacheEntry = {
      value: deepFreeze(value),
      storedAt: now,
      expiresAt: now + ttl,
      staleUntil: now + ttl + this.config.staleGraceMs,
      tags,
    };
    this.l1.set(key, entry);
    this.metrics?.cacheSize?.(this.l1.bytes, this.l1.size);
    if (this.l2) await this.quietly('set', () => this.l2!.set(key, entry, startedAt));
    return entry;
  }

  /** A flight's answer from a cache entry, with what Provenance needs. */
  private answerOf<Res>(entry: CacheEntry): { value: Res; expiresAt: number; tags: readonly string[] } {
    return { value: entry.value as Res, expiresAt: entry.expiresAt, tags: entry.tags };
  }

  private keepL1(key: string, entry: CacheEntry): CacheEntry {
    deepFreeze(entry.value);
    this.l1.set(key, entry);
    return entry;
  }

  /**
   * Waits (bounded by peerWaitMs and the caller's deadline) while another replica holds the fetch
   * lock `lockKey`; resolves with what `probe` finds in L2 once it lands, or undefined when the
   * peer gave up (lock gone, nothing landed) or the wait ran out.
   */
  private async waitForPeer<T>(lockKey: string, probe: () => Promise<T | undefined>, deadline: number | undefined, signal: AbortSignal): Promise<T | undefined> {
    const l2 = this.l2!;
    const start = this.clock.now();
    let until = start + this.peerWaitMs;
    if (deadline !== undefined) until = Math.min(until, deadline);
    const maxRounds = Math.ceil(this.peerWaitMs / this.peerPollMs) + 1;
    for (let round = 0; round < maxRounds && this.clock.now() < until; round++) {
      await this.clock.sleep(this.peerPollMs, signal);
      const found = await probe();
      if (found !== undefined) return found;
      const locked = await this.quietly('lock', () => l2.isLocked(lockKey));
      if (!locked) return probe();
    }
    return undefined;
  }

  /** The L2 entry of `key` if fresh now. */
  private async freshFromL2(key: string): Promise<CacheEntry | undefined> {
    const entry = await this.quietly('get', () => this.l2!.get(key));
    return entry && entry.expiresAt > this.clock.now() ? entry : undefined;
  }

  private async staleEntry(key: string): Promise<CacheEntry | undefined> {
    const now = this.clock.now();
    const local = this.l1.peek(key, now);
    if (servable(local, now)) return local;
    if (!this.l2) return undefined;
    const shared = await this.quietly('get', () => this.l2!.get(key));
    return servable(shared, now) ? shared : undefined;
  }

  /**
   * A command whose answer is not kept (a write, a TTL-0 read): sent as it is; then what it
   * remembers and invalidates — even when it failed, since a write whose outcome is unknown may
   * have happened.
   */
  private async runUncached<Req, Res>(def: CommandDef<Req, Res>, req: Req, opts: RunOptions): Promise<Res> {
    const policy = def.cache;
    if (!policy?.invalidates && !policy?.remember) return this.inner.run(def, req, opts);
    let value: Res | undefined;
    try {
      value = await this.inner.run(def, req, opts);
      return value;
    } finally {
      this.remember(def, req, value);
      const inval = policy.invalidates?.(req, value);
      if (inval) {
        const { recall } = inval;
        const recalled = recall ? await this.recall(recall.key) : [];
        await this.invalidate([...inval.tags, ...(recall ? (recalled.length > 0 ? recalled : recall.orElse) : [])]);
        if (recall?.forget && value !== undefined) this.remembered.delete(recall.key);
      }
    }
  }

  // ── multi-item commands, item by item (def.cache.items) ────────────────────────────────────

  private async runSplit<Req, Res>(
    def: CommandDef<Req, Res>,
    policy: ItemPolicy<Req, Res>,
    req: Req,
    ids: string[],
    ttl: number,
    opts: RunOptions,
  ): Promise<Res> {
    const key = (id: string) => itemKey(def.name, id);
    const items = new Map<string, unknown>();
    const now = this.clock.now();
    // The first of the items used to go stale bounds the answer (Provenance).
    let expiresAt = Number.POSITIVE_INFINITY;
    let missing: string[] = [];
    for (const id of ids) {
      const e = this.l1.get(key(id), now);
      if (e && e.expiresAt > now) {
        items.set(id, e.value);
        expiresAt = Math.min(expiresAt, e.expiresAt);
      } else missing.push(id);
    }
    if (missing.length === 0) {
      this.count(def.name, 'hit', opts);
      noteRead(opts.provenance, expiresAt);
      return policy.assemble(ids, items);
    }
    let outcome: CacheOutcome = 'hit';
    // Items with an expired copy within its grace (L1 or L2): a call for only those is fail-fast.
    const fallbacks = new Set(missing.filter((id) => servable(this.l1.peek(key(id), now), now)));
    if (this.l2) {
      const shared = await this.quietly('get', () => this.l2!.getMany(missing.map(key)));
      if (shared) {
        const at = this.clock.now();
        missing = missing.filter((id, i) => {
          const e = shared[i];
          if (servable(e, at)) fallbacks.add(id);
          if (!e || !(e.expiresAt > at)) return true;
          items.set(id, this.keepL1(key(id), e).value);
          expiresAt = Math.min(expiresAt, e.expiresAt);
          outcome = 'l2';
          return false;
        });
      }
      if (missing.length === 0) {
        this.count(def.name, outcome, opts);
        noteRead(opts.provenance, expiresAt);
        return policy.assemble(ids, items);
      }
    }

    // Items another operation is already fetching are joined; the rest go in ONE call of ours.
    const joined = new Map<Flight<Map<string, unknown>>, true>();
    const toFetch: string[] = [];
    for (const id of missing) {
      const f = this.itemFlights.get(key(id));
      if (f) joined.set(f, true);
      else toFetch.push(id);
    }
    let led: Flight<Map<string, unknown>> | undefined;
    if (toFetch.length > 0) {
      const batchKey = keyOfFields(def.name, { batch: [...toFetch].sort() });
      const fallback = toFetch.every((id) => fallbacks.has(id));
      const flight = new Flight<Map<string, unknown>>(batchKey, [], now, (f) => this.fetchItems(def, policy, req, toFetch, batchKey, ttl, opts, f, fallback));
      led = flight;
      for (const id of toFetch) this.itemFlights.set(key(id), flight);
      const forget = () => {
        for (const id of toFetch) if (this.itemFlights.get(key(id)) === flight) this.itemFlights.delete(key(id));
      };
      flight.promise.then(forget, forget);
    }
    try {
      const flights = [...(led ? [led] : []), ...joined.keys()];
      const results = await Promise.all(flights.map((f) => f.join(opts.signal)));
      for (const r of results) {
        for (const id of missing) if (r.value.has(id)) items.set(id, r.value.get(id));
        expiresAt = Math.min(expiresAt, r.expiresAt ?? 0);
      }
      noteRead(opts.provenance, expiresAt);
      if (!led || results[0].source !== 'upstream') {
        // No call of our own: a hit (joined, peer's or L2) for this operation's trace.
        this.count(def.name, led ? (results[0].source === 'peer' ? 'peer' : 'l2') : 'coalesced', opts);
      }
      return policy.assemble(ids, items);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      // Every item still missing needs a servable stale copy, or the refusal stands.
      let oldest: CacheEntry | undefined;
      for (const id of missing) {
        if (items.has(id)) continue;
        const e = await this.staleEntry(key(id));
        if (!e) throw error;
        items.set(id, e.value);
        if (!oldest || e.storedAt < oldest.storedAt) oldest = e;
      }
      noteRead(opts.provenance, 0);
      if (oldest) {
        markStale(opts.trace, oldest, this.clock.now());
        this.counters.staleServes++;
        this.metrics?.cacheResult(def.name, 'stale');
      }
      return policy.assemble(ids, items);
    }
  }

  /** One upstream call for `ids` (or a peer replica's, through the batch lock); stores every item. */
  private async fetchItems<Req, Res>(
    def: CommandDef<Req, Res>,
    policy: ItemPolicy<Req, Res>,
    req: Req,
    ids: string[],
    batchKey: string,
    ttl: number,
    opts: RunOptions,
    flight: Flight<Map<string, unknown>>,
    fallback: boolean,
  ): Promise<FlightResult<Map<string, unknown>>> {
    const key = (id: string) => itemKey(def.name, id);
    const l2 = this.l2;
    let lock: LockHandle | undefined;
    if (l2 && def.cache?.shareMisses) {
      let lockFailed = false;
      lock = await this.quietly('lock', () => l2.tryLock(batchKey, this.peerWaitMs), () => (lockFailed = true));
      if (!lock && !lockFailed) {
        const probe = async () => {
          const shared = await this.quietly('get', () => l2.getMany(ids.map(key)));
          const at = this.clock.now();
          if (!shared || !shared.every((e) => e && e.expiresAt > at)) return undefined;
          const value = new Map(ids.map((id, i) => [id, this.keepL1(key(id), shared[i]!).value]));
          return { value, expiresAt: Math.min(...shared.map((e) => e!.expiresAt)) };
        };
        const filled = await this.waitForPeer(batchKey, probe, opts.deadline, flight.controller.signal);
        if (filled) return { ...filled, source: 'peer' };
        lock = await this.quietly('lock', () => l2.tryLock(batchKey, this.peerWaitMs));
      }
    }
    try {
      this.counters.misses++;
      this.metrics?.cacheResult(def.name, 'miss');
      const res = await this.inner.run(def, policy.request(req, ids) as Req, this.upstreamOptions(opts, flight, fallback));
      const items = policy.split(res, ids);
      const stored = await Promise.all([...items].map(([id, v]) => this.store(key(id), [], v, ttl, flight.startedAt)));
      return { value: items, source: 'upstream', expiresAt: Math.min(...stored.map((e) => e.expiresAt)) };
    } finally {
      if (lock) await this.quietly('unlock', () => lock!.release());
    }
  }

  // ── remembered tags (def.cache.remember / invalidates' recall) ─────────────────────────────

  private remember<Req, Res>(def: CommandDef<Req, Res>, req: Req, value: Res | undefined): void {
    const seen = def.cache?.remember?.(req, value);
    if (!seen || seen.tags.length === 0) return;
    let set = this.remembered.get(seen.key);
    if (!set) this.remembered.set(seen.key, (set = new Set()));
    for (const t of seen.tags) set.add(t);
    if (this.l2) void this.quietly('remember', () => this.l2!.remember(seen.key, seen.tags));
  }

  private async recall(key: string): Promise<string[]> {
    const tags = new Set(this.remembered.get(key) ?? []);
    if (this.l2) for (const t of (await this.quietly('recall', () => this.l2!.recall(key))) ?? []) tags.add(t);
    return [...tags];
  }

  private ttlOf<Req, Res>(def: CommandDef<Req, Res>): number {
    if (def.kind === 'write') return 0;
    return this.config.ttlMs[def.name] ?? def.cache?.ttlMs ?? 0;
  }

  // ── bookkeeping ───────────────────────────────────────────────────────────────────────────

  private count(command: string, outcome: CacheOutcome, opts: RunOptions): void {
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
