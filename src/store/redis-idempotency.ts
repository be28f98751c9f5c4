/**
 * The Redis store (with REDIS_URL): records are shared by every replica and survive a gateway
 * restart. create() is SET NX PX; replace() is a Lua compare-and-set on the record's owner, so
 * two replicas can never both take over the same record. Keys are `<prefix>idem:<key>`.
 */
import { LuaScript, type Redis } from '../redis.js';
import type { IdempotencyRecord, IdempotencyStore } from './types.js';

/** KEYS[1] record; ARGV[1] expected owner, ARGV[2] next record JSON, ARGV[3] TTL ms. */
const REPLACE_IF_OWNER = new LuaScript(`
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local ok, record = pcall(cjson.decode, current)
if not ok or record.owner ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`);

export interface RedisIdempotencyOptions {
  redis: Redis;
  ttlMs: number;
  /** Default "archtics:". */
  prefix?: string;
  /** Whether close() disconnects the client (default false: the caller owns it). */
  ownsClient?: boolean;
}

export class RedisIdempotencyStore implements IdempotencyStore {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(private readonly opts: RedisIdempotencyOptions) {
    this.redis = opts.redis;
    this.prefix = `${opts.prefix ?? 'archtics:'}idem:`;
  }

  async create(key: string, record: IdempotencyRecord): Promise<boolean> {
    return (
      (await this.redis.set(
        this.prefix + key,
        JSON.stringify(record),
        'PX',
        this.opts.ttlMs,
        'NX',
      )) === 'OK'
    );
  }

  async get(key: string): Promise<IdempotencyRecord | undefined> {
    const text = await this.redis.get(this.prefix + key);
    return text ? (JSON.parse(text) as IdempotencyRecord) : undefined;
  }

  async replace(key: string, expectedOwner: string, next: IdempotencyRecord): Promise<boolean> {
    const done = await REPLACE_IF_OWNER.run(
      this.redis,
      [this.prefix + key],
      [expectedOwner, JSON.stringify(next), this.opts.ttlMs],
    );
    return done === 1;
  }

  async close(): Promise<void> {
    if (this.opts.ownsClient) this.redis.disconnect();
  }
}
