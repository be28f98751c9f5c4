/**
 * The refresher's spend cap shared by replicas (RefreshLedger in Redis): one sorted set of send
 * times per gateway, trimmed to the window and checked-and-added atomically, so N replicas
 * together stay under CACHE_REFRESH_MAX_PER_MINUTE rather than N times it. While Redis is away
 * (`degraded()`, the breaker open) it refuses at once: idle work is the first thing to give up, and
 * replicas that cannot see each other's spend must not each spend the whole cap.
 */
import { randomUUID } from 'node:crypto';
import { LuaScript, type Redis } from '../redis.js';
import type { RefreshLedger } from './refresh-ahead.js';

// KEYS[1] the set; ARGV now, windowMs, max, member. 1 = taken, 0 = at the cap.
const TAKE_SCRIPT = new LuaScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`);

export class RedisRefreshLedger implements RefreshLedger {
  private readonly key: string;
  private readonly origin = randomUUID().slice(0, 8);
  private seq = 0;
  private last?: string;

  constructor(
    private readonly redis: Redis,
    /** Namespace of the gateway (its cache namespace); the set lives under `${namespace}refresh-spend`. */
    namespace: string,
    readonly maxPerWindow: number,
    readonly windowMs = 60_000,
    private readonly degraded: () => boolean = () => false,
  ) {
    this.key = `${namespace}refresh-spend`;
  }

  private member(): string {
    return `${this.origin}:${++this.seq}`;
  }

  async tryTake(now: number): Promise<boolean> {
    if (this.degraded()) return false;
    const member = this.member();
    const ok =
      (await TAKE_SCRIPT.run(
        this.redis,
        [this.key],
        [now, this.windowMs, this.maxPerWindow, member],
      )) === 1;
    if (ok) this.last = member;
    return ok;
  }

  async add(now: number, n: number): Promise<void> {
    if (n <= 0 || this.degraded()) return;
    const args: (string | number)[] = [];
    for (let i = 0; i < n; i++) args.push(now, this.member());
    await this.redis
      .multi()
      .zadd(this.key, ...args)
      .pexpire(this.key, this.windowMs)
      .exec();
  }

  async giveBack(): Promise<void> {
    if (this.last === undefined || this.degraded()) return;
    const member = this.last;
    this.last = undefined;
    await this.redis.zrem(this.key, member);
  }

  async spent(now: number): Promise<number> {
    return this.redis.zcount(this.key, `(${now - this.windowMs}`, '+inf');
  }
}
