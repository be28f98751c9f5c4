/**
 * What must outlive a request, and the contracts of the stores that keep it (src/store/):
 *
 * - idempotency records of keyed writes (payments), written BEFORE the send;
 * - cart owners: who made each cart (caller identity, account) and the seats it was seen to hold;
 * - the budget window: the send log of the upstream budget and the service's Retry-After pause.
 *
 * Three kinds of store implement them: SQLite in DATA_DIR (the durable default on one machine,
 * sqlite.ts), Redis (shared by replicas), memory (tests only).
 */

// ── idempotency records ──────────────────────────────────────────────────────────────────────

/**
 * An idempotency record: what the gateway writes down about a keyed write (a payment) BEFORE it
 * sends it, so that the same key never makes the upstream act twice — not after a retry, not from
 * a concurrent duplicate, not after a restart.
 *
 * A record's life:
 *   pending  an attempt holds it (its `owner`) until `leaseUntil`, renewing the lease while it
 *            works; duplicates wait
 *   done     the outcome is final: every later call with the key gets `outcome`, nothing is sent
 *   unknown  the write was sent and its answer was lost: settle it by reading, never by re-sending
 *   open     the write provably did not reach the service: the next attempt may send it
 * A pending record whose lease ran out is treated like `unknown` when it was sent (`sentAt`), and
 * like `open` when it was not.
 */
export type RecordState = 'pending' | 'done' | 'unknown' | 'open';

export interface IdempotencyRecord<C = unknown, O = unknown> {
  /** Hash of the normalized request: the same key with another request is refused. */
  fingerprint: string;
  state: RecordState;
  /** Random id of the attempt holding (or last holding) the record; compare-and-set is on it. */
  owner: string;
  /** Epoch ms until which a pending owner is presumed alive. */
  leaseUntil: number;
  /** Epoch ms of the last send upstream; absent while nothing was sent. */
  sentAt?: number;
  /** Sends upstream so far. */
  sends: number;
  /** What settling needs to know (written before the send). Never a card number. */
  context?: C;
  /** The final outcome (state done). */
  outcome?: O;
  createdAt: number;
  updatedAt: number;
}

/** Where records live. Every method is atomic on its own; replace() is a compare-and-set. */
export interface IdempotencyStore {
  /** Records `record` under `key` only when no record exists (SET NX); true when it did. */
  create(key: string, record: IdempotencyRecord): Promise<boolean>;
  get(key: string): Promise<IdempotencyRecord | undefined>;
  /** Replaces the record only while its owner is still `expectedOwner`; true when it did. */
  replace(key: string, expectedOwner: string, next: IdempotencyRecord): Promise<boolean>;
  close(): Promise<void>;
}

// ── cart owners ──────────────────────────────────────────────────────────────────────────────

/** Who made a cart, and what it was seen to hold. */
export interface CartOwner {
  /**
   * The caller that made the cart (its first hold): an opaque identity chosen by the caller of
   * claim() — e.g. a digest of the bearer token, or "anonymous". Absent when the cart is known only
   * from its seats (seen at checkout, never claimed here).
   */
  owner?: string;
  /** The account the cart was held or checked out for, when known. */
  acctId?: number;
  /** Seat keys ("EVENT01|101|A|7") the cart was seen to hold: settlement reads them. */
  seats: string[];
  /** Epoch ms of the first record. */
  createdAt: number;
}

export interface CartClaim {
  owner: string;
  acctId?: number;
  seats?: readonly string[];
}

/** Most carts `ofAccount` returns (an account's carts of the last day: far fewer in practice). */
export const CARTS_PER_ACCOUNT = 200;

/**
 * Cart ownership: record who made a cart (orderNum), look it up. Durable, so that "another
 * caller's cart" still holds after a restart. The first claim wins: claim() never changes an owner
 * already recorded, and returns the record in force (compare its owner with the caller's).
 */
export interface CartOwnerStore {
  /** Records `claim` unless the cart has an owner; returns the record in force. */
  claim(orderNum: number, claim: CartClaim): Promise<CartOwner>;
  get(orderNum: number): Promise<CartOwner | undefined>;
  /** Adds seats (and the account, when none is recorded) to the cart's record; never sets an owner. */
  addSeats(orderNum: number, seats: readonly string[], acctId?: number): Promise<void>;
  /**
   * The carts recorded for an account (held, checked out or paid for it), newest first, at most
   * `CARTS_PER_ACCOUNT`: whose seats they are, for printing (resolvers/tickets.ts).
   */
  ofAccount(acctId: number): Promise<(CartOwner & { orderNum: number })[]>;
  close(): Promise<void>;
}

// ── the budget window ────────────────────────────────────────────────────────────────────────

/**
 * The durable log behind an in-process budget window (one per budget identity: API key + DSN).
 * Synchronous on purpose: SQLite answers in microseconds and the budget gate's in-process
 * snapshot must stay synchronous.
 */
export interface BudgetLog {
  /** Send times after `since`, ascending. */
  load(since: number): number[];
  append(at: number): void;
  pausedUntil(): number;
  pauseUntil(until: number): void;
  /** Forgets sends at or before `before`. */
  prune(before: number): void;
}
