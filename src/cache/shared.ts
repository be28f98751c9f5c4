/**
 * Shared values: what the caches hand to every operation that reads the same answer. They are
 * deep-frozen when stored, so nothing may change them in place — and being frozen is how code
 * above knows a value is shared and may memoise what it derives from it in a WeakMap (sorted
 * seats, pages, encoded ids): it cannot change, and the memo goes when the answer is evicted.
 * This file is the one place that says so; nobody else reads Object.isFrozen for that meaning.
 */

/** Marks a value (and everything in it) shared: frozen, deeply. Returns it. */
export function share<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    // Indexed and for-in loops: Object.values would allocate an array per object of the answer.
    if (Array.isArray(value)) for (let i = 0; i < value.length; i++) share(value[i]);
    else for (const k in value) share((value as Record<string, unknown>)[k]);
  }
  return value;
}

/** A value handed out by a cache (the same object to every reader while it is fresh). */
export function isShared(value: unknown): value is object {
  return typeof value === 'object' && value !== null && Object.isFrozen(value);
}
