/**
 * The cross-request command cache (architecture: src/cache/). It knows no command by name: each
 * command's definition carries its cache policy (TTL, key canonicalisation, tags, items). One
 * concern per file: key.ts (keys), lru.ts (byte-bounded L1 + tag index), coalesce.ts (in-flight
 * joins), stale.ts (answers while the upstream refuses), redis-l2.ts (the shared tier), peer.ts
 * (reaching it quietly; one replica fetching a shared miss), invalidation.ts (what writes evict),
 * catalogue.ts (a whole collection as one entry), refresh-ahead.ts (hot reads renewed with idle
 * budget) and redis-refresh-ledger.ts (its spend cap shared by replicas), keyed-read.ts (what a
 * read is: N keys and how their misses are fetched), runner.ts (the CommandRunner tying them
 * together: one read-through path over N keys, and getFresh).
 */
export {
  createCachedRunner,
  type CachedRunner,
  type CachedRunnerOptions,
  type CacheLogger,
  type RefreshEvent,
} from './runner.js';
export { RedisRefreshLedger } from './redis-refresh-ledger.js';
export { MemoryRefreshLedger, type RefreshLedger, type RefreshOutcome } from './refresh-ahead.js';
export { RedisL2, cacheNamespace, type RedisL2Options } from './redis-l2.js';
export { ByteLruStore, entryBytes } from './lru.js';
export { cacheKey, canonicalJson, keyOfFields } from './key.js';
export { isRefusal, staleExtension } from './stale.js';
export type {
  CacheEntry,
  CacheMetricsSink,
  CacheOutcome,
  CacheStats,
  L2Store,
  LockHandle,
} from './types.js';
