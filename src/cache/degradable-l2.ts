/**
 * The shared tier while Redis is away: when `degraded()` (the Redis breaker is open) every call
 * answers at once as if the tier were empty — no lookup, no store, no lock to wait for (this
 * replica fetches for itself) — so the cache runs on L1 alone without a failed call, a timeout or a
 * log line per read. Invalidations other replicas would have needed are lost meanwhile: their L1
 * entries age out within their TTL.
 */
import type { CacheEntry, L2Store, LockHandle } from './types.js';

const OWN_LOCK: LockHandle = { release: async () => undefined };

export function degradableL2(inner: L2Store, degraded: () => boolean): L2Store {
  return {
    get: (key) => (degraded() ? Promise.resolve(undefined) : inner.get(key)),
    getMany: (keys) =>
      degraded()
        ? Promise.resolve(keys.map((): CacheEntry | undefined => undefined))
        : inner.getMany(keys),
    set: (key, entry, startedAt) =>
      degraded() ? Promise.resolve(false) : inner.set(key, entry, startedAt),
    invalidate: (tags) => (degraded() ? Promise.resolve() : inner.invalidate(tags)),
    onRemoteInvalidate: (listener) => inner.onRemoteInvalidate(listener),
    tryLock: (key, ttlMs) => (degraded() ? Promise.resolve(OWN_LOCK) : inner.tryLock(key, ttlMs)),
    isLocked: (key) => (degraded() ? Promise.resolve(false) : inner.isLocked(key)),
    remember: (key, tags) => (degraded() ? Promise.resolve() : inner.remember(key, tags)),
    recall: (key) => (degraded() ? Promise.resolve([]) : inner.recall(key)),
    close: () => inner.close(),
  };
}
