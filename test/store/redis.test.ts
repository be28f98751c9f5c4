/**
 * The Redis stores (REDIS_URL): cart owners shared by replicas — the first claim wins across
 * clients, seats merge — and idempotency records that another client (a replica) sees. Skips
 * without Redis locally; must run under CI=true.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRedis, deleteByPrefix, type Redis } from '../../src/redis.js';
import { RedisCartOwnerStore, RedisIdempotencyStore } from '../../src/store/index.js';
import { describeRedis, TEST_REDIS_URL, uniquePrefix } from '../cache/redis-env.js';

describeRedis('Redis stores', () => {
  const prefix = uniquePrefix('store');
  let a: Redis;
  let b: Redis;
  beforeAll(() => {
    a = createRedis(TEST_REDIS_URL);
    b = createRedis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    await deleteByPrefix(a, prefix);
    a.disconnect();
    b.disconnect();
  });

  it('cart owners: the first claim wins on every replica, seats merge, the record expires', async () => {
    const one = new RedisCartOwnerStore({ redis: a, namespace: 'ns', ttlMs: 60_000, prefix });
    const two = new RedisCartOwnerStore({ redis: b, namespace: 'ns', ttlMs: 60_000, prefix });
    const claims = await Promise.all([
      one.claim(600001, { owner: 'token:alice', acctId: 100479, seats: ['E|1|A|1'] }),
      two.claim(600001, { owner: 'token:bob', seats: ['E|1|A|2'] }),
    ]);
    expect(claims[1].owner).toBe(claims[0].owner);
    const found = await two.get(600001);
    expect(found!.owner).toBe(claims[0].owner);
    expect(found!.seats.sort()).toEqual(['E|1|A|1', 'E|1|A|2']);
    await one.addSeats(600002, ['E|1|B|1'], 7);
    expect(await two.get(600002)).toMatchObject({ acctId: 7, seats: ['E|1|B|1'] });
    expect((await two.get(600002))!.owner).toBeUndefined();
    expect(await two.get(600003)).toBeUndefined();
    const ttl = await a.pttl(`${prefix}cart:ns:600001`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('ofAccount: carts bound to an account on any replica, expired ones leave the index', async () => {
    const one = new RedisCartOwnerStore({ redis: a, namespace: 'acct', ttlMs: 60_000, prefix });
    const two = new RedisCartOwnerStore({ redis: b, namespace: 'acct', ttlMs: 60_000, prefix });
    await one.claim(700001, { owner: 'token:alice', acctId: 5, seats: ['E|1|A|1'] });
    await two.claim(700002, { owner: 'token:bob' });
    await two.addSeats(700002, ['E|1|A|2'], 5);
    await one.claim(700003, { owner: 'token:bob', acctId: 6 });
    expect((await two.ofAccount(5)).map((c) => [c.orderNum, c.owner]).sort()).toEqual([
      [700001, 'token:alice'],
      [700002, 'token:bob'],
    ]);
    await a.del(`${prefix}cart:acct:700001`);
    expect((await one.ofAccount(5)).map((c) => c.orderNum)).toEqual([700002]);
    expect(await a.smembers(`${prefix}cart:acct:acct:5`)).toEqual(['700002']);
  });

  it('idempotency records written by one replica are seen, and compare-and-set, by another', async () => {
    const one = new RedisIdempotencyStore({ redis: a, ttlMs: 60_000, prefix });
    const two = new RedisIdempotencyStore({ redis: b, ttlMs: 60_000, prefix });
    const rec = {
      fingerprint: 'f',
      state: 'pending' as const,
      owner: 'o1',
      leaseUntil: 0,
      sends: 0,
      createdAt: 1,
      updatedAt: 1,
    };
    expect(await one.create('k', rec)).toBe(true);
    expect(await two.create('k', { ...rec, owner: 'o2' })).toBe(false);
    expect(await two.replace('k', 'o2', rec)).toBe(false);
    expect(await two.replace('k', 'o1', { ...rec, state: 'done' })).toBe(true);
    expect(await one.get('k')).toMatchObject({ state: 'done' });
  });
});
