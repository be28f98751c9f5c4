/**
 * The shared budget with Redis as a dependency that may fail (REDIS_URL). A SlotStore over two
 * logs:
 *
 * - the shared one (RedisSlotStore: every replica's sends, one window), used while Redis answers;
 * - this replica's own (MemorySlotStore over the durable log in DATA_DIR): every send this replica
 *   makes is recorded there too, in every mode.
 *
 * While the Redis breaker is open (src/store/redis-breaker.ts) the gate runs on the local log AT
 * ONCE, without asking Redis, at this replica's share of the budget: the limits divided by the
 * replica count (ARCHTICS_REPLICAS, else the count last seen in Redis, kept in the durable store).
 * Its snapshot — upstream.quota, extensions.upstream — is that local view.
 *
 * When Redis comes back EMPTY (restarted without its data), the window it forgot must not be spent
 * twice: each replica re-seeds the shared log from its local log before its next send. An epoch
 * key tells a Redis that lost its data from one that did not: a replica whose remembered epoch
 * (durable) differs from Redis's adds its own sends under its own member names, so every replica
 * adds its part once and nothing is counted twice.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { LuaScript, type Redis } from '../redis.js';
import { RedisUnavailableError } from '../store/redis-breaker.js';
import type { PollSample } from './polls.js';
import type { SlotStore, Take, WindowLimits, WindowState } from './window.js';
import { MemorySlotStore } from './window.js';

/**
 * KEYS: log, pause, epoch. ARGV: [1] epoch to set when missing, [2] member tag, [3] pausedUntil,
 * [4] ttl ms, [5..] send times. Adds the sends, keeps the later pause; returns the epoch in force.
 */
const SEED = new LuaScript(`
local epoch = redis.call('GET', KEYS[3])
if not epoch then epoch = ARGV[1]; redis.call('SET', KEYS[3], epoch) end
for i = 5, #ARGV do
  redis.call('ZADD', KEYS[1], tonumber(ARGV[i]), ARGV[i] .. ':' .. ARGV[2] .. ':' .. (i - 5))
end
if #ARGV >= 5 then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
local p = tonumber(ARGV[3])
if p > 0 and p > tonumber(redis.call('GET', KEYS[2]) or '0') then redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4]) end
return epoch
`);

/** KEYS: replicas zset. ARGV: now, replica id, liveness ms. Returns the live replica count. */
const HEARTBEAT = new LuaScript(`
redis.call('ZADD', KEYS[1], tonumber(ARGV[1]), ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[3]))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) * 2)
return redis.call('ZCARD', KEYS[1])
`);

/** What this store needs of the Redis dependency. */
export interface RedisHealth {
  degraded(): boolean;
  onStateChange(listener: (state: 'closed' | 'open' | 'half-open') => void): void;
}

/** Small durable facts (src/store/ meta): the epoch last seen, the replica count last seen. */
export interface DurableFacts {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

export interface ResilientSlotStoreOptions {
  shared: SlotStore;
  /** The guarded client (through the breaker). */
  redis: Redis;
  health: RedisHealth;
  limits: WindowLimits;
  /** This replica's log (MemorySlotStore over the durable log). */
  local: MemorySlotStore;
  /** `<prefix>quota:<id>:` — the shared budget's keys. */
  namespace: string;
  clock: Clock;
  /** ARCHTICS_REPLICAS: the share when degraded; default the count last seen. */
  replicas?: number;
  facts?: DurableFacts;
  /** How often this replica says it is alive (and learns the count); default 5 s. */
  heartbeatMs?: number;
  onError?: (error: unknown, what: string) => void;
}

export class ResilientSlotStore implements SlotStore {
  private readonly o: ResilientSlotStoreOptions;
  private readonly replica = randomUUID().slice(0, 8);
  private readonly logKey: string;
  private readonly pauseKey: string;
  private readonly epochKey: string;
  private readonly replicasKey: string;
  private epoch: string | undefined;
  private seenReplicas: number;
  private timer?: ReturnType<typeof setInterval>;
  /** A check of the epoch (and re-seed) in progress: sends wait for it. */
  private checking?: Promise<void>;
  private epochChecked = false;

  constructor(opts: ResilientSlotStoreOptions) {
    this.o = opts;
    this.logKey = `${opts.namespace}log`;
    this.pauseKey = `${opts.namespace}pause`;
    this.epochKey = `${opts.namespace}epoch`;
    this.replicasKey = `${opts.namespace}replicas`;
    this.epoch = opts.facts?.get(`${opts.namespace}epoch`);
    this.seenReplicas = Number(opts.facts?.get(`${opts.namespace}replicas`)) || 1;
    // Back from an outage: Redis may have lost the window. Check before the next send.
    opts.health.onStateChange((state) => {
      if (state === 'closed') this.epochChecked = false;
    });
    const every = opts.heartbeatMs ?? 5_000;
    this.timer = setInterval(() => void this.heartbeat(), every);
    this.timer.unref?.();
    void this.heartbeat();
  }

  /** The replicas the budget is shared by when degraded. */
  replicas(): number {
    return Math.max(1, this.o.replicas ?? this.seenReplicas);
  }

  /** This replica's limits while Redis is away: its share of both windows. */
  shareLimits(): WindowLimits {
    const n = this.replicas();
    const l = this.o.limits;
    return {
      ...l,
      perWindow: Math.max(1, Math.floor(l.perWindow / n)),
      perDay: Math.max(1, Math.floor(l.perDay / n)),
    };
  }

