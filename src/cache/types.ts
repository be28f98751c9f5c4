/**
 * Shapes shared by the cache's parts (store, coalescing, stale answers, Redis tier). The cache sits
 * between the loaders and the command client as a CommandRunner: it caches READ commands only.
 */
/** One cached answer. Times are epoch ms on the cache's clock. */
export interface CacheEntry<T = unknown> {
  value: T;
  storedAt: number;
  /** Fresh until then. */
  expiresAt: number;
  /** Servable as a stale answer (only while the upstream refuses) until then. */
  staleUntil: number;
  /** Invalidation tags (opaque: the command definitions choose them). */
  tags: string[];
  /** Stored by the refresher ahead of expiry, not by a caller's miss. */
  refreshed?: boolean;
}

/** The shared tier (Redis) under the in-process store. Every method may fail: callers degrade to L1. */
export interface L2Store {
  get(key: string): Promise<CacheEntry | undefined>;
  /** Several entries in one round trip, in the order of `keys`. */
  getMany(keys: readonly string[]): Promise<(CacheEntry | undefined)[]>;
  /**
   * Stores unless one of `entry.tags` was invalidated after `startedAt` (a write raced the read that
   * produced it). Resolves false when skipped.
   */
  set(key: string, entry: CacheEntry, startedAt: number): Promise<boolean>;
  /** Evicts every key under these tags, in Redis and (by pub/sub) in every replica's L1. */
  invalidate(tags: readonly string[]): Promise<void>;
  /** Called with tags another replica invalidated. */
  onRemoteInvalidate(listener: (tags: string[]) => void): void;
  /** Cross-replica coalescing: true when this replica should fetch (it holds the lock). */
  tryLock(key: string, ttlMs: number): Promise<LockHandle | undefined>;
  /** True while some replica holds the fetch lock of `key`. */
  isLocked(key: string): Promise<boolean>;
  /** Tags remembered under a key by any replica (def.cache.remember), for a later invalidation. */
  remember(key: string, tags: readonly string[]): Promise<void>;
  recall(key: string): Promise<string[]>;
  close(): Promise<void>;
}

export interface LockHandle {
  release(): Promise<void>;
}

/** Where an answer came from. */
export type CacheOutcome = 'hit' | 'l2' | 'coalesced' | 'peer' | 'miss' | 'stale';

/** Hooks for metrics (src/metrics.ts implements them); all optional. */
export interface CacheMetricsSink {
  cacheResult(command: string, outcome: CacheOutcome): void;
  /** One refresh-ahead attempt: how it went and the POSTs it spent (first send and polls). */
  cacheRefresh?(command: string, outcome: string, posts: number): void;
  cacheSize?(bytes: number, entries: number): void;
}

export interface CacheStats {
  /** Answered without an upstream call: L1 hits, L2 hits, in-flight joins, answers a peer fetched. */
  hits: number;
  /** Reads that needed an upstream call. */
  misses: number;
  /** Hits split by where they came from. */
  l1Hits: number;
  l2Hits: number;
  coalesced: number;
  peerFills: number;
  staleServes: number;
  /** hits / (hits + misses); 0 before the first cacheable read. */
  hitRatio: number;
  entries: number;
  bytes: number;
  maxBytes: number;
  invalidations: number;
}
