/**
 * Invalidation: a write evicts the reads it makes wrong (def.cache.invalidates) — from L1, from the
 * reads in flight (their answer may predate the write: not stored), from Redis and every other
 * replica's L1, and from whoever listens (the response cache). Some tags are only known from
 * earlier answers (a cart's events): a read remembers them under a key (def.cache.remember) for a
 * later write to recall.
 */
import { LRUCache } from 'lru-cache';
import type { CommandDef } from '../archtics/types.js';
import type { Coalescer } from './coalesce.js';
import type { ByteLruStore } from './lru.js';
import { quietly, type CacheLogger, type RedisPeer } from './peer.js';

export class Invalidation {
  /** Bumped by every invalidation: a refresh that saw it move does not store its (maybe older) answer. */
  seq = 0;
  /** Invalidations made here. */
  count = 0;
  /** Tags remembered under a key (a cart's events), for a later invalidation to recall. */
  private readonly remembered = new LRUCache<string, Set<string>>({ max: 10_000 });
  private readonly listeners: ((tags: readonly string[]) => unknown)[] = [];

  constructor(
    private readonly l1: ByteLruStore,
    private readonly coalescer: Coalescer,
    private readonly peer: RedisPeer | undefined,
    private readonly logger: CacheLogger | undefined,
  ) {
    // Another replica's write: drop our copies too.
    peer?.l2.onRemoteInvalidate((tags) => this.evictHere(tags));
  }

  async invalidate(tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return;
    this.count++;
    this.evictHere(tags);
    const listening = this.listeners.map((listener) =>
      quietly(this.logger, 'invalidate', async () => listener(tags)),
    );
    if (this.peer) await this.peer.quietly('invalidate', () => this.peer!.l2.invalidate(tags));
    await Promise.all(listening);
  }

  onInvalidate(listener: (tags: readonly string[]) => unknown): void {
    this.listeners.push(listener);
  }

  /**
   * After a write (or a read that remembers): what it remembers, and what it invalidates — even
   * when it failed (`value` undefined), since a write whose outcome is unknown may have happened.
   */
  async afterCommand<Req, Res>(
    def: CommandDef<Req, Res>,
    req: Req,
    value: Res | undefined,
  ): Promise<void> {
    this.remember(def, req, value);
    const inval = def.cache?.invalidates?.(req, value);
    if (!inval) return;
    const { recall } = inval;
    const recalled = recall ? await this.recall(recall.key) : [];
    await this.invalidate([
      ...inval.tags,
      ...(recall ? (recalled.length > 0 ? recalled : recall.orElse) : []),
    ]);
    if (recall?.forget && value !== undefined) this.remembered.delete(recall.key);
  }

  remember<Req, Res>(def: CommandDef<Req, Res>, req: Req, value: Res | undefined): void {
    const seen = def.cache?.remember?.(req, value);
    if (!seen || seen.tags.length === 0) return;
    let set = this.remembered.get(seen.key);
    if (!set) this.remembered.set(seen.key, (set = new Set()));
    for (const t of seen.tags) set.add(t);
    if (this.peer)
      void this.peer.quietly('remember', () => this.peer!.l2.remember(seen.key, seen.tags));
  }

  private async recall(key: string): Promise<string[]> {
    const tags = new Set(this.remembered.get(key) ?? []);
    if (this.peer)
      for (const t of (await this.peer.quietly('recall', () => this.peer!.l2.recall(key))) ?? [])
        tags.add(t);
    return [...tags];
  }

  private evictHere(tags: readonly string[]): void {
    this.seq++;
    this.coalescer.poison(tags);
    this.l1.invalidate(tags);
  }
}
