/**
 * The Redis peer: the shared tier as the cache reaches it. Every call is made quietly — Redis
 * trouble degrades to the in-process tier, it never fails a read — and a miss other replicas share
 * (def.cache.shareMisses) is fetched by ONE replica, under a lock, while the others wait for its
 * answer to land in Redis.
 */
import type { Clock } from '../clock.js';
import type { CacheEntry, L2Store, LockHandle } from './types.js';

/** The slice of a pino logger the cache uses. */
export interface CacheLogger {
  warn(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

/** `fn`'s answer, or undefined (logged, `onError` told) when it failed. */
export async function quietly<T>(
  logger: CacheLogger | undefined,
  op: string,
  fn: () => Promise<T>,
  onError?: () => void,
): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    onError?.();
    logger?.warn({ op, err: error }, 'shared cache tier failed; continuing without it');
    return undefined;
  }
}

export class RedisPeer {
  constructor(
    readonly l2: L2Store,
    private readonly clock: Clock,
    private readonly logger: CacheLogger | undefined,
    /** How long to wait for a peer's fetch; also the fetch lock's lifetime. */
    readonly waitMs: number,
    private readonly pollMs: number,
  ) {}

  quietly<T>(op: string, fn: () => Promise<T>, onError?: () => void): Promise<T | undefined> {
    return quietly(this.logger, op, fn, onError);
  }

  /** The entries of `keys` in order (undefined when Redis failed). */
  get(keys: readonly string[]): Promise<(CacheEntry | undefined)[] | undefined> {
    return this.quietly('get', async () =>
      keys.length === 1 ? [await this.l2.get(keys[0])] : this.l2.getMany(keys),
    );
  }

  /** Every entry of `keys` if each is fresh now, else undefined. */
  async fresh(keys: readonly string[]): Promise<CacheEntry[] | undefined> {
    const shared = await this.get(keys);
    const now = this.clock.now();
    return shared?.every((e) => e !== undefined && e.expiresAt > now)
      ? (shared as CacheEntry[])
      : undefined;
  }

  /**
   * This replica's turn to fetch `keys`: the lock `lockKey` when it got it (or nothing when Redis
   * failed: fetch unlocked), or the entries a peer holding it fetched meanwhile.
   */
  async lockOrWait(
    lockKey: string,
    keys: readonly string[],
    deadline: number | undefined,
    signal: AbortSignal,
  ): Promise<{ lock?: LockHandle; filled?: CacheEntry[] }> {
    let lockFailed = false;
    const lock = await this.quietly(
      'lock',
      () => this.l2.tryLock(lockKey, this.waitMs),
      () => (lockFailed = true),
    );
    if (lock || lockFailed) return lock ? { lock } : {};
    // Not locked because a peer holds it (not because Redis failed): wait for its answer.
    const filled = await this.waitForPeer(lockKey, () => this.fresh(keys), deadline, signal);
    if (filled) return { filled };
    // The peer gave up or failed: fetch ourselves (under the shared budget all the same).
    const retried = await this.quietly('lock', () => this.l2.tryLock(lockKey, this.waitMs));
    return retried ? { lock: retried } : {};
  }

  /**
   * Waits (bounded by waitMs and the caller's deadline) while another replica holds the fetch
   * lock `lockKey`; resolves with what `probe` finds in L2 once it lands, or undefined when the
   * peer gave up (lock gone, nothing landed) or the wait ran out.
   */
  private async waitForPeer<T>(
    lockKey: string,
    probe: () => Promise<T | undefined>,
    deadline: number | undefined,
    signal: AbortSignal,
  ): Promise<T | undefined> {
    const start = this.clock.now();
    let until = start + this.waitMs;
    if (deadline !== undefined) until = Math.min(until, deadline);
    const maxRounds = Math.ceil(this.waitMs / this.pollMs) + 1;
    for (let round = 0; round < maxRounds && this.clock.now() < until; round++) {
      await this.clock.sleep(this.pollMs, signal);
      const found = await probe();
      if (found !== undefined) return found;
      const locked = await this.quietly('lock', () => this.l2.isLocked(lockKey));
      if (!locked) return probe();
    }
    return undefined;
  }
}
