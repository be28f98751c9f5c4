/**
 * The cross-request command cache (architecture: src/cache/). One concern per file:
 * key.ts (keys), lru.ts (byte-bounded L1 + tag index), coalesce.ts (in-flight joins),
 * tags.ts (what each write invalidates), stale.ts (answers while the upstream refuses),
 * split.ts (event_details cached event by event), redis-l2.ts (the shared tier), runner.ts (the CommandRunner tying them together).
 */
export { createCachedRunner, DEFAULT_PEER_COALESCE, type CachedRunner, type CachedRunnerOptions, type CacheLogger, type RefreshEvent } from './runner.js';
export { RedisL2, cacheNamespace, type RedisL2Options } from './redis-l2.js';
export { ByteLruStore, entryBytes } from './lru.js';
export { cacheKey, canonicalJson, keyOfFields } from './key.js';
export { readTags, writeTags, tag, ALL_AVAILABILITY } from './tags.js';
export { isRefusal, staleExtension } from './stale.js';
export type { CacheEntry, CacheMetricsSink, CacheOutcome, CacheStats, L2Store, LockHandle } from './types.js';
