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
 * The poll reservations of accepted commands live beside them too (a hash claim → expected polls,
 * and their expiry in a sorted set), so a first send on one replica is planned after the polls
 * that every replica's accepted commands still need; and so do the samples the planner learns
 * polls per command from (a short list per command).
 *
 * Fair shares (fair.ts): a send's member in the log ends with `|<caller>` and a claim's id with its
 * caller, so `read` counts each caller's sends in the last window and the polls its claims hold —
 * no key per caller: what a caller used leaves with the window. A send held to its caller's share
 * (`Take.shapes`) is checked against the others' room in the same script.
 *
 * Keys: `<prefix>quota:<sha256(apiKey, dsn)>:{log,pause,reserved,reserved-until,polls:<command>}`
 * — the key is hashed, never stored.
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
import { DEFAULT_POLL_LEARNING, decodeSample, encodeSample, type PollSample } from './polls.js';
import {
  CLAIM_CALLER_SEPARATOR,
  LONE_SEND,
  type SlotStore,
  type Take,
  type WindowLimits,
  type WindowState,
} from './window.js';

/** Oldest entries returned by `read` besides the newest perWindow (forecasts near the day limit). */
const READ_HEAD = 256;

/**
 * Shared by the take and read scripts: drops lapsed reservations and sums the others (all but
 * `except`). KEYS[3] = hash claim → polls, KEYS[4] = sorted set claim → expiry.
 */
const RESERVED_LUA = `
local function reservedSum(now, except)
  local lapsed = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now)
  for _, c in ipairs(lapsed) do redis.call('HDEL', KEYS[3], c) end
  if #lapsed > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now) end
  local sum = 0
  local all = redis.call('HGETALL', KEYS[3])
  for i = 1, #all, 2 do
    if all[i] ~= except then sum = sum + tonumber(all[i + 1]) end
  end
  return sum
end
local function slotsFor(p)
  if p <= 1e-9 then return 0 end
  return math.ceil(p - 1e-9)
end
`;

/**
 * window.ts's decideTake in Lua: the time of the n-th (0-based) next send, each sent as soon as the
 * minute and day windows allow, after the pause. Only the log entries the forecast can reach are read.
 */
const FORECAST_LUA = `
local function forecast(now, paused, n, windowMs, perWindow, dayMs, perDay)
  local len = redis.call('ZCARD', KEYS[1])
  local wFrom = len - perWindow
  local w = {}
  if wFrom < len then
    local from = wFrom
    if from < 0 then from = 0 end
    local r = redis.call('ZRANGE', KEYS[1], from, len - 1, 'WITHSCORES')
    for i = 2, #r, 2 do w[from + i / 2 - 1] = tonumber(r[i]) end
  end
  local dFrom = len - perDay
  local d = {}
  if dFrom < len and dFrom + n >= 0 then
    local from = dFrom
    if from < 0 then from = 0 end
    local to = dFrom + n
    if to > len - 1 then to = len - 1 end
    if to >= from then
      local r = redis.call('ZRANGE', KEYS[1], from, to, 'WITHSCORES')
      for i = 2, #r, 2 do d[from + i / 2 - 1] = tonumber(r[i]) end
    end
  end
  local planned = {}
  local t = now
  if paused > t then t = paused end
  for k = 0, n do
    local L = len + k
    if L >= perWindow then
      local idx = L - perWindow
      local v
      if idx < len then v = w[idx] else v = planned[idx - len] end
      if v + windowMs > t then t = v + windowMs end
    end
    if L >= perDay then
      local idx = L - perDay
      local v
      if idx < len then v = d[idx] else v = planned[idx - len] end
      if v + dayMs > t then t = v + dayMs end
    end
    planned[k] = t
  end
  return planned
end
`;

