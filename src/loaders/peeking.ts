/**
 * A per-request DataLoader that can answer WITHOUT a promise: `get(key)` returns the value itself
 * when this operation already has it, or when the cross-request cache holds it fresh (a peek, no
 * command run), and the loader's promise otherwise. `load(key)` is the DataLoader's, unchanged.
 *
 * Why: a fully cached dashboard operation has ~500 fields whose resolvers went through a loader
 * (each seat's event, each event's price codes). As promises, every one of them cost a chain of
 * microtasks and kept the whole half-built result alive across event-loop turns, where concurrent
 * operations' garbage piled up and made every scavenge slow (GC was ~40% of a cached op's CPU).
 * Answered synchronously, graphql-js completes those fields in one pass.
 *
 * Same answers as before: within one operation a key has ONE value — a key this operation already
 * asked the loader for is never peeked (its load decides), and a peeked value is primed into the
 * loader, so a later load() of that key gets it. Trace accounting stays with the runner: a peek
 * that hits counts the cache hit the loader's call would have counted.
 */
import { isPromise, type MaybePromise } from '@whatwg-node/promise-helpers';
import type DataLoader from 'dataloader';

export class PeekingLoader<K, V> {
  /** Values this operation has, by cache key. */
  private readonly values = new Map<string, V>();
  /** Keys handed to the loader (their answer is the loader's, whatever the cache says meanwhile). */
  private readonly requested = new Set<string>();

  constructor(
    private readonly loader: DataLoader<K, V, string>,
    private readonly keyOf: (key: K) => string,
    /** The value now if the cache has it fresh; undefined otherwise. */
    private readonly peek?: (key: K) => { value: V } | undefined,
  ) {}

  /** The value at once when it is known now, else the loader's promise. */
  get(key: K): MaybePromise<V> {
    const k = this.keyOf(key);
    if (this.values.has(k)) return this.values.get(k) as V;
    if (this.peek && !this.requested.has(k)) {
      const hit = this.peek(key);
      if (hit) {
        this.values.set(k, hit.value);
        this.loader.prime(key, hit.value);
        return hit.value;
      }
    }
    return this.load(key);
  }

  load(key: K): Promise<V> {
    const k = this.keyOf(key);
    if (!this.values.has(k)) this.requested.add(k);
    const p = this.loader.load(key);
    if (!this.values.has(k))
      void p.then(
        (v) => void this.values.set(k, v),
        () => undefined,
      );
    return p;
  }

  /** Like DataLoader.prime: first value wins. */
  prime(key: K, value: V): this {
    const k = this.keyOf(key);
    if (!this.values.has(k) && !this.requested.has(k)) {
      this.values.set(k, value);
      this.loader.prime(key, value);
    }
    return this;
  }
}

/** Many gets: an array at once when every value is known now, else one promise of them all. */
export function getAll<K, V>(loader: PeekingLoader<K, V>, keys: readonly K[]): MaybePromise<V[]> {
  const out = keys.map((k) => loader.get(k));
  return out.some((v) => isPromise(v)) ? Promise.all(out) : (out as V[]);
}

const asError = (error: unknown): Error =>
  error instanceof Error ? error : new Error(String(error));

/**
 * One list item that failed, for a resolver answering a list item by item: an Error VALUE, which
 * graphql-js and graphql-jit both put at that item's path, keeping the others. (A rejected promise
 * would do for graphql-js, but graphql-jit moves a rejected item to the end of the list.)
 */
export function failedItem<T>(error: unknown): T {
  return asError(error) as T;
}

/**
 * A list answered item by item, each failure (a rejected item) an Error value: see failedItem.
 * Typed as the items are: to a resolver's schema type an Error value is the item's error, not data.
 */
export function settledItems<T>(items: readonly MaybePromise<T>[]): MaybePromise<T>[] {
  return items.map((item) =>
    isPromise(item) ? item.then((v) => v, asError as (e: unknown) => T) : item,
  );
}
