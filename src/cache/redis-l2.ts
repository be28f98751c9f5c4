/**
 * The shared tier (L2): Redis under every replica's L1, with the same keys under a namespace per
 * DSN. Values are JSON; Redis expires an entry (PX) when its stale grace ends, so a stale answer
 * can come from L2 too. Keys under `<prefix>cache:<dsn>:`:
 *
 *   e:<key>      the entry: {v: value, s: storedAt, x: expiresAt, g: staleUntil, t: tags}
 *   t:<tag>      set of entry keys carrying the tag
 *   i:<tag>      when the tag was last invalidated (a short tombstone, see `set`)
 *   l:<key>      the fetch lock for cross-replica coalescing (SET NX PX, released by token)
 *   r:<key>      tags remembered under a key (def.cache.remember: a cart's events, for its payment)
 *   inval        pub/sub channel: tags invalidated, so every replica drops its L1 copies
 *
 * Races: a read that started before a write and finishes after it must not store its (old) answer.
 * The store script refuses when one of the entry's tags was invalidated since the read began (with
 * a second of slack for clock skew between replicas: refusing costs only a later miss).
 */
import { randomUUID } from 'node:crypto';
import { LuaScript, type Redis } from '../redis.js';
import type { CacheEntry, L2Store, LockHandle } from './types.js';

const SET_SCRIPT = new LuaScript(`
local startedAt = tonumber(ARGV[3])
local n = tonumber(ARGV[6])
for i = 1, n do
  local t = redis.call('GET', ARGV[4] .. ARGV[6 + i])
  if t and tonumber(t) >= startedAt then return 0 end
end
local px = tonumber(ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', px)
for i = 1, n do
  local tk = ARGV[5] .. ARGV[6 + i]
  redis.call('SADD', tk, KEYS[1])
  if redis.call('PTTL', tk) < px then redis.call('PEXPIRE', tk, px) end
end
return 1
`);

const INVALIDATE_SCRIPT = new LuaScript(`
local n = 0
for i = 5, #ARGV do
  local tk = ARGV[1] .. ARGV[i]
  local keys = redis.call('SMEMBERS', tk)
  for j = 1, #keys, 500 do
    n = n + redis.call('DEL', unpack(keys, j, math.min(j + 499, #keys)))
  end
  redis.call('DEL', tk)
  redis.call('SET', ARGV[2] .. ARGV[i], ARGV[3], 'PX', ARGV[4])
end
return n
`);

const UNLOCK_SCRIPT = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/** Clock skew allowed between replicas when deciding whether a write raced a read. */
const SKEW_SLACK_MS = 1_000;
/** How long a tombstone outlives its invalidation: longer than any read's flight. */
const TOMBSTONE_MS = 120_000;
const REMEMBER_TTL_MS = 2 * 60 * 60_000;

export interface RedisL2Options {
  redis: Redis;
  /** Namespace: `<prefix>cache:<dsn>:` (see cacheNamespace). */
  namespace: string;
  /** Epoch ms source (the cache's clock). */
  now?: () => number;
  /** Subscribe to other replicas' invalidations (needs a second connection). Default true. */
  subscribe?: boolean;
  /** Close the given client on close(). Default false (it is usually shared with the limiter). */
  ownsClient?: boolean;
  onError?: (error: unknown) => void;
}

export function cacheNamespace(prefix: string, dsn: string): string {
  return `${prefix}cache:${encodeURIComponent(dsn)}:`;
}

interface WireEntry {
  v: unknown;
  s: number;
  x: number;
  g: number;
  t: string[];
  /** 1: stored by the refresher. */
  r?: 1;
}

function fromWire(raw: string | null): CacheEntry | undefined {
  if (raw === null) return undefined;
  const w = JSON.parse(raw) as WireEntry;
  return {
    value: w.v,
    storedAt: w.s,
    expiresAt: w.x,
    staleUntil: w.g,
    tags: w.t ?? [],
    ...(w.r ? { refreshed: true } : {}),
  };
}

