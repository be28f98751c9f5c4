/**
 * Cart owners in Redis (with REDIS_URL): shared by replicas, so a cart made through one replica is
 * refused to other callers on every replica. One hash per cart (`owner`, `acctId`, `createdAt`,
 * `seats` as JSON), written by one Lua script so that the first claim wins across replicas.
 * Keys: `<prefix>cart:<namespace>:<orderNum>`, expiring `ttlMs` after the first write, and per
 * account a set of its carts' numbers, `<prefix>cart:<namespace>:acct:<acctId>` (ofAccount), living
 * as long as its newest cart.
 */
import { LuaScript, type Redis } from '../redis.js';
import { CARTS_PER_ACCOUNT, type CartClaim, type CartOwner, type CartOwnerStore } from './types.js';

/**
 * KEYS[1] cart; ARGV: owner ('' = none), acctId ('' = none), seats JSON, now, ttl ms.
 * Sets owner / acctId only when absent, merges seats, returns the hash.
 */
const MERGE = new LuaScript(`
local created = redis.call('HSETNX', KEYS[1], 'createdAt', ARGV[4])
if ARGV[1] ~= '' then redis.call('HSETNX', KEYS[1], 'owner', ARGV[1]) end
if ARGV[2] ~= '' then redis.call('HSETNX', KEYS[1], 'acctId', ARGV[2]) end
local seen = {}
local merged = {}
local current = redis.call('HGET', KEYS[1], 'seats')
for _, list in ipairs({ current or '[]', ARGV[3] }) do
  for _, s in ipairs(cjson.decode(list)) do
    if not seen[s] then seen[s] = true; merged[#merged + 1] = s end
  end
end
if #merged == 0 then redis.call('HSET', KEYS[1], 'seats', '[]') else redis.call('HSET', KEYS[1], 'seats', cjson.encode(merged)) end
if created == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[5]) end
return redis.call('HGETALL', KEYS[1])
`);

export interface RedisCartOwnerOptions {
  redis: Redis;
  /** Scopes the keys (the upstream's identity). */
  namespace: string;
  ttlMs: number;
  prefix?: string;
}

function cartOf(fields: Record<string, string>): CartOwner | undefined {
  if (!fields.createdAt) return undefined;
  return {
    ...(fields.owner ? { owner: fields.owner } : {}),
    ...(fields.acctId ? { acctId: Number(fields.acctId) } : {}),
    seats: fields.seats ? (JSON.parse(fields.seats) as string[]) : [],
    createdAt: Number(fields.createdAt),
  };
}

function pairs(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]] = flat[i + 1];
  return out;
}

export class RedisCartOwnerStore implements CartOwnerStore {
  private readonly redis: Redis;
  private readonly keyPrefix: string;

  constructor(private readonly opts: RedisCartOwnerOptions) {
    this.redis = opts.redis;
    this.keyPrefix = `${opts.prefix ?? 'archtics:'}cart:${opts.namespace}:`;
  }

  private async merge(
    orderNum: number,
    owner: string,
    acctId: number | undefined,
    seats: readonly string[],
  ): Promise<CartOwner> {
    // cjson encodes an empty Lua table as {}: send seats as a JSON list and compare on read.
    const flat = (await MERGE.run(
      this.redis,
      [this.keyPrefix + orderNum],
      [
        owner,
        acctId === undefined ? '' : String(acctId),
        JSON.stringify(seats),
        Date.now(),
        this.opts.ttlMs,
      ],
    )) as string[];
    const cart = cartOf(pairs(flat))!;
    if (cart.acctId !== undefined) {
      // The account's index: a hint (ofAccount reads each cart's own record), so a second command.
      const index = `${this.keyPrefix}acct:${cart.acctId}`;
      await this.redis.multi().sadd(index, String(orderNum)).pexpire(index, this.opts.ttlMs).exec();
    }
    return cart;
  }

  async ofAccount(acctId: number): Promise<(CartOwner & { orderNum: number })[]> {
    const index = `${this.keyPrefix}acct:${acctId}`;
    const orderNums = (await this.redis.smembers(index))
      .map(Number)
      .filter((n) => Number.isSafeInteger(n));
    if (orderNums.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const n of orderNums) pipeline.hgetall(this.keyPrefix + n);
    const results = (await pipeline.exec()) ?? [];
    const out: (CartOwner & { orderNum: number })[] = [];
    const gone: string[] = [];
    results.forEach(([error, fields], i) => {
      const cart = error ? undefined : cartOf(fields as Record<string, string>);
      if (cart?.acctId === acctId) out.push({ ...cart, orderNum: orderNums[i] });
      else if (!error) gone.push(String(orderNums[i]));
    });
    // Expired carts leave the index as they are found gone.
    if (gone.length > 0) await this.redis.srem(index, ...gone);
    return out.sort((a, b) => b.createdAt - a.createdAt).slice(0, CARTS_PER_ACCOUNT);
  }

  claim(orderNum: number, claim: CartClaim): Promise<CartOwner> {
    return this.merge(orderNum, claim.owner, claim.acctId, claim.seats ?? []);
  }

  async get(orderNum: number): Promise<CartOwner | undefined> {
    return cartOf(await this.redis.hgetall(this.keyPrefix + orderNum));
  }

  async addSeats(orderNum: number, seats: readonly string[], acctId?: number): Promise<void> {
    await this.merge(orderNum, '', acctId, seats);
  }

  async close(): Promise<void> {}
}
