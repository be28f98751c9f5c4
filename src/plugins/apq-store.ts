/**
 * Where automatic persisted queries (APQ) are kept: hash → document text, bounded in count and in
 * bytes, because anyone may register a document. In this process (an LRU), or in Redis with
 * REDIS_URL so every replica knows a hash one of them registered (a hash-only request may land on
 * any replica).
 */
import { LRUCache } from 'lru-cache';
import { LuaScript, type Redis } from '../redis.js';

export interface APQStore {
  get(hash: string): Promise<string | undefined> | string | undefined;
  /** Keeps `query` under `hash`; false when it was not kept (too large). */
  set(hash: string, query: string): Promise<boolean> | boolean;
}

export interface APQStoreLimits {
  /** Most documents kept (default 1000). */
  maxEntries?: number;
  /** Most bytes of document text kept in all (default 5 MB). */
  maxBytes?: number;
  /** A longer document is executed but never kept (default 64 KiB). */
  maxDocumentBytes?: number;
  /** A document not used for this long is dropped (default 24 h). */
  ttlMs?: number;
}

const DEFAULTS = {
  maxEntries: 1000,
  maxBytes: 5 * 1024 * 1024,
  maxDocumentBytes: 64 * 1024,
  ttlMs: 24 * 3600_000,
};

export function apqLimits(limits: APQStoreLimits = {}): Required<APQStoreLimits> {
  return {
    ...DEFAULTS,
    ...Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined)),
  };
}

export function createMemoryAPQStore(limits: APQStoreLimits = {}): APQStore {
  const l = apqLimits(limits);
  const lru = new LRUCache<string, string>({
    max: l.maxEntries,
    maxSize: l.maxBytes,
    sizeCalculation: (query, hash) => Buffer.byteLength(query) + hash.length,
    ttl: l.ttlMs,
    updateAgeOnGet: true,
  });
  return {
    get: (hash) => lru.get(hash),
    set(hash, query) {
      if (Buffer.byteLength(query) > l.maxDocumentBytes) return false;
      lru.set(hash, query);
      return true;
    },
  };
}

/**
 * One key per document (`<prefix>apq:<hash>`, with its TTL) and a sorted set of the hashes by last
 * use; past maxEntries the least recently used are deleted, so Redis holds at most
 * maxEntries × maxDocumentBytes of documents.
 */
const SET_SCRIPT = new LuaScript(`
local index, doc, hash, query, now, ttl, max = KEYS[1], KEYS[2], ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
redis.call('SET', doc, query, 'PX', ttl)
redis.call('ZADD', index, now, hash)
redis.call('ZREMRANGEBYSCORE', index, '-inf', now - ttl)
local over = redis.call('ZCARD', index) - max
if over > 0 then
  local old = redis.call('ZRANGE', index, 0, over - 1)
  for _, h in ipairs(old) do redis.call('DEL', ARGV[6] .. h) end
  redis.call('ZREMRANGEBYRANK', index, 0, over - 1)
end
redis.call('PEXPIRE', index, ttl)
return 1
`);

export function createRedisAPQStore(
  redis: Redis,
  opts: APQStoreLimits & { prefix: string },
): APQStore {
  const l = apqLimits(opts);
  // maxBytes bounds the in-process store; in Redis the bound is maxEntries documents of at most maxDocumentBytes.
  const docPrefix = `${opts.prefix}apq:doc:`;
  const index = `${opts.prefix}apq:index`;
  return {
    async get(hash) {
      const query = await redis.get(docPrefix + hash);
      if (query === null) return undefined;
      // Touch: kept by use, not by registration time. Best effort.
      void Promise.all([
        redis.pexpire(docPrefix + hash, l.ttlMs),
        redis.zadd(index, Date.now(), hash),
      ]).catch(() => undefined);
      return query;
    },
    async set(hash, query) {
      if (Buffer.byteLength(query) > l.maxDocumentBytes) return false;
      await SET_SCRIPT.run(
        redis,
        [index, docPrefix + hash],
        [hash, query, Date.now(), l.ttlMs, l.maxEntries, docPrefix],
      );
      return true;
    },
  };
}
