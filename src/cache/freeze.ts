/**
 * Cached values are deep-frozen: one object is handed to many operations, and a resolver that
 * mutated it would corrupt every later answer. A mutation throws instead (ESM is strict mode).
 */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