// ARGV: now, windowMs, perWindow, dayMs, perDay, member, kind ('poll'|'first'|'lone'), claim, polls, deadline, expiresAt,
// headroom (idle work: slots that must stay free now after its own; -1 for any other send),
// then for a send held to its caller's share, pairs of (shape windowMs, shape perWindow)
const TAKE_SCRIPT = new LuaScript(`${RESERVED_LUA}${FORECAST_LUA}
local now = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
local perWindow = tonumber(ARGV[3])
local dayMs = tonumber(ARGV[4])
local perDay = tonumber(ARGV[5])
local kind = ARGV[7]
local claim = ARGV[8]
local polls = tonumber(ARGV[9])
local deadline = tonumber(ARGV[10])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - dayMs)
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if kind == 'poll' then
  local s = forecast(now, paused, 0, windowMs, perWindow, dayMs, perDay)
  if s[0] > now then return s[0] end
else
  local ahead = slotsFor(reservedSum(now, claim))
  local last = ahead + slotsFor(polls)
  local headroom = tonumber(ARGV[12])
  local n = last
  if headroom >= 0 then n = last + headroom end
  local s = forecast(now, paused, n, windowMs, perWindow, dayMs, perDay)
  if s[ahead] > now then return s[ahead] end
  if s[last] > deadline then return now + 1 end
  if headroom >= 0 and s[n] > now then return s[n] end
  for i = 13, #ARGV - 1, 2 do
    local shapeMs = tonumber(ARGV[i])
    local shapeN = tonumber(ARGV[i + 1])
    local inShape = redis.call('ZCOUNT', KEYS[1], '(' .. (now - shapeMs), '+inf')
    if inShape >= shapeN then
      local r = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - shapeMs), '+inf', 'WITHSCORES', 'LIMIT', inShape - shapeN, 1)
      local at = tonumber(r[2]) + shapeMs
      if at > now then return at end
    end
  end
end
local stamp = now
local lastSend = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if #lastSend > 0 then
  local l = tonumber(lastSend[2])
  if l > stamp then stamp = l end
end
redis.call('ZADD', KEYS[1], stamp, ARGV[6])
redis.call('PEXPIRE', KEYS[1], dayMs + windowMs)
if claim ~= '' then
  local held = tonumber(redis.call('HGET', KEYS[3], claim) or '-1')
  if kind == 'poll' then
    if held > 0 then
      local left = held - 1
      if left < 0 then left = 0 end
      redis.call('HSET', KEYS[3], claim, tostring(left))
    end
  elseif polls > 0 or held >= 0 then
    if held > polls then polls = held end
    redis.call('HSET', KEYS[3], claim, tostring(polls))
    redis.call('ZADD', KEYS[4], tonumber(ARGV[11]), claim)
    redis.call('PEXPIRE', KEYS[3], dayMs)
    redis.call('PEXPIRE', KEYS[4], dayMs)
  end
end
return 0
`);

// ARGV: now, dayMs, tailN, headN, windowMs, caller separator. Also returns each caller's use: sends
// in the window (the member's caller suffix) and polls held by its claims, as [caller, use, …].
const READ_SCRIPT = new LuaScript(`${RESERVED_LUA}
local now = tonumber(ARGV[1])
local dayMs = tonumber(ARGV[2])
local tailN = tonumber(ARGV[3])
local headN = tonumber(ARGV[4])
local sep = ARGV[6]
local function callerOf(s)
  local i = string.find(s, sep, 1, true)
  if not i or i == #s then return nil end
  return string.sub(s, i + 1)
end
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
local reservedTotal = reservedSum(now, '')
local use = {}
local order = {}
local function add(c, n)
  if not use[c] then use[c] = 0; order[#order + 1] = c end
  use[c] = use[c] + n
end
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - tonumber(ARGV[5])), '+inf')) do
  local c = callerOf(m)
  if c then add(c, 1) end
end
local held = redis.call('HGETALL', KEYS[3])
for i = 1, #held, 2 do
  local c = callerOf(held[i])
  local p = tonumber(held[i + 1])
  if c and p > 0 then add(c, p) end
end
local usage = {}
for _, c in ipairs(order) do usage[#usage + 1] = c; usage[#usage + 1] = tostring(use[c]) end
return {len, tail, head, redis.call('GET', KEYS[2]) or '0', tostring(reservedTotal), usage}
`);

const RESERVE_SCRIPT = new LuaScript(`
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[4]))
return 0
`);

// ARGV: member, kind, claim. The take's undo: the send leaves the log; a poll's claim gets its poll back.
const UNTAKE_SCRIPT = new LuaScript(`
redis.call('ZREM', KEYS[1], ARGV[1])
if ARGV[2] == 'poll' and ARGV[3] ~= '' then
  local held = redis.call('HGET', KEYS[3], ARGV[3])
  if held then redis.call('HSET', KEYS[3], ARGV[3], tostring(tonumber(held) + 1)) end
end
return 0
`);

