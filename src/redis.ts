/**
 * The Redis client factory and the small helpers every Redis-backed part uses (the shared cache
 * tier, the shared budget). One place decides connection behaviour: a command fails fast when
 * Redis is away (the cache then degrades to in-process; the budget gate refuses rather than
 * overspending), and reconnection is bounded in pace, not in count.
 *
 * Keys: every key starts with a prefix (default "archtics:"; tests use a unique one per run so that
 * they can flush only their own keys). Secrets never appear in a key: `secretId` hashes them.
 *
 * Note the import: `import { Redis } from 'ioredis'` (the default import fails tsc under NodeNext).
 */
import { createHash } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';

export type { Redis };

export const DEFAULT_KEY_PREFIX = 'archtics:';

export function createRedis(url: string, opts: RedisOptions = {}): Redis {
  return new Redis(url, {
    // Fail a command after a couple of reconnect attempts instead of queueing it forever.
    maxRetriesPerRequest: 2,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(100 * times, 2_000),
    ...opts,
  });
}

/** A stable, non-reversible id for a secret (an API key): 32 hex of sha256. */
export function secretId(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

/** A Lua script run by EVALSHA, loaded with EVAL the first time (or after SCRIPT FLUSH). */
export class LuaScript {
  readonly sha: string;
  constructor(readonly source: string) {
    this.sha = sha1(source);
  }

  async run(
    redis: Redis,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!String((error as Error)?.message).includes('NOSCRIPT')) throw error;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

/** True when a Redis at `url` answers PING within `timeoutMs` (tests decide to skip or run with it). */
export async function redisReachable(url: string, timeoutMs = 1_000): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** Deletes every key under `prefix` (bounded SCAN batches). For tests and admin: never a FLUSHDB. */
export async function deleteByPrefix(redis: Redis, prefix: string): Promise<number> {
  if (!prefix) throw new RangeError('deleteByPrefix needs a non-empty prefix');
  let cursor = '0';
  let deleted = 0;
  for (let round = 0; round < 100_000; round++) {
    const [next, keys] = await redis.scan(
      cursor,
      'MATCH',
      `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`,
      'COUNT',
      500,
    );
    if (keys.length > 0) deleted += await redis.del(...keys);
    cursor = next;
    if (cursor === '0') break;
  }
  return deleted;
}
