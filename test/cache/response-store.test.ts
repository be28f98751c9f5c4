/**
 * The response cache's stores (src/cache/response-store.ts): in-process and Redis behave alike —
 * an answer is kept for its TTL, evicted by its tags, refused when a write of one of its tags came
 * after its reads began, and the in-process one hands out frozen answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MemoryResponseStore,
  RedisResponseStore,
  responseNamespace,
  type ResponseStore,
} from '../../src/cache/response-store.js';
import { createRedis, deleteByPrefix, type Redis } from '../../src/redis.js';
import { TEST_REDIS_URL, describeRedis, uniquePrefix } from './redis-env.js';

const answer = (n: number) => ({ data: { customer: { acctId: n, firstName: `F${n}` } } });

function behavesAsAResponseStore(name: string, make: (now: () => number) => ResponseStore) {
  describe(name, () => {
    let t = 1_000_000;
    const now = () => t;
    let store: ResponseStore;
    beforeAll(() => {
      store = make(now);
    });
    afterAll(async () => {
      await store.close();
    });

    it('keeps an answer for its TTL, then has nothing', async () => {
      expect(
        await store.set('k-ttl', answer(1), {
          ttlMs: 5_000,
          tags: ['customer:1'],
          startedAt: t - 10,
        }),
      ).toBe(true);
      expect(await store.get('k-ttl')).toEqual(answer(1));
      t += 5_001;
      expect(await store.get('k-ttl')).toBeUndefined();
    });

    it('evicts by tag: the answers under it, not the others', async () => {
      await store.set('k-a', answer(2), {
        ttlMs: 60_000,
        tags: ['customer:2', 'sold:2'],
        startedAt: t - 10,
      });
      await store.set('k-b', answer(3), { ttlMs: 60_000, tags: ['customer:3'], startedAt: t - 10 });
      await store.invalidate(['sold:2']);
      expect(await store.get('k-a')).toBeUndefined();
      expect(await store.get('k-b')).toEqual(answer(3));
    });

    it('refuses an answer whose reads began before a write of one of its tags', async () => {
      const startedAt = t;
      t += 10;
      await store.invalidate(['customer:4']);
      t += 2_000;
      expect(
        await store.set('k-race', answer(4), { ttlMs: 60_000, tags: ['customer:4'], startedAt }),
      ).toBe(false);
      expect(await store.get('k-race')).toBeUndefined();
      // Begun after the write: kept.
      expect(
        await store.set('k-race', answer(4), { ttlMs: 60_000, tags: ['customer:4'], startedAt: t }),
      ).toBe(true);
    });
  });
}

behavesAsAResponseStore('MemoryResponseStore', (now) => new MemoryResponseStore(1024 * 1024, now));

describe('MemoryResponseStore only', () => {
  it('hands out frozen answers (one object serves every hit) and stays within its byte bound', () => {
    const store = new MemoryResponseStore(64 * 1024);
    store.set('k', answer(1), { ttlMs: 60_000, tags: [], startedAt: Date.now() });
    const got = store.get('k') as { data: { customer: { firstName: string } } };
    expect(() => {
      got.data.customer.firstName = 'changed';
    }).toThrow(TypeError);
    for (let i = 0; i < 2_000; i++)
      store.set(`k${i}`, answer(i), {
        ttlMs: 60_000,
        tags: [`customer:${i}`],
        startedAt: Date.now(),
      });
    expect(store.stats.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(store.stats.entries).toBeLessThan(2_000);
  });
});

describeRedis('RedisResponseStore', () => {
  const prefix = uniquePrefix('responses');
  let redis: Redis;
  beforeAll(() => {
    redis = createRedis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    await deleteByPrefix(redis, prefix);
    await redis.quit();
  });

  behavesAsAResponseStore(
    'in Redis',
    (now) => new RedisResponseStore(redis, responseNamespace(prefix, 'dsn'), now),
  );

  it('every key it writes expires (no tag set lives forever)', async () => {
    const store = new RedisResponseStore(redis, responseNamespace(prefix, 'ttl'));
    await store.set('k', answer(9), {
      ttlMs: 60_000,
      tags: ['customer:9', 'sold:9'],
      startedAt: Date.now(),
    });
    await store.invalidate(['cart:1']);
    const keys = await redis.keys(
      `${responseNamespace(prefix, 'ttl').replace(/[*?[\]\\]/g, '\\$&')}*`,
    );
    expect(keys.length).toBeGreaterThanOrEqual(3);
    for (const k of keys) expect(await redis.pttl(k)).toBeGreaterThan(0);
  });
});