export class RedisL2 implements L2Store {
  private readonly redis: Redis;
  private readonly ns: string;
  private readonly now: () => number;
  private readonly origin = randomUUID();
  private readonly listeners: ((tags: string[]) => void)[] = [];
  private subscriber?: Redis;
  private readonly ownsClient: boolean;
  /** Resolves once the invalidation channel is subscribed (tests wait for it). */
  readonly ready: Promise<void>;

  constructor(opts: RedisL2Options) {
    this.redis = opts.redis;
    this.ns = opts.namespace;
    this.now = opts.now ?? Date.now;
    this.ownsClient = opts.ownsClient ?? false;
    this.ready = opts.subscribe === false ? Promise.resolve() : this.startSubscriber(opts.onError);
  }

  private get channel(): string {
    return `${this.ns}inval`;
  }

  private async startSubscriber(onError?: (error: unknown) => void): Promise<void> {
    const sub = this.redis.duplicate();
    this.subscriber = sub;
    sub.on('error', (e) => onError?.(e));
    sub.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      try {
        const msg = JSON.parse(message) as { o: string; t: string[] };
        if (msg.o === this.origin || !Array.isArray(msg.t)) return;
        for (const listener of this.listeners) listener(msg.t);
      } catch (error) {
        onError?.(error);
      }
    });
    try {
      await sub.subscribe(this.channel);
    } catch (error) {
      onError?.(error);
    }
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    return fromWire(await this.redis.get(`${this.ns}e:${key}`));
  }

  async getMany(keys: readonly string[]): Promise<(CacheEntry | undefined)[]> {
    if (keys.length === 0) return [];
    const raws = await this.redis.mget(...keys.map((k) => `${this.ns}e:${k}`));
    return raws.map(fromWire);
  }

  async set(key: string, entry: CacheEntry, startedAt: number): Promise<boolean> {
    const px = Math.ceil(entry.staleUntil - this.now());
    if (!(px > 0)) return false;
    const wire: WireEntry = {
      v: entry.value,
      s: entry.storedAt,
      x: entry.expiresAt,
      g: entry.staleUntil,
      t: entry.tags,
      ...(entry.refreshed ? { r: 1 as const } : {}),
    };
    const stored = await SET_SCRIPT.run(
      this.redis,
      [`${this.ns}e:${key}`],
      [
        JSON.stringify(wire),
        px,
        startedAt - SKEW_SLACK_MS,
        `${this.ns}i:`,
        `${this.ns}t:`,
        entry.tags.length,
        ...entry.tags,
      ],
    );
    return stored === 1;
  }

  async invalidate(tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return;
    await INVALIDATE_SCRIPT.run(
      this.redis,
      [],
      [`${this.ns}t:`, `${this.ns}i:`, this.now(), TOMBSTONE_MS, ...tags],
    );
    await this.redis.publish(this.channel, JSON.stringify({ o: this.origin, t: tags }));
  }

  onRemoteInvalidate(listener: (tags: string[]) => void): void {
    this.listeners.push(listener);
  }

  async tryLock(key: string, ttlMs: number): Promise<LockHandle | undefined> {
    const lockKey = `${this.ns}l:${key}`;
    const token = randomUUID();
    const ok = await this.redis.set(lockKey, token, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX');
    if (ok !== 'OK') return undefined;
    return { release: async () => void (await UNLOCK_SCRIPT.run(this.redis, [lockKey], [token])) };
  }

  async isLocked(key: string): Promise<boolean> {
    return (await this.redis.exists(`${this.ns}l:${key}`)) === 1;
  }

  async remember(key: string, tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return;
    const k = `${this.ns}r:${key}`;
    await this.redis
      .multi()
      .sadd(k, ...tags)
      .pexpire(k, REMEMBER_TTL_MS)
      .exec();
  }

  async recall(key: string): Promise<string[]> {
    return this.redis.smembers(`${this.ns}r:${key}`);
  }

  async close(): Promise<void> {
    const sub = this.subscriber;
    this.subscriber = undefined;
    if (sub) {
      await sub.quit().catch(() => sub.disconnect());
    }
    if (this.ownsClient) await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
