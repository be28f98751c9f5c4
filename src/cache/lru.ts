/**
 * The in-process tier (L1): lru-cache bounded by BYTES, not entries — one answer listing 100 events
 * weighs as much as thousands of tiny customer answers. Each entry's size is an
 * estimate of the heap it keeps alive (entryBytes: its value's object graph as V8 lays it out, its
 * key and tags, and the measured bookkeeping around it), so maxBytes bounds real memory, not a
 * proxy of it; lru-cache evicts least-recently-used entries to keep the total ≤ maxBytes and
 * refuses a single entry larger than that.
 *
 * Expiry is ours, not lru-cache's: an entry past its TTL is still wanted as a stale answer while
 * the upstream refuses, and lru-cache's TTL runs on performance.now(), not on the injected Clock.
 * Entries past their stale grace are dropped when met. A tag index (tag → keys) lets a write evict
 * by tag; it is kept in step through lru-cache's dispose hook.
 */
import { LRUCache } from 'lru-cache';
import type { CacheEntry } from './types.js';

// ── sizing: an estimate of the V8 heap an entry keeps alive ─────────────────────────────────
//
// The bound is only honest if an entry's calculated size is what it really costs. JSON length is
// not: measured on real parsed answers (bench suite 5), the heap kept per entry was ~2.4× the old
// "JSON + key + tags + 128" size — each string and object has a header, each field a pointer,
// each non-small number a box, and the bookkeeping around an entry (key, entry record, timestamps,
// tag index, lru-cache's slots) alone weighed ~600 bytes. So the size is now the object graph
// counted the way V8 lays it out on 64-bit Node (no pointer compression), plus the measured
// bookkeeping, times a calibration factor (see CALIBRATION).

const PTR = 8;
/** JSObject: map, properties, elements. */
const OBJECT_HEADER = 3 * PTR;
/** JSArray (header + length) and its FixedArray backing store (map + length). */
const ARRAY_HEADER = 4 * PTR + 2 * PTR;
/** SeqString: map, hash, length. */
const STRING_HEADER = 16;
/** A double (or an integer outside the 31-bit Smi range) is a separate HeapNumber. */
const HEAP_NUMBER = 16;
/** Deeper than this is counted at a flat rate (answers are shallow trees; this only guards a cycle). */
const MAX_DEPTH = 32;
const DEEP_NODE_BYTES = 256;

const align8 = (n: number): number => (n + 7) & ~7;

/** Whether V8 must keep `s` two bytes per character (a character above Latin-1). */
function isTwoByte(s: string): boolean {
  // A plain loop: a regular expression per string was most of the time spent sizing an answer.
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return true;
  return false;
}

function stringBytes(s: string): number {
  return STRING_HEADER + align8(isTwoByte(s) ? 2 * s.length : s.length);
}

/** Heap bytes of a value tree (shared strings and property names are not counted: they are not the entry's). */
export function heapBytesOf(value: unknown, depth = 0): number {
  switch (typeof value) {
    case 'string':
      return stringBytes(value);
    case 'number':
      return Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31 ? 0 : HEAP_NUMBER;
    case 'bigint':
      return HEAP_NUMBER + 8;
    case 'object': {
      if (value === null) return 0;
      if (depth >= MAX_DEPTH) return DEEP_NODE_BYTES;
      if (Array.isArray(value)) {
        let n = ARRAY_HEADER + PTR * value.length;
        for (let i = 0; i < value.length; i++) n += heapBytesOf(value[i], depth + 1);
        return n;
      }
      let n = OBJECT_HEADER;
      for (const k in value)
        n += PTR + heapBytesOf((value as Record<string, unknown>)[k], depth + 1);
      return n;
    }
    default:
      return 0; // booleans, undefined: shared oddballs in the slot already counted
  }
}

/**
 * What an entry costs besides its value and its key/tag strings: the CacheEntry record and its
 * three boxed timestamps, the tags array, lru-cache's map entry and slots, the tag index's map
 * entries. Measured with empty answers (suite 5's child, 50k entries): 416–456 heap bytes per
 * entry all told, of which the key and tag strings are ~120.
 */
const ENTRY_OVERHEAD_BYTES = 240;
/** Per tag: its slot in the tags array and its entry in the tag index (its string is counted apart). */
const TAG_OVERHEAD_BYTES = 48;
/**
 * Heap ÷ the estimate above, measured on real answers (customers and their seats) with the cache
 * at its bound: evicting costs more than filling, since lru-cache's and the tag index's hash
 * tables keep room for the entries that came and went (deleted slots stay until a rehash).
 * Rounded up, so the bound errs on the heap's side. Re-measure (bench/memory-child.ts) if answers
 * change shape.
 */
const CALIBRATION = 1.08;

export function entryBytes(key: string, entry: CacheEntry): number {
  let bytes = ENTRY_OVERHEAD_BYTES + stringBytes(key) + heapBytesOf(entry.value);
  for (const t of entry.tags) bytes += TAG_OVERHEAD_BYTES + stringBytes(t);
  return Math.ceil(bytes * CALIBRATION);
}

export class ByteLruStore {
  // Entries are stored as they are (no wrapper record): lru-cache keeps each one's size itself.
  private readonly lru: LRUCache<string, CacheEntry>;
  /**
   * tag → the keys under it. Most tags (an account, an e-mail, a cart) name ONE entry: that key
   * is stored as the string itself, and only a tag with several keys gets a Set (a Set per tag
   * was ~150 bytes per entry of the bound's real cost).
   */
  private readonly byTag = new Map<string, string | Set<string>>();

  constructor(readonly maxBytes: number) {
    if (!(maxBytes >= 1)) throw new RangeError('maxBytes must be ≥ 1');
    this.lru = new LRUCache<string, CacheEntry>({
      maxSize: maxBytes,
      dispose: (entry, key) => this.untag(key, entry.tags),
    });
  }

  /** The entry (fresh or stale) unless gone or past its stale grace at `now`. */
  get(key: string, now: number): CacheEntry | undefined {
    const entry = this.lru.get(key);
    if (!entry) return undefined;
    if (entry.staleUntil <= now) {
      this.lru.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Like get, but does not refresh recency (for stale look-ups and stats). */
  peek(key: string, now: number): CacheEntry | undefined {
    const entry = this.lru.peek(key);
    return entry && entry.staleUntil > now ? entry : undefined;
  }

  /** Stores; false when the entry alone is larger than the whole budget. */
  set(key: string, entry: CacheEntry): boolean {
    const bytes = entryBytes(key, entry);
    // Delete first so dispose untags the old entry before the new tags go in.
    this.lru.delete(key);
    if (bytes > this.maxBytes) return false;
    this.lru.set(key, entry, { size: bytes });
    if (!this.lru.has(key)) return false;
    for (const t of entry.tags) {
      const keys = this.byTag.get(t);
      if (keys === undefined) this.byTag.set(t, key);
      else if (typeof keys === 'string') {
        if (keys !== key) this.byTag.set(t, new Set([keys, key]));
      } else keys.add(key);
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
      if (keys === undefined) continue;
      for (const key of typeof keys === 'string' ? [keys] : [...keys])
        if (this.lru.delete(key)) n++;
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
      if (keys === undefined) continue;
      if (typeof keys === 'string') {
        if (keys === key) this.byTag.delete(t);
      } else {
        keys.delete(key);
        if (keys.size === 0) this.byTag.delete(t);
      }
    }
  }
}
