/**
 * The one loader factory: a command loader is described once — which command, the request for a
 * key (or for several keys at once), and where a key's value lies in the answer — and both of its
 * ways to answer are built from that description:
 *   - the DataLoader batch (one command per key, or one for many keys, split above `maxBatchSize`);
 *   - the synchronous cached get (PeekingLoader): the same request read from the command cache
 *     with `runner.getFresh`, the same `select` applied to what it finds.
 * So a projection cannot drift between the two paths, and a cache hit is counted where the cache
 * counts it (once per command the loader would have sent).
 */
import DataLoader from 'dataloader';
import type { CommandDef, CommandRunner } from '../archtics/types.js';
import { PeekingLoader } from './peeking.js';

export interface CommandLoaderSpec<K, Req, Res, V> {
  command: CommandDef<Req, Res>;
  /** The operation's key of `k`: equal keys are one load (DataLoader's cacheKeyFn). */
  key: (k: K) => string;
  /** A key's value in the command's answer. */
  select: (answer: Res, k: K) => V;
  /** One command per key: its request. */
  request?: (k: K) => Req;
  /** One command for many keys (a list filter): its request, and at most how many keys per call. */
  many?: {
    request: (keys: readonly K[]) => Req;
    maxBatchSize: number;
    schedule?: (dispatch: () => void) => void;
  };
  /** Sees every loaded value (a customer found by e-mail primes the by-id loader). */
  onLoaded?: (value: V, k: K) => void;
}

/** The DataLoader and the synchronous cached get of one command, from one spec. */
export function commandLoader<K, Req, Res, V>(
  /** Bound to the operation (bindRunner): its trace, signal and request id. */
  runner: CommandRunner,
  spec: CommandLoaderSpec<K, Req, Res, V>,
): PeekingLoader<K, V> {
  const requestFor = (keys: readonly K[]): Req =>
    spec.many ? spec.many.request(keys) : spec.request!(keys[0]);
  const loaded = (answer: Res, k: K): V => {
    const value = spec.select(answer, k);
    spec.onLoaded?.(value, k);
    return value;
  };
  const batch = spec.many
    ? async (keys: readonly K[]) => {
        const answer = await runner.run(spec.command, requestFor(keys));
        return keys.map((k) => loaded(answer, k));
      }
    : (keys: readonly K[]) =>
        Promise.all(
          keys.map(async (k) => loaded(await runner.run(spec.command, requestFor([k])), k)),
        );
  const loader = new DataLoader<K, V, string>(batch, {
    cacheKeyFn: spec.key,
    ...(spec.many
      ? {
          maxBatchSize: spec.many.maxBatchSize,
          ...(spec.many.schedule ? { batchScheduleFn: spec.many.schedule } : {}),
        }
      : { batch: false }),
  });
  const getFresh = runner.getFresh?.bind(runner);
  return new PeekingLoader<K, V>(
    loader,
    spec.key,
    getFresh &&
      ((k) => {
        const hit = getFresh(spec.command, requestFor([k]));
        return hit && { value: spec.select(hit.value, k) };
      }),
  );
}
