/**
 * In-process stores, for tests only: a restart forgets them (the gateway itself uses SQLite in
 * DATA_DIR, or Redis). Idempotency entries expire `ttlMs` after their last write; expired entries
 * are dropped when touched and by a sweep on create, so the map stays bounded by one TTL's traffic.
 */
import { systemClock, type Clock } from '../clock.js';
import {
  CARTS_PER_ACCOUNT,
  type BudgetLog,
  type CartClaim,
  type CartOwner,
  type CartOwnerStore,
  type IdempotencyRecord,
  type IdempotencyStore,
} from './types.js';

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
    this.entries.set(key, {
      record: structuredClone(record),
      expiresAt: this.clock.now() + this.ttlMs,
    });
    return true;
  }

  async get(key: string): Promise<IdempotencyRecord | undefined> {
    const entry = this.live(key);
    return entry ? structuredClone(entry.record) : undefined;
  }

  async replace(key: string, expectedOwner: string, next: IdempotencyRecord): Promise<boolean> {
    const entry = this.live(key);
    if (!entry || entry.record.owner !== expectedOwner) return false;
    this.entries.set(key, {
      record: structuredClone(next),
      expiresAt: this.clock.now() + this.ttlMs,
    });
    return true;
  }

  async close(): Promise<void> {}
}

/** Cart owners in a Map, bounded: the oldest records go first past `max`. */
export class MemoryCartOwnerStore implements CartOwnerStore {
  private readonly carts = new Map<number, CartOwner>();

  constructor(
    private readonly clock: Pick<Clock, 'now'> = systemClock,
    private readonly max = 100_000,
  ) {}

  private entry(orderNum: number): CartOwner {
    let cart = this.carts.get(orderNum);
    if (!cart) {
      if (this.carts.size >= this.max) this.carts.delete(this.carts.keys().next().value!);
      this.carts.set(orderNum, (cart = { seats: [], createdAt: this.clock.now() }));
    }
    return cart;
  }

  async claim(orderNum: number, claim: CartClaim): Promise<CartOwner> {
    const cart = this.entry(orderNum);
    cart.owner ??= claim.owner;
    if (cart.acctId === undefined && claim.acctId !== undefined) cart.acctId = claim.acctId;
    if (claim.seats) cart.seats = [...new Set([...cart.seats, ...claim.seats])];
    return structuredClone(cart);
  }

  async get(orderNum: number): Promise<CartOwner | undefined> {
    const cart = this.carts.get(orderNum);
    return cart ? structuredClone(cart) : undefined;
  }

  async addSeats(orderNum: number, seats: readonly string[], acctId?: number): Promise<void> {
    const cart = this.entry(orderNum);
    if (cart.acctId === undefined && acctId !== undefined) cart.acctId = acctId;
    cart.seats = [...new Set([...cart.seats, ...seats])];
  }

  async ofAccount(acctId: number): Promise<(CartOwner & { orderNum: number })[]> {
    const out: (CartOwner & { orderNum: number })[] = [];
    for (const [orderNum, cart] of this.carts)
      if (cart.acctId === acctId) out.push({ ...structuredClone(cart), orderNum });
    return out.reverse().slice(0, CARTS_PER_ACCOUNT);
  }

  async close(): Promise<void> {}
}

/** A budget log in an array (tests of the durable window's wiring). */
export class MemoryBudgetLog implements BudgetLog {
  readonly sends: number[] = [];
  private paused = 0;

  load(since: number): number[] {
    return this.sends.filter((t) => t > since);
  }

  append(at: number): void {
    this.sends.push(at);
  }

  pausedUntil(): number {
    return this.paused;
  }

  pauseUntil(until: number): void {
    this.paused = Math.max(this.paused, until);
  }

  prune(before: number): void {
    const keep = this.sends.filter((t) => t > before);
    this.sends.length = 0;
    this.sends.push(...keep);
  }
}
