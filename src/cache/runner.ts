/**
 * The cached CommandRunner: wraps another runner (the command client) and, for READ commands with a
 * TTL > 0, answers from L1 (in-process, byte-bounded), then L2 (Redis, when configured), then one
 * shared upstream call per key (in-flight coalescing; across replicas too for the costly commands).
 * A multi-item command's list form is cached item by item (def.cache.items), so overlapping lists
 * share; with def.cache.catalogue, from ONE entry holding the whole collection (catalogue.ts).
 * Hot reads whose definition allows it are renewed before they expire with budget no caller needs
 * (refresh-ahead.ts, the budget's 'idle' priority). Writes pass straight through and evict the
 * reads they make wrong (def.cache.invalidates), even when they fail.
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
import {
  newTrace,
  noteRead,
  type CataloguePolicy,
  type CommandContext,
  type CommandDef,
  type CommandRunner,
  type ItemPolicy,
  type RunOptions,
} from '../archtics/types.js';
import { systemClock, type Clock } from '../clock.js';
import type { CacheConfig } from '../config.js';
import { catalogueIndex, catalogueKey, fetchCatalogue, type CatalogueValue } from './catalogue.js';
import { Coalescer, Flight, type FlightResult } from './coalesce.js';
import { cacheKey, itemKey, keyOfFields } from './key.js';
import { ByteLruStore } from './lru.js';
import {
  HotKeys,
  MemoryRefreshLedger,
  Refresher,
  refreshKey,
  type RefreshLedger,
  type RefreshOutcome,
  type RefreshPorts,
} from './refresh-ahead.js';
import { share } from './shared.js';
import { isBudgetRefusal, isRefusal, markStale, servable } from './stale.js';
import type {
  CacheEntry,
  CacheMetricsSink,
  CacheOutcome,
  CacheStats,
  L2Store,
  LockHandle,
} from './types.js';

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
  /** Where the refresher's spend is counted (default in memory; replicas share one in Redis). */
  refreshLedger?: RefreshLedger;
  /** Told of every refresh-ahead attempt (benchmarks). */
  onRefresh?(e: RefreshEvent): void;
}

export interface RefreshEvent {
  command: string;
  outcome: RefreshOutcome;
  /** POSTs it spent (first send and polls). */
  posts: number;
}

