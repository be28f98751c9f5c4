/**
 * The shared budget: a SlotStore (window.ts) in Redis, so that every replica's QueuedLimiter
 * (limiter.ts — its queue, priorities and deadlines are reused as they are) draws from ONE minute
 * window and ONE day per API key + DSN.
 *
 * The log is a sorted set of send times. `tryTake` is one Lua script — trim, check both windows,
 * record — so two replicas can never both take the last slot: never more than perWindow sends in
 * any windowMs, across all replicas. The Retry-After pause lives beside it, so a 429 seen by one
 * replica pauses all of them.
 *
 * Keys: `<prefix>quota:<sha256(apiKey, dsn)>:{log,pause}` — the key is hashed, never stored.
 *
 * `read` returns a log of the exact length (for exact remaining counts) without shipping up to
 * 5000 day entries each time: the newest perWindow sends and the oldest few are real, the ones in
 * between are filled with the oldest of the newest — a later time than the truth, so a forecast can
 * only come out later (the safe side); tryTake stays exact.
 *
 * Clocks: replicas stamp sends with their own clock; keep them NTP-synced. The log stays ascending
 * even if a clock lags (a send is never recorded before the newest one).
 */
import { randomUUID } from 'node:crypto';
import { LuaScript, secretId, type Redis } from '../redis.js';
import type { SlotStore, WindowLimits, WindowState } from './window.js';

/** Oldest entries returned by `read` besides the newest perWindow (forecasts near the day limit). */
const READ_HEAD = 256;

const TAKE_SCRIPT = new LuaScript(`
local now = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
local perWindow = tonumber(ARGV[3])
local dayMs = tonumber(ARGV[4])
local perDay = tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - dayMs)
local at = now
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > at then at = paused end
local len = redis.call('ZCARD', KEYS[1])
if len >= perWindow then
  local e = redis.call('ZRANGE', KEYS[1], len - perWindow, len - perWindow, 'WITHSCORES')
  local t = tonumber(e[2]) + windowMs
  if t > at then at = t end
end
if len >= perDay then
  local e = redis.call('ZRANGE', KEYS[1], len - perDay, len - perDay, 'WITHSCORES')
  local t = tonumber(e[2]) + dayMs
  if t > at then at = t end
end
if at > now then return at end
local stamp = now
if len > 0 then
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  local l = tonumber(last[2])
  if l > stamp then stamp = l end
end
redis.call('ZADD', KEYS[1], stamp, ARGV[6])
redis.call('PEXPIRE', KEYS[1], dayMs + windowMs)
return 0
`);

const READ_SCRIPT = new LuaScript(`
local now = tonumber(ARGV[1])
local dayMs = tonumber(ARGV[2])
local tailN = tonumber(ARGV[3])
local headN = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - dayMs)
local len = redis.call('ZCARD', KEYS[1])
local tail = {}
local head = {}
if len > 0 then
  local t = tailN
  if t > len then t = len end
  local tr = redis.call('ZRANGE', KEYS[1], len - t, -1, 'WITHSCORES')
  for i = 2, #tr, 2 do tail[#tail + 1] = tr[i] end
  local h = len - t
  if h > headN then h = headN end
  if h > 0 then
    local hr = redis.call('ZRANGE', KEYS[1], 0, h - 1, 'WITHSCORES')
    for i = 2, #hr, 2 do head[#head + 1] = hr[i] end
  end
end
return {len, tail, head, redis.call('GET', KEYS[2]) or '0'}
`);

const PAUSE_SCRIPT = new LuaScript(`
local pauseTo = tonumber(ARGV[1])
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if pauseTo > cur then redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2])) end
return 0
`);

export interface RedisSlotStoreOptions {
  redis: Redis;
  limits: WindowLimits;
  /** The budget's identity: one budget per API key + DSN. Both are hashed. */
  apiKey: string;
  dsn: string;
  prefix?: string;
}

/** `<prefix>quota:<32 hex>:` — the hashed budget identity. */
export function quotaNamespace(prefix: string, apiKey: string, dsn: string): string {
  return `${prefix}quota:${secretId(apiKey, dsn)}:`;
}

export class RedisSlotStore implements SlotStore {
  private readonly redis: Redis;
  private readonly limits: WindowLimits;
  private readonly logKey: string;
  private readonly pauseKey: string;
  private readonly replica = randomUUID().slice(0, 8);
  private seq = 0;

  constructor(opts: RedisSlotStoreOptions) {
    this.redis = opts.redis;
    this.limits = opts.limits;
    const ns = quotaNamespace(opts.prefix ?? 'archtics:', opts.apiKey, opts.dsn);
    this.logKey = `${ns}log`;
    this.pauseKey = `${ns}pause`;
  }

  async read(now: number): Promise<WindowState> {
    const [len, tailRaw, headRaw, pausedRaw] = (await READ_SCRIPT.run(
      this.redis,
      [this.logKey, this.pauseKey],
      [now, this.limits.dayMs, this.limits.perWindow, READ_HEAD],
    )) as [number, string[], string[], string];
    const tail = tailRaw.map(Number);
    const head = headRaw.map(Number);
    const fillerCount = Number(len) - tail.length - head.length;
    const filler = tail[0] ?? now;
    const sends = fillerCount > 0 ? [...head, ...new Array<number>(fillerCount).fill(filler), ...tail] : [...head, ...tail];
    return { sends, pausedUntil: Number(pausedRaw) || 0 };
  }

  async tryTake(now: number): Promise<number | null> {
    const member = `${now}:${this.replica}:${this.seq++}`;
    const at = Number(
      await TAKE_SCRIPT.run(
        this.redis,
        [this.logKey, this.pauseKey],
        [now, this.limits.windowMs, this.limits.perWindow, this.limits.dayMs, this.limits.perDay, member],
      ),
    );
    return at === 0 ? null : at;
  }

  async pauseUntil(until: number): Promise<void> {
    // The later of two pauses wins. A past pause is harmless, so the key just lives a day (its
    // expiry cannot use the limiter's clock, which may be a test's ManualClock).
    await PAUSE_SCRIPT.run(this.redis, [this.pauseKey], [Math.ceil(until), this.limits.dayMs]);
  }
}
