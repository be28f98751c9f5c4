/**
 * Where the response cache (src/plugins/response-cache.ts) keeps whole GraphQL answers: the
 * command cache's own stores, reused — the byte-bounded L1 in one process, RedisL2 under its own
 * namespace when REDIS_URL is set. An answer is stored with the invalidation tags of the reads it
 * was built from, so the writes that evict those reads evict it too.
 *
 * Why not @envelop/response-cache-redis: its entity sets are SADDed without a TTL and grow
 * forever, its typename invalidation runs KEYS, and it pulls in a second copy of the plugin and of
 * ioredis. RedisL2 already stores with expiring tag sets, refuses an answer a write raced (tag
 * tombstones) and invalidates by tag with one script.
 */
import { LRUCache } from 'lru-cache';
import type { Redis } from '../redis.js';
import { ByteLruStore } from './lru.js';
import { RedisL2 } from './redis-l2.js';
import type { CacheEntry } from './types.js';
import { share } from './shared.js';

type MaybePromise<T> = T | Promise<T>;

/** One stored answer (an ExecutionResult as JSON) and its bookkeeping. */
export type StoredResponse = CacheEntry<Record<string, unknown>>;

export interface ResponseStore {
  /** The answer under `key` while fresh. The in-process store answers at once (no promise). */
  get(key: string): MaybePromise<Record<string, unknown> | undefined>;
  /**
   * Keeps `value` for `ttlMs` under `tags`, unless one of the tags was invalidated after
   * `startedAt` (a write raced the reads the answer was built from). Resolves false when skipped.
   */
  set(
    key: string,
    value: Record<string, unknown>,
    meta: { ttlMs: number; tags: readonly string[]; startedAt: number },
  ): MaybePromise<boolean>;
  /** Evicts every answer built from a read under one of these tags. */
  invalidate(tags: readonly string[]): MaybePromise<void>;
  close(): Promise<void>;
}

/** How many recent invalidations the in-process store remembers for the race check. */
const TOMBSTONES = 10_000;

/**
 * In this process, bounded by bytes. Stored answers are frozen: a hit hands the same object to
 * every caller, so nothing may change it in place.
 */
export class MemoryResponseStore implements ResponseStore {
  private readonly lru: ByteLruStore;
  /** tag → when it was last invalidated (the race check of `set`). */
  private readonly tombstones: LRUCache<string, number>;
  /** Invalidations older than this were forgotten: an answer begun before it is not stored. */
  private forgottenBefore = Number.NEGATIVE_INFINITY;

  constructor(
    maxBytes: number,
    private readonly now: () => number = Date.now,
  ) {
    this.lru = new ByteLruStore(maxBytes);
    this.tombstones = new LRUCache<string, number>({
      max: TOMBSTONES,
      dispose: (at, _tag, reason) => {
        if (reason === 'evict') this.forgottenBefore = Math.max(this.forgottenBefore, at);
      },
    });
  }

  get(key: string): Record<string, unknown> | undefined {
    const now = this.now();
    const entry = this.lru.get(key, now);
    return entry && entry.expiresAt > now ? (entry.value as Record<string, unknown>) : undefined;
  }

  set(
    key: string,
    value: Record<string, unknown>,
    meta: { ttlMs: number; tags: readonly string[]; startedAt: number },
  ): boolean {
    if (meta.startedAt <= this.forgottenBefore) return false;
    for (const t of meta.tags) {
      const at = this.tombstones.get(t);
      if (at !== undefined && at >= meta.startedAt) return false;
    }
    const now = this.now();
    const entry: StoredResponse = {
      value: share(value),
      storedAt: now,
      expiresAt: now + meta.ttlMs,
      staleUntil: now + meta.ttlMs,
      tags: [...meta.tags],
    };
    return this.lru.set(key, entry);
  }

  invalidate(tags: readonly string[]): void {
    const now = this.now();
    for (const t of tags) this.tombstones.set(t, now);
    this.lru.invalidate(tags);
  }

  /** Answers kept and their calculated bytes (tests, stats). */
  get stats(): { entries: number; bytes: number } {
    return { entries: this.lru.size, bytes: this.lru.bytes };
  }

  /** Forgets every answer (benchmarks of the cold path). */
  clear(): void {
    this.lru.clear();
  }

  async close(): Promise<void> {
    this.lru.clear();
  }
}

/**
 * Shared by every replica: RedisL2's entries, tag sets and tombstones under `<namespace>`. Redis
 * trouble never fails a request: a get finds nothing, a set stores nothing (onError is told).
 */
export class RedisResponseStore implements ResponseStore {
  private readonly l2: RedisL2;
  /** Stores still on their way: a get of the same key waits for them (coalesced followers). */
  private readonly pending = new Map<string, Promise<boolean>>();

  constructor(
    redis: Redis,
    namespace: string,
    private readonly now: () => number = Date.now,
    private readonly onError: (error: unknown, op: string) => void = () => undefined,
  ) {
    // No subscriber: the store is shared, so a write's invalidation here is every replica's.
    this.l2 = new RedisL2({ redis, namespace, now, subscribe: false });
  }

  async get(key: string): Promise<Record<string, unknown> | undefined> {
    await this.pending.get(key);
    try {
      const entry = await this.l2.get(key);
      return entry && entry.expiresAt > this.now()
        ? (entry.value as Record<string, unknown>)
        : undefined;
    } catch (error) {
      this.onError(error, 'get');
      return undefined;
    }
  }

  set(
    key: string,
    value: Record<string, unknown>,
    meta: { ttlMs: number; tags: readonly string[]; startedAt: number },
  ): Promise<boolean> {
    const now = this.now();
    const entry: StoredResponse = {
      value,
      storedAt: now,
      expiresAt: now + meta.ttlMs,
      staleUntil: now + meta.ttlMs,
      tags: [...meta.tags],
    };
    const stored: Promise<boolean> = this.l2
      .set(key, entry, meta.startedAt)
      .catch((error: unknown) => {
        this.onError(error, 'set');
        return false;
      })
      .finally(() => {
        if (this.pending.get(key) === stored) this.pending.delete(key);
      });
    this.pending.set(key, stored);
    return stored;
  }

  async invalidate(tags: readonly string[]): Promise<void> {
    try {
      await this.l2.invalidate(tags);
    } catch (error) {
      this.onError(error, 'invalidate');
    }
  }

  async close(): Promise<void> {
    await this.l2.close();
  }
}

export function responseNamespace(prefix: string, dsn: string): string {
  return `${prefix}responses:${encodeURIComponent(dsn)}:`;
}
