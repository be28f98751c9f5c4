/**
 * The in-process tier (L1): lru-cache bounded by BYTES, not entries — one event_details answer for
 * 100 events weighs as much as thousands of tiny customer answers. Each entry's size is its JSON
 * length plus key, tags and a fixed overhead (an estimate of heap cost that is at least
 * proportional to it); lru-cache evicts least-recently-used entries to keep the total ≤ maxBytes and
 * refuses a single entry larger than that.
 *
 * Expiry is ours, not lru-cache's: an entry past its TTL is still wanted as a stale answer while
 * the upstream refuses, and lru-cache's TTL runs on performance.now(), not on the injected Clock.
 * Entries past their stale grace are dropped when met. A tag index (tag → keys) lets a write evict
 * by tag; it is kept in step through lru-cache's dispose hook.
 */
import { LRUCache } from 'lru-cache';
import type { CacheEntry } from './types.js';

/** Per-entry bookkeeping that JSON length does not see (node, maps, timestamps). */
const ENTRY_OVERHEAD_BYTES = 128;

interface Stored {
  entry: CacheEntry;
  bytes: number;
}

export function entryBytes(key: string, entry: CacheEntry, json?: string): number {
  let bytes = ENTRY_OVERHEAD_BYTES + Buffer.byteLength(key) + Buffer.byteLength(json ?? safeJson(entry.value));
  for (const t of entry.tags) bytes += Buffer.byteLength(t) + 16;
  return bytes;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return '';
  }
}

export class ByteLruStore {
  private readonly lru: LRUCache<string, Stored>;
  private readonly byTag = new Map<string, Set<string>>();

  constructor(readonly maxBytes: number) {
    if (!(maxBytes >= 1)) throw new RangeError('maxBytes must be ≥ 1');
    this.lru = new LRUCache<string, Stored>({
      maxSize: maxBytes,
      sizeCalculation: (s) => s.bytes,
      dispose: (s, key) => this.untag(key, s.entry.tags),
    });
  }

  /** The entry (fresh or stale) unless gone or past its stale grace at `now`. */
  get(key: string, now: number): CacheEntry | undefined {
    const s = this.lru.get(key);
    if (!s) return undefined;
    if (s.entry.staleUntil <= now) {
      this.lru.delete(key);
      return undefined;
    }
    return s.entry;
  }

  /** Like get, but does not refresh recency (for stale look-ups and stats). */
  peek(key: string, now: number): CacheEntry | undefined {
    const s = this.lru.peek(key);
    return s && s.entry.staleUntil > now ? s.entry : undefined;
  }

  /** Stores; false when the entry alone is larger than the whole budget. */
  set(key: string, entry: CacheEntry, json?: string): boolean {
    const bytes = entryBytes(key, entry, json);
    // Delete first so dispose untags the old entry before the new tags go in.
    this.lru.delete(key);
    if (bytes > this.maxBytes) return false;
    this.lru.set(key, { entry, bytes });
    if (!this.lru.has(key)) return false;
    for (const t of entry.tags) {
      let keys = this.byTag.get(t);
      if (!keys) this.byTag.set(t, (keys = new Set()));
      keys.add(key);
    }
    return true;
  }

  delete(key: string): void {
    this.lru.delete(key);
  }

  /** Evicts every entry under any of these tags; returns how many went. */
  invalidate(tags: readonly string[]): number {
    let n = 0;
    for (const t of tags) {
      const keys = this.byTag.get(t);
      if (!keys) continue;
      for (const key of [...keys]) if (this.lru.delete(key)) n++;
      this.byTag.delete(t);
    }
    return n;
  }

  clear(): void {
    this.lru.clear();
    this.byTag.clear();
  }

  get size(): number {
    return this.lru.size;
  }

  /** Sum of the entries' calculated sizes: never above maxBytes. */
  get bytes(): number {
    return this.lru.calculatedSize;
  }

  /** Distinct tags indexed (for tests: the index shrinks with evictions). */
  get tagCount(): number {
    return this.byTag.size;
  }

  private untag(key: string, tags: readonly string[]): void {
    for (const t of tags) {
      const keys = this.byTag.get(t);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) this.byTag.delete(t);
    }
  }
}