/** What the refresher re-runs: one cached read, or a whole catalogue. */
interface RefreshJob {
  def: CommandDef<unknown, unknown>;
  req: unknown;
  ttl: number;
  catalogue?: CataloguePolicy<unknown>;
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
  private readonly counters = {
    l1Hits: 0,
    l2Hits: 0,
    coalesced: 0,
    peerFills: 0,
    misses: 0,
    staleServes: 0,
    invalidations: 0,
  };
  private readonly invalidationListeners: ((tags: readonly string[]) => unknown)[] = [];
  private readonly hot?: HotKeys<RefreshJob>;
  private readonly refresher?: Refresher<RefreshJob>;
  /** Bumped by every invalidation: a refresh that saw it move does not store its (maybe older) answer. */
  private invalidationSeq = 0;

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
      this.invalidationSeq++;
      this.coalescer.poison(tags);
      this.l1.invalidate(tags);
    });
    const refresh = opts.config.refresh;
    if (refresh?.enabled && refresh.maxPerMinute > 0) {
      const hot = (this.hot = new HotKeys<RefreshJob>({
        aheadFraction: refresh.aheadFraction,
        decayMs: refresh.decayMs,
        minScore: refresh.minHotness,
        minExpectedReads: refresh.minExpectedReads ?? 0,
      }));
      const ports = this.refreshPorts(refresh.headroom);
      this.refresher = new Refresher<RefreshJob>({
        clock: this.clock,
        hot,
        ledger: opts.refreshLedger ?? new MemoryRefreshLedger(refresh.maxPerMinute),
        tickMs: refresh.tickMs,
        refresh: (key, budget) =>
          refreshKey(hot, key, budget, ports, () => this.clock.now(), refresh.aheadFraction),
        onOutcome: (key, outcome, posts) => {
          this.metrics?.cacheRefresh?.(key.job.def.name, outcome, posts);
          opts.onRefresh?.({ command: key.job.def.name, outcome, posts });
          if (outcome === 'failed')
            this.logger?.debug?.(
              { command: key.job.def.name },
              'refresh-ahead failed; the entry stays as it was',
            );
        },
      });
      this.refresher.start();
    }
  }

  async run<Req, Res>(def: CommandDef<Req, Res>, req: Req, opts: RunOptions = {}): Promise<Res> {
    const ttl = this.ttlOf(def);
    if (!(ttl > 0)) {
      noteRead(opts.provenance, 0);
      return this.runUncached(def, req, opts);
    }
    const items = def.cache?.items;
    const ids = items?.ids(req);
    const catalogue = this.catalogueOf(def);
    if (items && ids && catalogue)
      return this.runCatalogued(def, items, catalogue, req, ids, ttl, opts);
    if (items && ids) return this.runSplit(def, items, req, ids, ttl, opts);
    const key = cacheKey(def, req, this.context);
    if (key === undefined) {
      noteRead(opts.provenance, 0);
      return this.inner.run(def, req, opts);
    }

    const now = this.clock.now();
    const hit = this.l1.get(key, now);
    this.noteHot(key, { def: def as CommandDef<unknown, unknown>, req, ttl }, now, hit);
    if (hit && hit.expiresAt > now) {
      this.count(def.name, 'hit', opts, hit);
      noteRead(opts.provenance, hit.expiresAt, hit.tags);
      return hit.value as Res;
    }

    const { flight, leader } = this.coalescer.acquire<Res>(
      key,
      def.cache?.tags?.(req, undefined) ?? [],
      now,
      (f) => this.fetch(def, req, key, ttl, opts, f),
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
      this.logger?.debug?.(
        { command: def.name, requestId: opts.requestId, code: error.code },
        'served a stale answer',
      );
      return stale.value as Res;
    }
  }

  /** A fresh L1 answer of a read, synchronously (CommandRunner.peek); counted as the L1 hit run() would count. */
  peek<Req, Res>(
    def: CommandDef<Req, Res>,
    req: Req,
    opts: RunOptions = {},
  ): { value: Res } | undefined {
    const ttl = this.ttlOf(def);
    if (!(ttl > 0)) return undefined;
    const now = this.clock.now();
    const policy = def.cache?.items;
    const ids = policy?.ids(req);
    const catalogue = this.catalogueOf(def);
    if (policy && ids && catalogue) {
      const key = catalogueKey(def.name);
      const entry = this.l1.get(key, now);
      this.noteHot(key, this.catalogueJob(def, catalogue), now, entry);
      if (!entry || !(entry.expiresAt > now)) return undefined;
      const index = catalogueIndex(entry.value as CatalogueValue);
      if (!ids.every((id) => index.has(id))) return undefined;
      this.count(def.name, 'hit', this.itemPeekOptions(def.name, opts), entry);
      noteRead(opts.provenance, entry.expiresAt, entry.tags);
      return { value: policy.assemble(ids, index) };
    }
    if (policy && ids) {
      const items = new Map<string, unknown>();
      let expiresAt = Number.POSITIVE_INFINITY;
      for (const id of ids) {
        const e = this.l1.get(itemKey(def.name, id), now);
        if (!e || !(e.expiresAt > now)) return undefined;
        items.set(id, e.value);
        expiresAt = Math.min(expiresAt, e.expiresAt);
      }
      this.count(def.name, 'hit', this.itemPeekOptions(def.name, opts));
      noteRead(opts.provenance, expiresAt);
      return { value: policy.assemble(ids, items) };
    }
    const key = cacheKey(def, req, this.context);
    if (key === undefined) return undefined;
    const hit = this.l1.get(key, now);
    this.noteHot(key, { def: def as CommandDef<unknown, unknown>, req, ttl }, now, hit);
    if (!hit || !(hit.expiresAt > now)) return undefined;
    this.count(def.name, 'hit', opts, hit);
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
    this.invalidationSeq++;
    this.coalescer.poison(tags);
    this.l1.invalidate(tags);
    const listening = this.invalidationListeners.map((listener) =>
      this.quietly('invalidate', async () => listener(tags)),
    );
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
    await this.refresher?.stop();
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
      if (shared && shared.expiresAt > this.clock.now())
        return { ...this.answerOf<Res>(this.keepL1(key, shared)), source: 'l2' };
      fallback ||= servable(shared, this.clock.now());
      if (def.cache?.shareMisses) {
        let lockFailed = false;
        lock = await this.quietly(
          'lock',
          () => l2.tryLock(key, this.peerWaitMs),
          () => (lockFailed = true),
        );
        // Not locked because a peer holds it (not because Redis failed): wait for its answer.
        if (!lock && !lockFailed) {
          const filled = await this.waitForPeer(
            key,
            () => this.freshFromL2(key),
            opts.deadline,
            flight.controller.signal,
          );
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
      const stored = flight.poisoned
        ? undefined
        : await this.store(key, def.cache?.tags?.(req, value) ?? [], value, ttl, flight.startedAt);
      this.remember(def, req, value);
      return {
        value,
        source: 'upstream',
        ...(stored ? { expiresAt: stored.expiresAt, tags: stored.tags } : {}),
      };
    } finally {
      if (lock) await this.quietly('unlock', () => lock!.release());
    }
  }

  /**
   * The options of a flight's upstream call: its own signal, and fail-fast when every caller has
   * a stale copy to fall back on — a refusal is then served stale at once, not waited out.
   */
  private upstreamOptions(
    opts: RunOptions,
    flight: Flight<unknown>,
    fallback: boolean,
  ): RunOptions {
    return { ...opts, signal: flight.controller.signal, ...(fallback ? { failFast: true } : {}) };
  }

  private async store(
    key: string,
    tags: string[],
    value: unknown,
    ttl: number,
    startedAt: number,
    refreshed = false,
  ): Promise<CacheEntry> {
    const now = this.clock.now();
    const entry: CacheEntry = {
      value: share(value),
      storedAt: now,
      expiresAt: now + ttl,
      staleUntil: now + ttl + this.config.staleGraceMs,
      tags,
      ...(refreshed ? { refreshed: true } : {}),
    };
    this.l1.set(key, entry);
    this.hot?.stored(key, entry.expiresAt, ttl);
    this.metrics?.cacheSize?.(this.l1.bytes, this.l1.size);
    if (this.l2) await this.quietly('set', () => this.l2!.set(key, entry, startedAt));
    return entry;
  }

  /** A flight's answer from a cache entry, with what Provenance needs. */
  private answerOf<Res>(entry: CacheEntry): {
    value: Res;
    expiresAt: number;
    tags: readonly string[];
  } {
    return { value: entry.value as Res, expiresAt: entry.expiresAt, tags: entry.tags };
  }

  private keepL1(key: string, entry: CacheEntry): CacheEntry {
    share(entry.value);
    this.l1.set(key, entry);
    this.hot?.stored(key, entry.expiresAt, entry.expiresAt - entry.storedAt);
    return entry;
  }

  /**
   * Waits (bounded by peerWaitMs and the caller's deadline) while another replica holds the fetch
   * lock `lockKey`; resolves with what `probe` finds in L2 once it lands, or undefined when the
   * peer gave up (lock gone, nothing landed) or the wait ran out.
   */
  private async waitForPeer<T>(
    lockKey: string,
    probe: () => Promise<T | undefined>,
    deadline: number | undefined,
    signal: AbortSignal,
  ): Promise<T | undefined> {
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
  private async runUncached<Req, Res>(
    def: CommandDef<Req, Res>,
    req: Req,
    opts: RunOptions,
  ): Promise<Res> {
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
        await this.invalidate([
          ...inval.tags,
          ...(recall ? (recalled.length > 0 ? recalled : recall.orElse) : []),
        ]);
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
      const flight = new Flight<Map<string, unknown>>(batchKey, [], now, (f) =>
        this.fetchItems(def, policy, req, toFetch, batchKey, ttl, opts, f, fallback),
      );
      led = flight;
      for (const id of toFetch) this.itemFlights.set(key(id), flight);
      const forget = () => {
        for (const id of toFetch)
          if (this.itemFlights.get(key(id)) === flight) this.itemFlights.delete(key(id));
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
        this.count(
          def.name,
          led ? (results[0].source === 'peer' ? 'peer' : 'l2') : 'coalesced',
          opts,
        );
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
      lock = await this.quietly(
        'lock',
        () => l2.tryLock(batchKey, this.peerWaitMs),
        () => (lockFailed = true),
      );
      if (!lock && !lockFailed) {
        const probe = async () => {
          const shared = await this.quietly('get', () => l2.getMany(ids.map(key)));
          const at = this.clock.now();
          if (!shared || !shared.every((e) => e && e.expiresAt > at)) return undefined;
          const value = new Map(ids.map((id, i) => [id, this.keepL1(key(id), shared[i]!).value]));
          return { value, expiresAt: Math.min(...shared.map((e) => e!.expiresAt)) };
        };
        const filled = await this.waitForPeer(
          batchKey,
          probe,
          opts.deadline,
          flight.controller.signal,
        );
        if (filled) return { ...filled, source: 'peer' };
        lock = await this.quietly('lock', () => l2.tryLock(batchKey, this.peerWaitMs));
      }
    }
    try {
      this.counters.misses++;
      this.metrics?.cacheResult(def.name, 'miss');
      const res = await this.inner.run(
        def,
        policy.request(req, ids) as Req,
        this.upstreamOptions(opts, flight, fallback),
      );
      const items = policy.split(res, ids);
      const stored = await Promise.all(
        [...items].map(([id, v]) => this.store(key(id), [], v, ttl, flight.startedAt)),
      );
      return {
        value: items,
        source: 'upstream',
        expiresAt: Math.min(...stored.map((e) => e.expiresAt)),
      };
    } finally {
      if (lock) await this.quietly('unlock', () => lock!.release());
    }
  }

  // ── the catalogue (def.cache.catalogue, catalogue.ts) ─────────────────────────────────────

  private catalogueOf<Req, Res>(def: CommandDef<Req, Res>): CataloguePolicy<Res> | undefined {
    return this.config.catalogue?.enabled && this.config.catalogue.ttlMs > 0
      ? def.cache?.catalogue
      : undefined;
  }

  private catalogueJob<Req, Res>(
    def: CommandDef<Req, Res>,
    catalogue: CataloguePolicy<Res>,
  ): RefreshJob {
    return {
      def: def as CommandDef<unknown, unknown>,
      req: undefined,
      ttl: this.config.catalogue!.ttlMs,
      catalogue: catalogue as CataloguePolicy<unknown>,
    };
  }

  /**
   * A list of ids from the catalogue entry (fetched whole when absent or expired); ids it lacks go
   * item by item as without it. When the catalogue cannot be had (the upstream refuses and no stale
   * copy is left), the item path answers.
   */
  private async runCatalogued<Req, Res>(
    def: CommandDef<Req, Res>,
    items: ItemPolicy<Req, Res>,
    catalogue: CataloguePolicy<Res>,
    req: Req,
    ids: string[],
    ttl: number,
    opts: RunOptions,
  ): Promise<Res> {
    const key = catalogueKey(def.name);
    const now = this.clock.now();
    let entry = this.l1.get(key, now);
    this.noteHot(key, this.catalogueJob(def, catalogue), now, entry);
    if (entry && entry.expiresAt > now) this.count(def.name, 'hit', opts, entry);
    else {
      const { flight, leader } = this.coalescer.acquire<CatalogueValue>(key, [], now, (f) =>
        this.fetchCatalogueEntry(def, catalogue, key, opts, f),
      );
      try {
        const out = await flight.join(opts.signal);
        if (!leader) this.count(def.name, 'coalesced', opts);
        else if (out.source === 'l2') this.count(def.name, 'l2', opts);
        else if (out.source === 'peer') this.count(def.name, 'peer', opts);
        const at = this.clock.now();
        entry = this.l1.peek(key, at) ?? {
          value: out.value,
          storedAt: at,
          expiresAt: out.expiresAt ?? 0,
          staleUntil: 0,
          tags: [...(out.tags ?? [])],
        };
      } catch (error) {
        if (!isRefusal(error)) throw error;
        const stale = await this.staleEntry(key);
        if (!stale) return this.runSplit(def, items, req, ids, ttl, opts);
        markStale(opts.trace, stale, this.clock.now());
        this.counters.staleServes++;
        this.metrics?.cacheResult(def.name, 'stale');
        entry = stale;
      }
    }
    const index = catalogueIndex(entry.value as CatalogueValue);
    const missing = ids.filter((id) => !index.has(id));
    // A stale catalogue makes the operation's answer uncacheable (0), like any stale read.
    noteRead(opts.provenance, entry.expiresAt > this.clock.now() ? entry.expiresAt : 0, entry.tags);
    if (missing.length === 0) return items.assemble(ids, index);
    // Not in the catalogue (created since it was read): item by item, cached as usual.
    const rest = await this.runSplit(
      def,
      items,
      items.request(req, missing) as Req,
      missing,
      ttl,
      opts,
    );
    const found = new Map<string, unknown>(
      ids.filter((id) => index.has(id)).map((id) => [id, index.get(id)]),
    );
    for (const [id, item] of items.split(rest, missing)) found.set(id, item);
    return items.assemble(ids, found);
  }

  /** The leader's work for a catalogue: L2, a peer's read of it, else every page upstream. */
  private async fetchCatalogueEntry<Req, Res>(
    def: CommandDef<Req, Res>,
    catalogue: CataloguePolicy<Res>,
    key: string,
    opts: RunOptions,
    flight: Flight<CatalogueValue>,
  ): Promise<FlightResult<CatalogueValue>> {
    const l2 = this.l2;
    let lock: LockHandle | undefined;
    if (l2) {
      const shared = await this.freshFromL2(key);
      if (shared)
        return { ...this.answerOf<CatalogueValue>(this.keepL1(key, shared)), source: 'l2' };
      // One replica reads the catalogue; the others wait for it in L2 (as for any shared miss).
      let lockFailed = false;
      lock = await this.quietly(
        'lock',
        () => l2.tryLock(key, this.peerWaitMs),
        () => (lockFailed = true),
      );
      if (!lock && !lockFailed) {
        const filled = await this.waitForPeer(
          key,
          () => this.freshFromL2(key),
          opts.deadline,
          flight.controller.signal,
        );
        if (filled)
          return { ...this.answerOf<CatalogueValue>(this.keepL1(key, filled)), source: 'peer' };
        lock = await this.quietly('lock', () => l2.tryLock(key, this.peerWaitMs));
      }
    }
    try {
      this.counters.misses++;
      this.metrics?.cacheResult(def.name, 'miss');
      const { value, tags } = await this.readCatalogue(def, catalogue, {
        ...opts,
        signal: flight.controller.signal,
      });
      const stored = flight.poisoned
        ? undefined
        : await this.store(key, tags, value, this.config.catalogue!.ttlMs, flight.startedAt);
      return {
        value,
        source: 'upstream',
        ...(stored ? { expiresAt: stored.expiresAt, tags: stored.tags } : {}),
      };
    } finally {
      if (lock) await this.quietly('unlock', () => lock!.release());
    }
  }

  /** Every page of a catalogue through the inner runner, with the tags its pages' answers carry. */
  private async readCatalogue<Req, Res>(
    def: CommandDef<Req, Res>,
    catalogue: CataloguePolicy<Res>,
    opts: RunOptions,
  ): Promise<{ value: CatalogueValue; tags: string[] }> {
    const tags = new Set<string>();
    const value = await fetchCatalogue(catalogue, async (pageReq) => {
      const res = await this.inner.run(def, pageReq as Req, opts);
      for (const t of def.cache?.tags?.(pageReq as Req, res) ?? []) tags.add(t);
      return res;
    });
    return { value, tags: [...tags] };
  }

  // ── refresh-ahead (refresh-ahead.ts) ─────────────────────────────────────────────────────

  /** A read of `key` (hit or miss) makes it hotter, when its definition allows refreshing it. */
  private noteHot(key: string, job: RefreshJob, now: number, entry: CacheEntry | undefined): void {
    if (!this.hot || job.def.cache?.refreshAhead !== true) return;
    this.hot.read(
      key,
      job,
      now,
      entry ? { expiresAt: entry.expiresAt, ttlMs: entry.expiresAt - entry.storedAt } : undefined,
    );
  }

  private refreshPorts(headroom: number): RefreshPorts<RefreshJob> {
    return {
      local: (key) => this.l1.peek(key, this.clock.now()),
      adoptShared: async (key) => {
        if (!this.l2) return undefined;
        const shared = await this.freshFromL2(key);
        const local = this.l1.peek(key, this.clock.now());
        if (!shared || (local && local.expiresAt >= shared.expiresAt)) return undefined;
        this.keepL1(key, shared);
        return { expiresAt: shared.expiresAt, ttlMs: shared.expiresAt - shared.storedAt };
      },
      lock: async (key) => {
        const none = { release: async () => undefined };
        if (!this.l2) return none;
        let failed = false;
        const lock = await this.quietly(
          'lock',
          () => this.l2!.tryLock(`refresh:${key}`, this.peerWaitMs),
          () => (failed = true),
        );
        return lock ?? (failed ? none : 'held');
      },
      fetch: async (job, key) => {
        const trace = newTrace();
        const startedAt = this.clock.now();
        const seq = this.invalidationSeq;
        const opts: RunOptions = { idle: { headroom }, trace };
        let value: unknown;
        let tags: string[];
        if (job.catalogue)
          ({ value, tags } = await this.readCatalogue(job.def, job.catalogue, opts));
        else {
          value = await this.inner.run(job.def, job.req, opts);
          tags = job.def.cache?.tags?.(job.req, value) ?? [];
        }
        // Every POST past the first (polls, a catalogue's further pages) counts against the cap too.
        const polls = trace.polls + Math.max(0, trace.calls - 1);
        // A write meanwhile may have made this answer wrong: leave the entry to the next caller.
        if (seq !== this.invalidationSeq) return { expiresAt: 0, ttlMs: job.ttl, polls };
        const entry = await this.store(key, tags, value, job.ttl, startedAt, true);
        if (!job.catalogue) this.remember(job.def, job.req, value);
        return { expiresAt: entry.expiresAt, ttlMs: job.ttl, polls };
      },
      isRefusal: isBudgetRefusal,
    };
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
    if (this.l2)
      for (const t of (await this.quietly('recall', () => this.l2!.recall(key))) ?? []) tags.add(t);
    return [...tags];
  }

  private ttlOf<Req, Res>(def: CommandDef<Req, Res>): number {
    if (def.kind === 'write') return 0;
    return this.config.ttlMs[def.name] ?? def.cache?.ttlMs ?? 0;
  }

  // ── bookkeeping ───────────────────────────────────────────────────────────────────────────

  /** Per operation (its trace): the multi-item commands whose peeks already counted a hit. */
  private readonly itemPeeks = new WeakMap<object, Set<string>>();

  /**
   * One call answers all of an operation's items (a multi-item command), so its item peeks count
   * one hit on the operation's trace: the first peek's options, the others' without the trace.
   */
  private itemPeekOptions(command: string, opts: RunOptions): RunOptions {
    if (!opts.trace) return opts;
    let seen = this.itemPeeks.get(opts.trace);
    if (!seen) this.itemPeeks.set(opts.trace, (seen = new Set()));
    if (!seen.has(command)) {
      seen.add(command);
      return opts;
    }
    const { trace: _counted, ...uncounted } = opts;
    return uncounted;
  }

  private count(
    command: string,
    outcome: CacheOutcome,
    opts: RunOptions,
    entry?: CacheEntry,
  ): void {
    if (opts.trace) {
      opts.trace.cacheHits++;
      if (entry?.refreshed) opts.trace.refreshHits = (opts.trace.refreshHits ?? 0) + 1;
    }
    if (outcome === 'hit') this.counters.l1Hits++;
    else if (outcome === 'l2') this.counters.l2Hits++;
    else if (outcome === 'coalesced') this.counters.coalesced++;
    else if (outcome === 'peer') this.counters.peerFills++;
    this.metrics?.cacheResult(command, outcome);
  }

  /** Redis trouble degrades to the in-process tier; it never fails a read. */
  private async quietly<T>(
    op: string,
    fn: () => Promise<T>,
    onError?: () => void,
  ): Promise<T | undefined> {
    try {
      return await fn();
    } catch (error) {
      onError?.();
      this.logger?.warn({ op, err: error }, 'shared cache tier failed; continuing without it');
      return undefined;
    }
  }
}
