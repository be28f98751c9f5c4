/**
 * The cached CommandRunner: wraps another runner (the command client) and, for READ commands with a
 * TTL > 0, answers from L1 (in-process, byte-bounded), then L2 (Redis, when configured), then one
 * shared upstream call (in-flight coalescing; across replicas too for the costly commands).
 *
 * Every cached read is ONE path over N keys (keyed-read.ts): a single-key read is N = 1; a
 * multi-item command's list form is one key per item (def.cache.items), so overlapping lists
 * share, and its missing items go in one call; with def.cache.catalogue, one key holds the whole
 * collection (catalogue.ts). `getFresh` is that path's synchronous start: the answer when every
 * key is fresh in L1, else nothing.
 * Hot reads whose definition allows it are renewed before they expire with budget no caller needs
 * (refresh-ahead.ts, the budget's 'idle' priority). Writes pass straight through and evict the
 * reads they make wrong (invalidation.ts), even when they fail.
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
import { catalogueIndex, type CatalogueValue } from './catalogue.js';
import { Coalescer, type Flight, type FlightResult } from './coalesce.js';
import { Invalidation } from './invalidation.js';
import { cacheKey } from './key.js';
import {
  CatalogueRead,
  ItemRead,
  readCatalogue,
  SingleRead,
  type KeyedRead,
  type ReadHost,
  type RefreshJob,
} from './keyed-read.js';
import { ByteLruStore } from './lru.js';
import { RedisPeer, type CacheLogger } from './peer.js';
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

export type { CacheLogger } from './peer.js';

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

export interface CachedRunner extends CommandRunner {
  getFresh: NonNullable<CommandRunner['getFresh']>;
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

/** What L1 holds of a read's keys now. */
interface Found {
  values: Map<string, unknown>;
  missing: string[];
  /** The first of the found entries to go stale (Provenance). */
  expiresAt: number;
  /** Their tags (Provenance); repeats allowed. */
  tags: string[];
  refreshed: boolean;
}

/** A list of ids answered from its command's catalogue (ids it lacks: item by item). */
interface CatalogueView<Res> {
  fromCatalogue: CatalogueRead;
  ids: string[];
  items: ItemPolicy<unknown, Res>;
  itemRead(ids: string[]): KeyedRead<Res>;
}

/** How a read is answered: not cached, passed through (no key), N keys, or from the catalogue. */
type Plan<Res> = 'uncached' | 'pass' | KeyedRead<Res> | CatalogueView<Res>;

class CachedCommandRunner implements CachedRunner {
  private readonly inner: CommandRunner;
  private readonly config: CacheConfig;
  private readonly clock: Clock;
  private readonly peer?: RedisPeer;
  private readonly logger?: CacheLogger;
  private readonly metrics?: CacheMetricsSink;
  private readonly context: CommandContext;
  private readonly l1: ByteLruStore;
  private readonly coalescer = new Coalescer();
  private readonly invalidation: Invalidation;
  private readonly host: ReadHost;
  private readonly counters = {
    l1Hits: 0,
    l2Hits: 0,
    coalesced: 0,
    peerFills: 0,
    misses: 0,
    staleServes: 0,
  };
  private readonly hot?: HotKeys<RefreshJob>;
  private readonly refresher?: Refresher<RefreshJob>;

  constructor(opts: CachedRunnerOptions) {
    this.inner = opts.inner;
    this.config = opts.config;
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger;
    this.metrics = opts.metrics;
    this.context = opts.context ?? { siteName: '' };
    if (opts.l2)
      this.peer = new RedisPeer(
        opts.l2,
        this.clock,
        opts.logger,
        opts.peerWaitMs ?? 5_000,
        opts.peerPollMs ?? 20,
      );
    this.l1 = new ByteLruStore(opts.config.maxBytes);
    this.invalidation = new Invalidation(this.l1, this.coalescer, this.peer, this.logger);
    this.host = {
      inner: this.inner,
      remember: (def, req, value) => this.invalidation.remember(def, req, value),
    };
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
    const plan = this.planOf(def, req);
    if (plan === 'uncached') {
      noteRead(opts.provenance, 0);
      if (!def.cache?.invalidates && !def.cache?.remember) return this.inner.run(def, req, opts);
      let value: Res | undefined;
      try {
        value = await this.inner.run(def, req, opts);
        return value;
      } finally {
        await this.invalidation.afterCommand(def, req, value);
      }
    }
    if (plan === 'pass') {
      noteRead(opts.provenance, 0);
      return this.inner.run(def, req, opts);
    }
    if ('fromCatalogue' in plan) return this.readCatalogued(plan, opts);
    return this.read(plan, opts);
  }