  degraded(): boolean {
    return this.o.health.degraded();
  }

  async read(now: number): Promise<WindowState> {
    if (!this.degraded()) {
      try {
        await this.ensureEpoch();
        return await this.o.shared.read(now);
      } catch (error) {
        if (!(error instanceof RedisUnavailableError)) throw error;
      }
    }
    return { ...this.o.local.read(now), limits: this.shareLimits() };
  }

  async tryTake(now: number, take?: Take): Promise<number | null> {
    if (!this.degraded()) {
      try {
        await this.ensureEpoch();
        const later = await this.o.shared.tryTake(now, take);
        if (later === null) this.o.local.record(now, take);
        return later;
      } catch (error) {
        // A take that failed may still have been recorded in Redis: counting it locally as well
        // only errs on the safe side.
        if (!(error instanceof RedisUnavailableError)) throw error;
      }
    }
    return this.o.local.tryTake(now, take, this.shareLimits());
  }

  /** A take given back unsent: out of the local log (it always has it) and the shared one. */
  async untake(now: number, take: Take): Promise<void> {
    this.o.local.untake(now, take);
    await this.onShared('untake', (shared) => shared.untake(now, take));
  }

  /** The later of the local pause and, unless degraded, the shared one (another replica's 429). */
  async pauseEnd(): Promise<number> {
    const shared = await this.onShared('pauseEnd', (s) => s.pauseEnd());
    return Math.max(this.o.local.pauseEnd(), shared ?? 0);
  }

  // Reservations and what was learnt of polls are kept locally too (record() mirrors a take's), so
  // the planner keeps its reserved polls first the moment it falls back to the local log.
  async reserve(claim: string, polls: number, expiresAt: number): Promise<void> {
    this.o.local.reserve(claim, polls, expiresAt);
    await this.onShared('reserve', (shared) => shared.reserve(claim, polls, expiresAt));
  }

  async release(claim: string): Promise<void> {
    this.o.local.release(claim);
    await this.onShared('release', (shared) => shared.release(claim));
  }

  async learn(command: string, sample: PollSample): Promise<void> {
    this.o.local.learn(command, sample);
    await this.onShared('learn', (shared) => shared.learn(command, sample));
  }

  async samples(command: string): Promise<readonly PollSample[]> {
    const shared = await this.onShared('samples', (s) => s.samples(command));
    return shared ?? this.o.local.samples(command);
  }

  /** A call on the shared store unless degraded; undefined when Redis is away. */
  private async onShared<T>(
    what: string,
    call: (shared: SlotStore) => T | Promise<T>,
  ): Promise<T | undefined> {
    if (this.degraded()) return undefined;
    try {
      return await call(this.o.shared);
    } catch (error) {
      if (!(error instanceof RedisUnavailableError)) throw error;
      return undefined;
    }
  }

  async pauseUntil(until: number): Promise<void> {
    this.o.local.pauseUntil(until);
    if (this.degraded()) return; // seeded with the local pause when Redis is back
    try {
      await this.o.shared.pauseUntil(until);
    } catch (error) {
      if (!(error instanceof RedisUnavailableError)) throw error;
    }
  }

  close(): void {
    clearInterval(this.timer);
  }

  /** Once after start and after every recovery: re-seed Redis if it lost the window. */
  private ensureEpoch(): Promise<void> {
    if (this.epochChecked) return Promise.resolve();
    this.checking ??= this.checkEpoch().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async checkEpoch(): Promise<void> {
    const current = (await this.o.redis.get(this.epochKey)) as string | null;
    if (current !== null && current === this.epoch) {
      this.epochChecked = true;
      return;
    }
    // A Redis without our epoch lost what we told it (or never had it): add this replica's sends.
    const now = this.o.clock.now();
    const { dayMs, windowMs } = this.o.limits;
    const state = this.o.local.read();
    const sends = state.sends.filter((t) => t > now - dayMs);
    const epoch = (await SEED.run(
      this.o.redis,
      [this.logKey, this.pauseKey, this.epochKey],
      [
        randomUUID(),
        `seed-${this.replica}`,
        state.pausedUntil > now ? Math.ceil(state.pausedUntil) : 0,
        dayMs + windowMs,
        ...sends,
      ],
    )) as string;
    this.epoch = epoch;
    this.remember('epoch', epoch);
    this.epochChecked = true;
  }

  private async heartbeat(): Promise<void> {
    if (this.degraded()) return;
    try {
      const count = Number(
        await HEARTBEAT.run(
          this.o.redis,
          [this.replicasKey],
          [this.o.clock.now(), this.replica, 3 * (this.o.heartbeatMs ?? 5_000)],
        ),
      );
      if (count >= 1 && count !== this.seenReplicas) {
        this.seenReplicas = count;
        this.remember('replicas', String(count));
      }
    } catch (error) {
      if (!(error instanceof RedisUnavailableError)) this.o.onError?.(error, 'replica heartbeat');
    }
  }

  private remember(what: string, value: string): void {
    try {
      this.o.facts?.set(`${this.o.namespace}${what}`, value);
    } catch (error) {
      this.o.onError?.(error, `remember ${what}`);
    }
  }
}
