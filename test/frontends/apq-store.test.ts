/**
 * The APQ store is bounded (anyone may register a document): in count, in bytes, per document;
 * in Redis (REDIS_URL) the registrations are shared by replicas and trimmed to maxEntries.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryAPQStore, createRedisAPQStore } from '../../src/plugins/apq-store.js';
import { createRedis, deleteByPrefix } from '../../src/redis.js';
import { describeRedis, TEST_REDIS_URL, uniquePrefix } from '../cache/redis-env.js';

const doc = (i: number, size = 20) => `{ a${i} ${'x'.repeat(size)} }`;

describe('in-process APQ store', () => {
  it('keeps at most maxEntries documents, the most recently used', () => {
    const store = createMemoryAPQStore({ maxEntries: 3 });
    for (let i = 0; i < 5; i++) void store.set(`h${i}`, doc(i));
    expect(store.get('h0')).toBeUndefined();
    expect(store.get('h1')).toBeUndefined();
    expect([store.get('h2'), store.get('h3'), store.get('h4')]).toEqual([doc(2), doc(3), doc(4)]);
  });
  it('keeps at most maxBytes of documents, and never one over maxDocumentBytes', () => {
    const store = createMemoryAPQStore({
      maxEntries: 1000,
      maxBytes: 2_000,
      maxDocumentBytes: 600,
    });
    expect(store.set('big', doc(0, 700))).toBe(false);
    expect(store.get('big')).toBeUndefined();
    for (let i = 0; i < 10; i++) expect(store.set(`h${i}`, doc(i, 480))).toBe(true);
    const kept = Array.from({ length: 10 }, (_, i) => store.get(`h${i}`)).filter(Boolean);
    expect(kept.length).toBeLessThanOrEqual(4);
    expect(store.get('h9')).toBe(doc(9, 480));
  });
});

describeRedis('APQ store in Redis', () => {
  const redis = createRedis(TEST_REDIS_URL);
  const prefix = uniquePrefix('apq');
  afterAll(async () => {
    await deleteByPrefix(redis, prefix);
    redis.disconnect();
  });

  it('is shared: what one replica registers, another reads; trimmed to maxEntries; large documents refused', async () => {
    const a = createRedisAPQStore(redis, { prefix, maxEntries: 3, maxDocumentBytes: 1_000 });
    const b = createRedisAPQStore(redis, { prefix, maxEntries: 3, maxDocumentBytes: 1_000 });
    for (let i = 0; i < 5; i++) {
      await a.set(`h${i}`, doc(i));
      await new Promise((r) => setTimeout(r, 2)); // distinct last-use times
    }
    expect(await b.get('h4')).toBe(doc(4));
    expect(await b.get('h0')).toBeUndefined();
    expect(await b.get('h1')).toBeUndefined();
    expect(await redis.zcard(`${prefix}apq:index`)).toBe(3);
    const keys = await redis.keys(`${prefix}apq:doc:*`);
    expect(keys.length).toBe(3);
    expect(await a.set('huge', 'x'.repeat(2_000))).toBe(false);
    expect(await b.get('huge')).toBeUndefined();
    expect(await redis.pttl(`${prefix}apq:doc:h4`)).toBeGreaterThan(0);
  });
});