  /**
   * run's answer if every key of the read is fresh in L1 now, synchronously; counted as run would
   * count it (an operation's many gets of one multi-item command count one hit, as its one call
   * would have). Undefined when run would have to do anything else.
   */
  getFresh<Req, Res>(
    def: CommandDef<Req, Res>,
    req: Req,
    opts: RunOptions = {},
  ): { value: Res } | undefined {
    const plan = this.planOf(def, req);
    if (plan === 'uncached' || plan === 'pass') return undefined;
    const now = this.clock.now();
    if (!('fromCatalogue' in plan)) {
      const found = this.lookup(plan, now, true);
      if (found.missing.length > 0) return undefined;
      this.hit(plan, found, opts, true);
      return { value: plan.answer(found.values) };
    }
    const found = this.lookup(plan.fromCatalogue, now, true);
    if (found.missing.length > 0) return undefined;
    const index = catalogueIndex(plan.fromCatalogue.answer(found.values));
    if (!plan.ids.every((id) => index.has(id))) return undefined;
    this.hit(plan.fromCatalogue, found, opts, true);
    return { value: plan.items.assemble(plan.ids, index) };
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
      invalidations: this.invalidation.count,
    };
  }

  invalidate(tags: readonly string[]): Promise<void> {
    return this.invalidation.invalidate(tags);
  }

  onInvalidate(listener: (tags: readonly string[]) => unknown): void {
    this.invalidation.onInvalidate(listener);
  }

  clear(): void {
    this.l1.clear();
  }

  async close(): Promise<void> {
    await this.refresher?.stop();
    await this.peer?.l2.close();
  }

  // ── plans: which keys a read is, and how their misses are fetched ─────────────────────────

  private planOf<Req, Res>(def: CommandDef<Req, Res>, req: Req): Plan<Res> {
    const ttl = this.ttlOf(def);
    if (!(ttl > 0)) return 'uncached';
    const any = def as CommandDef<unknown, unknown>;
    const items = any.cache?.items;
    const ids = items?.ids(req);
    if (items && ids) {
      const catalogue = this.catalogueOf(def);
      const itemRead = (wanted: string[]) =>
        new ItemRead<Res>(this.host, any, items, req, wanted, ttl);
      if (!catalogue) return itemRead(ids);
      const ttlMs = this.config.catalogue!.ttlMs;
      return {
        fromCatalogue: new CatalogueRead(
          this.host,
          any,
          catalogue as CataloguePolicy<unknown>,
          ttlMs,
        ),
        ids,
        items: items as ItemPolicy<unknown, Res>,
        itemRead,
      };
    }
    const key = cacheKey(def, req, this.context);
    if (key === undefined) return 'pass';
    return new SingleRead<Res>(this.host, any, req, key, ttl);
  }

  // ── the read path ─────────────────────────────────────────────────────────────────────────

  /** What L1 holds fresh of `read`'s keys (each read of a refreshable key makes it hotter). */
  private lookup(read: KeyedRead<unknown>, now: number, stopAtMiss = false): Found {
    const found: Found = {
      values: new Map(),
      missing: [],
      expiresAt: Number.POSITIVE_INFINITY,
      tags: [],
      refreshed: false,
    };
    for (const key of read.keys) {
      const e = this.l1.get(key, now);
      if (read.hot) this.noteHot(key, read.hot, now, e);
      if (e && e.expiresAt > now) {
        found.values.set(key, e.value);
        found.expiresAt = Math.min(found.expiresAt, e.expiresAt);
        if (e.tags.length > 0) found.tags.push(...e.tags);
        if (e.refreshed) found.refreshed = true;
      } else {
        found.missing.push(key);
        if (stopAtMiss) break;
      }
    }
    return found;
  }

  /** Every key was fresh in L1: one hit for the operation. */
  private hit(read: KeyedRead<unknown>, found: Found, opts: RunOptions, sync = false): void {
    const counted = sync && read.multiItem ? this.oncePerOperation(read.def.name, opts) : opts;
    this.count(read.def.name, 'hit', counted, found.refreshed);
    noteRead(opts.provenance, found.expiresAt, found.tags);
  }

  /** A read of N keys: what L1 has, the rest joined in flight or fetched in one call. */
  private async read<T>(read: KeyedRead<T>, opts: RunOptions): Promise<T> {
    const found = this.lookup(read, this.clock.now());
    if (found.missing.length === 0) this.hit(read, found, opts);
    else await this.readThrough(read, found, opts);
    return read.answer(found.values);
  }

  /**
   * Completes `found` with its missing keys: joins the flights already carrying some of them and
   * leads one for the rest (L2, a peer's fetch, else upstream). When the upstream refuses, every
   * missing key needs a servable stale copy, or the refusal stands.
   */
  private async readThrough(
    read: KeyedRead<unknown>,
    found: Found,
    opts: RunOptions,
  ): Promise<void> {
    const { missing, values } = found;
    const name = read.def.name;
    const { joined, led } = this.coalescer.acquire<Map<string, unknown>>(
      missing,
      read.flightTags(),
      this.clock.now(),
      (keys, flight) => this.fetch(read, keys, opts, flight),
    );
    try {
      const flights = led ? [led, ...joined] : joined;
      const results = await Promise.all(flights.map((f) => f.join(opts.signal)));
      let expiresAt = found.expiresAt;
      for (const r of results) {
        for (const k of missing) if (r.value.has(k)) values.set(k, r.value.get(k));
        expiresAt = Math.min(expiresAt, r.expiresAt ?? 0);
        if (r.tags) found.tags.push(...r.tags);
      }
      noteRead(opts.provenance, expiresAt, found.tags);
      // No call of our own: a hit (joined, L2 or a peer's) for this operation's trace. An upstream
      // answer was counted as a miss when the leader went upstream.
      if (!led) this.count(name, 'coalesced', opts);
      else if (results[0].source !== 'upstream') this.count(name, results[0].source, opts);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      let oldest: CacheEntry | undefined;
      for (const key of missing) {
        if (values.has(key)) continue;
        const e = await this.staleEntry(key);
        if (!e) throw error;
        values.set(key, e.value);
        if (!oldest || e.storedAt < oldest.storedAt) oldest = e;
      }
      noteRead(opts.provenance, 0);
      if (!oldest) return;
      markStale(opts.trace, oldest, this.clock.now());
      this.counters.staleServes++;
      this.metrics?.cacheResult(name, 'stale');
      this.logger?.debug?.(
        { command: name, requestId: opts.requestId, code: error.code },
        'served a stale answer',
      );
    }
  }

  /** The leader's work for `keys`: L2, then a peer's fetch, then ONE upstream call. */
  private async fetch(
    read: KeyedRead<unknown>,
    keys: readonly string[],
    opts: RunOptions,
    flight: Flight<Map<string, unknown>>,
  ): Promise<FlightResult<Map<string, unknown>>> {
    const values = new Map<string, unknown>();
    let expiresAt = Number.POSITIVE_INFINITY;
    const tags = new Set<string>();
    const take = (key: string, entry: CacheEntry) => {
      values.set(key, this.keepL1(key, entry).value);
      expiresAt = Math.min(expiresAt, entry.expiresAt);
      for (const t of entry.tags) tags.add(t);
    };
    const now = this.clock.now();
    // Keys with an expired copy within its grace: a call for only those is sent fail-fast.
    const fallbacks = new Set(keys.filter((k) => servable(this.l1.peek(k, now), now)));
    let missing = keys;
    let lock: LockHandle | undefined;
    const peer = this.peer;
    if (peer) {
      const shared = await peer.get(keys);
      if (shared) {
        const at = this.clock.now();
        missing = keys.filter((key, i) => {
          const e = shared[i];
          if (servable(e, at)) fallbacks.add(key);
          if (!e || !(e.expiresAt > at)) return true;
          take(key, e);
          return false;
        });
      }
      if (missing.length === 0) return { value: values, source: 'l2', expiresAt, tags: [...tags] };
      const lockKey = read.lockKey(missing);
      if (lockKey) {
        const turn = await peer.lockOrWait(
          lockKey,
          missing,
          opts.deadline,
          flight.controller.signal,
        );
        if (turn.filled) {
          missing.forEach((key, i) => take(key, turn.filled![i]));
          return { value: values, source: 'peer', expiresAt, tags: [...tags] };
        }
        lock = turn.lock;
      }
    }
    try {
      this.counters.misses++;
      this.metrics?.cacheResult(read.def.name, 'miss');
      const fetched = await read.fetch(missing, {
        ...opts,
        signal: flight.controller.signal,
        ...(missing.every((k) => fallbacks.has(k)) ? { failFast: true } : {}),
      });
      // A write meanwhile may have made the answer wrong: it serves this read, it is not kept.
      const poisoned = flight.poisoned;
      const stored = await Promise.all(
        [...fetched].map(async ([key, { value, tags: its }]) => {
          values.set(key, value);
          return poisoned ? undefined : this.store(key, its, value, read.ttl, flight.startedAt);
        }),
      );
      if (poisoned) return { value: values, source: 'upstream' };
      for (const entry of stored) {
        expiresAt = Math.min(expiresAt, entry!.expiresAt);
        for (const t of entry!.tags) tags.add(t);
      }
      return { value: values, source: 'upstream', expiresAt, tags: [...tags] };
    } finally {
      if (lock) await this.peer!.quietly('unlock', () => lock!.release());
    }
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
    if (this.peer) await this.peer.quietly('set', () => this.peer!.l2.set(key, entry, startedAt));
    return entry;
  }

  private keepL1(key: string, entry: CacheEntry): CacheEntry {
    share(entry.value);
    this.l1.set(key, entry);
    this.hot?.stored(key, entry.expiresAt, entry.expiresAt - entry.storedAt);
    return entry;
  }

  private async staleEntry(key: string): Promise<CacheEntry | undefined> {
    const now = this.clock.now();
    const local = this.l1.peek(key, now);
    if (servable(local, now)) return local;
    const shared = (await this.peer?.get([key]))?.[0];
    return servable(shared, now) ? shared : undefined;
  }

  // ── the catalogue (def.cache.catalogue, catalogue.ts) ─────────────────────────────────────

  private catalogueOf<Req, Res>(def: CommandDef<Req, Res>): CataloguePolicy<Res> | undefined {
    return this.config.catalogue?.enabled && this.config.catalogue.ttlMs > 0
      ? def.cache?.catalogue
      : undefined;
  }

  /**
   * A list of ids from the catalogue entry (read whole when absent or expired); ids it lacks go
   * item by item as without it. When the catalogue cannot be had (the upstream refuses and no stale
   * copy is left), the item path answers.
   */
  private async readCatalogued<Res>(plan: CatalogueView<Res>, opts: RunOptions): Promise<Res> {
    const { ids, items } = plan;
    let catalogue: CatalogueValue;
    try {
      catalogue = await this.read(plan.fromCatalogue, opts);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      return this.read(plan.itemRead(ids), opts);
    }
    const index = catalogueIndex(catalogue);
    const missing = ids.filter((id) => !index.has(id));
    if (missing.length === 0) return items.assemble(ids, index);
    // Not in the catalogue (created since it was read): item by item, cached as usual.
    const rest = await this.read(plan.itemRead(missing), opts);
    const found = new Map<string, unknown>(
      ids.filter((id) => index.has(id)).map((id) => [id, index.get(id)]),
    );
    for (const [id, item] of items.split(rest, missing)) found.set(id, item);
    return items.assemble(ids, found);
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
        if (!this.peer) return undefined;
        const shared = (await this.peer.fresh([key]))?.[0];
        const local = this.l1.peek(key, this.clock.now());
        if (!shared || (local && local.expiresAt >= shared.expiresAt)) return undefined;
        this.keepL1(key, shared);
        return { expiresAt: shared.expiresAt, ttlMs: shared.expiresAt - shared.storedAt };
      },
      lock: async (key) => {
        const none = { release: async () => undefined };
        const peer = this.peer;
        if (!peer) return none;
        let failed = false;
        const lock = await peer.quietly(
          'lock',
          () => peer.l2.tryLock(`refresh:${key}`, peer.waitMs),
          () => (failed = true),
        );
        return lock ?? (failed ? none : 'held');
      },
      fetch: async (job, key) => {
        const trace = newTrace();
        const startedAt = this.clock.now();
        const seq = this.invalidation.seq;
        const opts: RunOptions = { idle: { headroom }, trace };
        let value: unknown;
        let tags: string[];
        if (job.catalogue)
          ({ value, tags } = await readCatalogue(this.inner, job.def, job.catalogue, opts));
        else {
          value = await this.inner.run(job.def, job.req, opts);
          tags = job.def.cache?.tags?.(job.req, value) ?? [];
        }
        // Every POST past the first (polls, a catalogue's further pages) counts against the cap too.
        const polls = trace.polls + Math.max(0, trace.calls - 1);
        // A write meanwhile may have made this answer wrong: leave the entry to the next caller.
        if (seq !== this.invalidation.seq) return { expiresAt: 0, ttlMs: job.ttl, polls };
        const entry = await this.store(key, tags, value, job.ttl, startedAt, true);
        if (!job.catalogue) this.invalidation.remember(job.def, job.req, value);
        return { expiresAt: entry.expiresAt, ttlMs: job.ttl, polls };
      },
      isRefusal: isBudgetRefusal,
    };
  }

  private ttlOf<Req, Res>(def: CommandDef<Req, Res>): number {
    if (def.kind === 'write') return 0;
    return this.config.ttlMs[def.name] ?? def.cache?.ttlMs ?? 0;
  }

  // ── bookkeeping ───────────────────────────────────────────────────────────────────────────

  /** Per operation (its trace): the multi-item commands whose synchronous gets already counted a hit. */
  private readonly itemGets = new WeakMap<object, Set<string>>();

  /**
   * One call answers all of an operation's items (a multi-item command), so its synchronous gets
   * count one hit on the operation's trace: the first get's options, the others' without the trace.
   */
  private oncePerOperation(command: string, opts: RunOptions): RunOptions {
    if (!opts.trace) return opts;
    let seen = this.itemGets.get(opts.trace);
    if (!seen) this.itemGets.set(opts.trace, (seen = new Set()));
    if (!seen.has(command)) {
      seen.add(command);
      return opts;
    }
    const { trace: _counted, ...uncounted } = opts;
    return uncounted;
  }

  private count(command: string, outcome: CacheOutcome, opts: RunOptions, refreshed = false): void {
    if (opts.trace) {
      opts.trace.cacheHits++;
      if (refreshed) opts.trace.refreshHits = (opts.trace.refreshHits ?? 0) + 1;
    }
    if (outcome === 'hit') this.counters.l1Hits++;
    else if (outcome === 'l2') this.counters.l2Hits++;
    else if (outcome === 'coalesced') this.counters.coalesced++;
    else if (outcome === 'peer') this.counters.peerFills++;
    this.metrics?.cacheResult(command, outcome);
  }
}
