/**
 * The in-process store (the default without REDIS_URL): records live in this process only, so a
 * restart forgets them — fine for one replica in development, not for production payments.
 * Entries expire `ttlMs` after their last write; expired entries are dropped when touched and by a
 * sweep on create, so the map stays bounded by the traffic of one TTL.
 */
import { systemClock, type Clock } from '../clock.js';
import type { IdempotencyRecord, IdempotencyStore } from './types.js';

export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, { record: IdempotencyRecord; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly clock: Pick<Clock, 'now'> = systemClock,
  ) {}

  private live(key: string) {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.clock.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }

  async create(key: string, record: IdempotencyRecord): Promise<boolean> {
    this.sweep();
    if (this.live(key)) return false;
    this.entries.set(key, { record: structuredClone(record), expiresAt: this.clock.now() + this.ttlMs });
    return true;
  }

  async get(key: string): Promise<IdempotencyRecord | undefined> {
    const entry = this.live(key);
    return entry ? structuredClone(entry.record) : undefined;
  }

  async replace(key: string, expectedOwner: string, next: IdempotencyRecord): Promise<boolean> {
    const entry = this.live(key);
    if (!entry || entry.record.owner !== expectedOwner) return false;
    this.entries.set(key, { record: structuredClone(next), expiresAt: this.clock.now() + this.ttlMs });
    return true;
  }

  async close(): Promise<void> {}
}