const LEARN_SCRIPT = new LuaScript(`
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 0
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
  /** Samples kept per command (polls.ts; default 32). */
  sampleSize?: number;
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
  private readonly reservedKey: string;
  private readonly expiryKey: string;
  private readonly ns: string;
  private readonly sampleSize: number;
  private readonly replica = randomUUID().slice(0, 8);
  private seq = 0;

  constructor(opts: RedisSlotStoreOptions) {
    this.redis = opts.redis;
    this.limits = opts.limits;
    const ns = quotaNamespace(opts.prefix ?? 'archtics:', opts.apiKey, opts.dsn);
    this.ns = ns;
    this.logKey = `${ns}log`;
    this.pauseKey = `${ns}pause`;
    this.reservedKey = `${ns}reserved`;
    this.expiryKey = `${ns}reserved-until`;
    this.sampleSize = opts.sampleSize ?? DEFAULT_POLL_LEARNING.sampleSize;
  }

  private get keys(): string[] {
    return [this.logKey, this.pauseKey, this.reservedKey, this.expiryKey];
  }

  async read(now: number): Promise<WindowState> {
    const [len, tailRaw, headRaw, pausedRaw, reservedRaw, usageRaw] = (await READ_SCRIPT.run(
      this.redis,
      this.keys,
      [
        now,
        this.limits.dayMs,
        this.limits.perWindow,
        READ_HEAD,
        this.limits.windowMs,
        CLAIM_CALLER_SEPARATOR,
      ],
    )) as [number, string[], string[], string, string, string[]];
    const usage = new Map<string, number>();
    for (let i = 0; i + 1 < usageRaw.length; i += 2)
      usage.set(usageRaw[i], Number(usageRaw[i + 1]) || 0);
    const tail = tailRaw.map(Number);
    const head = headRaw.map(Number);
    const fillerCount = Number(len) - tail.length - head.length;
    const filler = tail[0] ?? now;
    const sends =
      fillerCount > 0
        ? [...head, ...new Array<number>(fillerCount).fill(filler), ...tail]
        : [...head, ...tail];
    return {
      sends,
      pausedUntil: Number(pausedRaw) || 0,
      reserved: Number(reservedRaw) || 0,
      ...(usage.size > 0 ? { usage } : {}),
    };
  }

  async tryTake(now: number, take: Take = LONE_SEND): Promise<number | null> {
    const member = this.memberOf(now, take);
    const first = take.kind === 'first' ? take : undefined;
    const at = Number(
      await TAKE_SCRIPT.run(this.redis, this.keys, [
        now,
        this.limits.windowMs,
        this.limits.perWindow,
        this.limits.dayMs,
        this.limits.perDay,
        member,
        take.kind,
        take.claim ?? '',
        first?.polls ?? 0,
        // Lua numbers: an infinite deadline as a far one.
        first && Number.isFinite(first.deadline) ? first.deadline : Number.MAX_SAFE_INTEGER,
        first?.expiresAt ?? 0,
        first?.headroom === undefined ? -1 : Math.max(0, Math.floor(first.headroom)),
        ...(first?.shapes ?? []).flatMap((s) => [s.windowMs, s.perWindow]),
      ]),
    );
    return at === 0 ? null : at;
  }

  /** The log entry of a take: its id when it has one (untake finds it by that), else a fresh one. */
  private memberOf(now: number, take: Take): string {
    // The caller last, after the separator: read() counts each caller's sends by it (fair shares).
    const caller = take.caller ? `${CLAIM_CALLER_SEPARATOR}${take.caller}` : '';
    return `${take.id !== undefined ? `${now}:${take.id}` : `${now}:${this.replica}:${this.seq++}`}${caller}`;
  }

  async untake(now: number, take: Take): Promise<void> {
    // Without an id the entry cannot be named: it stays counted (the safe side).
    if (take.id === undefined) return;
    await UNTAKE_SCRIPT.run(this.redis, this.keys, [
      this.memberOf(now, take),
      take.kind,
      take.claim ?? '',
    ]);
  }

  async pauseEnd(): Promise<number> {
    return Number(await this.redis.get(this.pauseKey)) || 0;
  }

  async reserve(claim: string, polls: number, expiresAt: number): Promise<void> {
    await RESERVE_SCRIPT.run(
      this.redis,
      [this.reservedKey, this.expiryKey],
      [claim, String(Math.max(0, polls)), expiresAt, this.limits.dayMs],
    );
  }

  async release(claim: string): Promise<void> {
    await this.redis.multi().hdel(this.reservedKey, claim).zrem(this.expiryKey, claim).exec();
  }

  async learn(command: string, sample: PollSample): Promise<void> {
    await LEARN_SCRIPT.run(
      this.redis,
      [`${this.ns}polls:${command}`],
      [encodeSample(sample), this.sampleSize, this.limits.dayMs],
    );
  }

  async samples(command: string): Promise<PollSample[]> {
    const raw = await this.redis.lrange(`${this.ns}polls:${command}`, 0, -1);
    return raw.map(decodeSample).filter((s): s is PollSample => s !== undefined);
  }

  async pauseUntil(until: number): Promise<void> {
    // The later of two pauses wins. A past pause is harmless, so the key just lives a day (its
    // expiry cannot use the limiter's clock, which may be a test's ManualClock).
    await PAUSE_SCRIPT.run(this.redis, [this.pauseKey], [Math.ceil(until), this.limits.dayMs]);
  }
}
