/**
 * The L1 store's byte bound: whatever goes in, the calculated size never exceeds maxBytes, the
 * tag index shrinks with evictions, and an entry larger than the whole budget is refused.
 */
import { describe, expect, it } from 'vitest';
import { getAvailSummary } from '../../src/archtics/commands/index.js';
import { ByteLruStore, createCachedRunner, entryBytes } from '../../src/cache/index.js';
import type { CacheEntry } from '../../src/cache/index.js';
import { ManualClock } from '../../src/clock.js';
import { DEFAULT_TTL_MS } from '../../src/config.js';
import { FakeRunner } from './fake-runner.js';

const entry = (value: unknown, tags: string[] = []): CacheEntry => ({
  value,
  storedAt: 0,
  expiresAt: 1e15,
  staleUntil: 2e15,
  tags,
});

describe('ByteLruStore', () => {
  it('keeps the calculated size ≤ maxBytes under 100k distinct keys of varying sizes', () => {
    const maxBytes = 256 * 1024;
    const store = new ByteLruStore(maxBytes);
    let peak = 0;
    for (let i = 0; i < 100_000; i++) {
      // Sizes from ~150 B to ~4 KB, so eviction has to free several small entries for one big one.
      const value = { i, pad: 'x'.repeat((i * 37) % 4_000) };
      store.set(`k${i}`, entry(value, [`event:E${i % 50}`, `cart:${i}`]));
      peak = Math.max(peak, store.bytes);
      if (store.bytes > maxBytes) throw new Error(`over budget at ${i}: ${store.bytes}`);
    }
    expect(peak).toBeLessThanOrEqual(maxBytes);
    expect(peak).toBeGreaterThan(maxBytes * 0.9);
    expect(store.size).toBeLessThan(100_000);
    // Only live entries stay indexed: ≤ 50 event tags + one cart tag per live entry.
    expect(store.tagCount).toBeLessThanOrEqual(50 + store.size);
    // The newest entry is there, the oldest long gone.
    expect(store.get('k99999', 0)).toBeDefined();
    expect(store.get('k0', 0)).toBeUndefined();
  });

  it('refuses one entry larger than the whole budget and leaves the rest alone', () => {
    const store = new ByteLruStore(4_096);
    expect(store.set('small', entry({ a: 1 }))).toBe(true);
    expect(store.set('huge', entry({ pad: 'y'.repeat(10_000) }))).toBe(false);
    expect(store.get('small', 0)).toBeDefined();
    expect(store.bytes).toBeLessThanOrEqual(4_096);
  });

  it('sizes an entry by the heap its value, key and tags keep alive', () => {
    const small = entryBytes('k', entry({ a: 1 }));
    const big = entryBytes('k', entry({ a: 'z'.repeat(1_000) }));
    expect(big - small).toBeGreaterThanOrEqual(1_000);
  });

  it('evicts by tag and forgets the tag', () => {
    const store = new ByteLruStore(1 << 20);
    store.set('a', entry(1, ['event:EVT01']));
    store.set('b', entry(2, ['event:EVT01', 'cart:1']));
    store.set('c', entry(3, ['event:EVT02']));
    expect(store.invalidate(['event:EVT01'])).toBe(2);
    expect([store.get('a', 0), store.get('b', 0), store.get('c', 0)].map(Boolean)).toEqual([
      false,
      false,
      true,
    ]);
    expect(store.tagCount).toBe(1);
  });
});

describe('cached runner under 100k distinct reads', () => {
  it('stays within config.maxBytes (calculated size) while caching what fits', async () => {
    const maxBytes = 512 * 1024;
    const inner = new FakeRunner();
    inner.answer = (_c, req) => ({
      sections: [
        {
          section: (req as { eventName: string }).eventName,
          available: 10,
          minPrice: 1000,
          maxPrice: 5000,
          priceCodes: ['A', 'B'],
        },
      ],
    });
    const cache = createCachedRunner({
      inner,
      config: { maxBytes, ttlMs: DEFAULT_TTL_MS, staleGraceMs: 60_000 },
      clock: new ManualClock(),
    });
    let peak = 0;
    for (let i = 0; i < 100_000; i++) {
      await cache.run(getAvailSummary, { eventName: `E${i}` });
      if (i % 100 === 0) peak = Math.max(peak, cache.stats().bytes);
    }
    const s = cache.stats();
    expect(Math.max(peak, s.bytes)).toBeLessThanOrEqual(maxBytes);
    // What fits: the bound is used (≥ 90%), by hundreds of entries (~800 heap bytes each).
    expect(s.bytes).toBeGreaterThan(maxBytes * 0.9);
    expect(s.entries).toBeGreaterThan(500);
    expect(s.maxBytes).toBe(maxBytes);
    // The most recent key is still cached.
    await cache.run(getAvailSummary, { eventName: 'E99999' });
    expect(inner.calls.length).toBe(100_000);
  });
});

describe('entry sizes', () => {
  it('count what V8 keeps: headers, slots, boxed numbers, one Set only for a tag shared by several keys', () => {
    const base = entryBytes('k', entry(null));
    // A 1,000-character one-byte string: its characters plus a header; two-byte strings twice that.
    const one = entryBytes('k', entry('z'.repeat(1_000))) - base;
    const two = entryBytes('k', entry('é'.repeat(1_000).replace(/é/g, 'ő'))) - base;
    expect(one).toBeGreaterThanOrEqual(1_000);
    expect(two).toBeGreaterThanOrEqual(2_000);
    // 100 small objects in an array cost far more than their JSON (~10 bytes each).
    const rows = Array.from({ length: 100 }, (_, i) => ({ a: i, b: 0.5 }));
    expect(entryBytes('k', entry(rows)) - base).toBeGreaterThan(100 * 40);
    // Tags are counted, and the index evicts by a tag whether it holds one key or several.
    expect(entryBytes('k', entry(null, ['acct:1', 'email:a@b.c']))).toBeGreaterThan(base);
    const store = new ByteLruStore(1 << 20);
    store.set('one', entry(1, ['solo']));
    store.set('a', entry(1, ['shared']));
    store.set('b', entry(2, ['shared']));
    store.set('a', entry(3, ['shared'])); // replacing a key keeps one copy of it under its tag
    expect(store.invalidate(['shared'])).toBe(2);
    expect(store.invalidate(['solo'])).toBe(1);
    expect(store.tagCount).toBe(0);
  });
});
