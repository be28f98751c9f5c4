/**
 * Idempotency records: what the gateway writes down about a keyed write (a payment) BEFORE it
 * sends it, so that the same key never makes the upstream act twice — not after a retry, not from
 * a concurrent duplicate, not after a restart (with the Redis store).
 *
 * A record's life:
 *   pending  an attempt holds it (its `owner`) until `leaseUntil`; duplicates wait
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
