/**
 * The durable embedded store (node:sqlite): what must survive a restart on one machine —
 * idempotency records, cart owners, the budget window — in `<DATA_DIR>/gateway.sqlite`.
 *
 * - WAL journal: readers never block the writer, and a crash loses nothing that was committed.
 * - Two connections to the one file. Records (idempotency, carts) are written with
 *   `synchronous=FULL`: each commit is fsynced before the call returns, and callers write a record
 *   BEFORE the upstream call it guards — so a `kill -9` (or a power cut) right after the send still
 *   finds the record. The budget log uses `synchronous=NORMAL` (WAL-safe, fsync at checkpoints):
 *   losing its last sends in a power cut costs at most a few early slots, never a payment.
 * - Calls are synchronous (SQLite answers in microseconds); the async store interfaces wrap them.
 * - Several processes may share the file (busy_timeout); every row is scoped by `namespace` (the
 *   upstream: base URL + DSN), so a restarted embedded sandbox — a new world — never meets the
 *   records of the old one.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
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

export const DURABLE_FILE = 'gateway.sqlite';

/** Bumped when the tables change; older files are migrated in open(). */
const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS idempotency (
  ns TEXT NOT NULL,
  key TEXT NOT NULL,
  owner TEXT NOT NULL,
  record TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (ns, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idempotency_expiry ON idempotency (expires_at);
CREATE TABLE IF NOT EXISTS cart_owners (
  ns TEXT NOT NULL,
  order_num INTEGER NOT NULL,
  owner TEXT,
  acct_id INTEGER,
  seats TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (ns, order_num)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cart_owners_expiry ON cart_owners (expires_at);
CREATE INDEX IF NOT EXISTS cart_owners_account ON cart_owners (ns, acct_id);
CREATE TABLE IF NOT EXISTS budget_sends (
  budget TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS budget_sends_at ON budget_sends (budget, at);
CREATE TABLE IF NOT EXISTS budget_pause (
  budget TEXT PRIMARY KEY,
  until INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
`;

export interface DurableStoreOptions {
  /** DATA_DIR: created when missing. */
  dir: string;
  /** Scopes idempotency and cart rows (the upstream's identity). */
  namespace: string;
  /** How long an idempotency record lives after its last write. */
  idempotencyTtlMs: number;
  /** How long a cart's record lives after its first write (default 24 h). */
  cartTtlMs?: number;
  clock?: Pick<Clock, 'now'>;
}

function open(path: string, synchronous: 'FULL' | 'NORMAL'): DatabaseSync {
  const db = new DatabaseSync(path);
  db.exec('PRAGMA busy_timeout = 5000');
  const mode = (db.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode: string })
    .journal_mode;
  if (mode.toLowerCase() !== 'wal')
    throw new Error(`durable store ${path}: journal_mode is ${mode}, not WAL`);
  db.exec(`PRAGMA synchronous = ${synchronous}`);
  return db;
}

/** Runs `fn` in an IMMEDIATE transaction (the write lock taken up front: no upgrade deadlocks). */
function transaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const out = fn();
    db.exec('COMMIT');
    return out;
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

export class DurableStore {
  readonly path: string;
  readonly idempotency: IdempotencyStore;
  readonly carts: CartOwnerStore;
  private readonly records: DatabaseSync;
  private readonly window: DatabaseSync;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly logs = new Map<string, SqliteBudgetLog>();
  private closed = false;

  constructor(opts: DurableStoreOptions) {
    const dir = resolve(opts.dir);
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, DURABLE_FILE);
    this.clock = opts.clock ?? systemClock;
    this.records = open(this.path, 'FULL');
    const version = (this.records.prepare('PRAGMA user_version').get() as { user_version: number })
      .user_version;
    if (version > SCHEMA_VERSION)
      throw new Error(
        `durable store ${this.path} was written by a newer gateway (schema ${version} > ${SCHEMA_VERSION})`,
      );
    if (version < SCHEMA_VERSION) {
      transaction(this.records, () => {
        this.records.exec(SCHEMA);
        this.records.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
      });
    }
    this.window = open(this.path, 'NORMAL');
    this.idempotency = new SqliteIdempotencyStore(
      this.records,
      opts.namespace,
      opts.idempotencyTtlMs,
      this.clock,
    );
    this.carts = new SqliteCartOwnerStore(
      this.records,
      opts.namespace,
      opts.cartTtlMs ?? 24 * 60 * 60_000,
      this.clock,
    );
  }

  /** The send log of one budget (its identity: a digest of API key + DSN). */
  budgetLog(budget: string): BudgetLog {
    let log = this.logs.get(budget);
    if (!log) this.logs.set(budget, (log = new SqliteBudgetLog(this.window, budget)));
    return log;
  }

  getMeta(key: string): string | undefined {
    const row = this.window.prepare('SELECT value FROM meta WHERE key = ?').get(key) as
      { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.window
      .prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      )
      .run(key, value);
  }

  /** Drops expired idempotency and cart rows (also done, bounded, as records are created). */
  sweep(): number {
    const now = this.clock.now();
    const a = this.records
      .prepare('DELETE FROM idempotency WHERE expires_at <= ?')
      .run(now).changes;
    const b = this.records
      .prepare('DELETE FROM cart_owners WHERE expires_at <= ?')
      .run(now).changes;
    return Number(a) + Number(b);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const log of this.logs.values()) log.flush();
    this.window.close();
    this.records.close();
  }
}

/** Rows to drop per create, so that expired records never pile up and no call pays for many. */
const SWEEP_BATCH = 20;

class SqliteIdempotencyStore implements IdempotencyStore {
  private readonly insert: StatementSync;
  private readonly select: StatementSync;
  private readonly update: StatementSync;
  private readonly sweep: StatementSync;

  constructor(
    db: DatabaseSync,
    private readonly ns: string,
    private readonly ttlMs: number,
    private readonly clock: Pick<Clock, 'now'>,
  ) {
    // Inserted, or replacing an expired row: the one atomic "SET NX" of SQLite.
    this.insert = db.prepare(`
      INSERT INTO idempotency (ns, key, owner, record, expires_at) VALUES (:ns, :key, :owner, :record, :expires)
      ON CONFLICT (ns, key) DO UPDATE SET owner = excluded.owner, record = excluded.record, expires_at = excluded.expires_at
      WHERE idempotency.expires_at <= :now`);
    this.select = db.prepare(
      'SELECT record FROM idempotency WHERE ns = ? AND key = ? AND expires_at > ?',
    );
    this.update = db.prepare(`
      UPDATE idempotency SET owner = :next, record = :record, expires_at = :expires
      WHERE ns = :ns AND key = :key AND owner = :owner AND expires_at > :now`);
    this.sweep = db.prepare(
      `DELETE FROM idempotency WHERE (ns, key) IN (SELECT ns, key FROM idempotency WHERE expires_at <= ? LIMIT ${SWEEP_BATCH})`,
    );
  }

  async create(key: string, record: IdempotencyRecord): Promise<boolean> {
    const now = this.clock.now();
    this.sweep.run(now);
    const { changes } = this.insert.run({
      ns: this.ns,
      key,
      owner: record.owner,
      record: JSON.stringify(record),
      expires: now + this.ttlMs,
      now,
    });
    return Number(changes) === 1;
  }

  async get(key: string): Promise<IdempotencyRecord | undefined> {
    const row = this.select.get(this.ns, key, this.clock.now()) as { record: string } | undefined;
    return row ? (JSON.parse(row.record) as IdempotencyRecord) : undefined;
  }

  async replace(key: string, expectedOwner: string, next: IdempotencyRecord): Promise<boolean> {
    const now = this.clock.now();
    const { changes } = this.update.run({
      ns: this.ns,
      key,
      owner: expectedOwner,
      next: next.owner,
      record: JSON.stringify(next),
      expires: now + this.ttlMs,
      now,
    });
    return Number(changes) === 1;
  }

  async close(): Promise<void> {}
}

interface CartRow {
  owner: string | null;
  acct_id: number | null;
  seats: string;
  created_at: number;
}

function cartOf(row: CartRow): CartOwner {
  return {
    ...(row.owner !== null ? { owner: row.owner } : {}),
    ...(row.acct_id !== null ? { acctId: Number(row.acct_id) } : {}),
    seats: JSON.parse(row.seats) as string[],
    createdAt: Number(row.created_at),
  };
}

const union = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])];

class SqliteCartOwnerStore implements CartOwnerStore {
  private readonly select: StatementSync;
  private readonly insert: StatementSync;
  private readonly update: StatementSync;
  private readonly byAccount: StatementSync;

  constructor(
    private readonly db: DatabaseSync,
    private readonly ns: string,
    private readonly ttlMs: number,
    private readonly clock: Pick<Clock, 'now'>,
  ) {
    this.select = db.prepare(
      'SELECT owner, acct_id, seats, created_at FROM cart_owners WHERE ns = ? AND order_num = ? AND expires_at > ?',
    );
    this.insert = db.prepare(`
      INSERT INTO cart_owners (ns, order_num, owner, acct_id, seats, created_at, expires_at)
      VALUES (:ns, :orderNum, :owner, :acctId, :seats, :now, :expires)
      ON CONFLICT (ns, order_num) DO UPDATE SET owner = excluded.owner, acct_id = excluded.acct_id, seats = excluded.seats,
        created_at = excluded.created_at, expires_at = excluded.expires_at`);
    this.update = db.prepare(
      'UPDATE cart_owners SET owner = :owner, acct_id = :acctId, seats = :seats WHERE ns = :ns AND order_num = :orderNum',
    );
    this.byAccount = db.prepare(
      'SELECT order_num, owner, acct_id, seats, created_at FROM cart_owners WHERE ns = ? AND acct_id = ? AND expires_at > ? ORDER BY created_at DESC LIMIT ?',
    );
  }

  async ofAccount(acctId: number): Promise<(CartOwner & { orderNum: number })[]> {
    const rows = this.byAccount.all(
      this.ns,
      acctId,
      this.clock.now(),
      CARTS_PER_ACCOUNT,
    ) as unknown as (CartRow & { order_num: number })[];
    return rows.map((row) => ({ ...cartOf(row), orderNum: Number(row.order_num) }));
  }

  /** Read, merge, write in one IMMEDIATE transaction: two processes never lose each other's seats. */
  private merge(orderNum: number, change: (cart: CartOwner | undefined) => CartOwner): CartOwner {
    return transaction(this.db, () => {
      const now = this.clock.now();
      const row = this.select.get(this.ns, orderNum, now) as CartRow | undefined;
      const before = row ? cartOf(row) : undefined;
      const after = change(before);
      const params = {
        ns: this.ns,
        orderNum,
        owner: after.owner ?? null,
        acctId: after.acctId ?? null,
        seats: JSON.stringify(after.seats),
      };
      if (before) this.update.run(params);
      else this.insert.run({ ...params, now, expires: now + this.ttlMs });
      return after;
    });
  }

  async claim(orderNum: number, claim: CartClaim): Promise<CartOwner> {
    return this.merge(orderNum, (cart) => ({
      owner: cart?.owner ?? claim.owner,
      ...((cart?.acctId ?? claim.acctId) !== undefined
        ? { acctId: cart?.acctId ?? claim.acctId }
        : {}),
      seats: union(cart?.seats ?? [], claim.seats ?? []),
      createdAt: cart?.createdAt ?? this.clock.now(),
    }));
  }

  async get(orderNum: number): Promise<CartOwner | undefined> {
    const row = this.select.get(this.ns, orderNum, this.clock.now()) as CartRow | undefined;
    return row ? cartOf(row) : undefined;
  }

  async addSeats(orderNum: number, seats: readonly string[], acctId?: number): Promise<void> {
    this.merge(orderNum, (cart) => ({
      ...(cart?.owner !== undefined ? { owner: cart.owner } : {}),
      ...((cart?.acctId ?? acctId) !== undefined ? { acctId: cart?.acctId ?? acctId } : {}),
      seats: union(cart?.seats ?? [], seats),
      createdAt: cart?.createdAt ?? this.clock.now(),
    }));
  }

  async close(): Promise<void> {}
}

/**
 * The sends of one tick are written together, in one transaction, once the tick is over: a burst
 * of first sends then costs one commit instead of one each, and none of them waits for the disk.
 * A write that fails is reported by the next append (the limiter logs it and carries on).
 */
class SqliteBudgetLog implements BudgetLog {
  private readonly insert: StatementSync;
  private readonly since: StatementSync;
  private readonly pauseRead: StatementSync;
  private readonly pauseWrite: StatementSync;
  private readonly pruneBefore: StatementSync;
  private pending: number[] = [];
  private failed: unknown;

  constructor(
    private readonly db: DatabaseSync,
    private readonly budget: string,
  ) {
    this.insert = db.prepare('INSERT INTO budget_sends (budget, at) VALUES (?, ?)');
    this.since = db.prepare('SELECT at FROM budget_sends WHERE budget = ? AND at > ? ORDER BY at');
    this.pauseRead = db.prepare('SELECT until FROM budget_pause WHERE budget = ?');
    this.pauseWrite = db.prepare(
      'INSERT INTO budget_pause (budget, until) VALUES (?, ?) ON CONFLICT (budget) DO UPDATE SET until = max(until, excluded.until)',
    );
    this.pruneBefore = db.prepare('DELETE FROM budget_sends WHERE budget = ? AND at <= ?');
  }

  load(since: number): number[] {
    this.flush();
    return (this.since.all(this.budget, since) as { at: number }[]).map((r) => Number(r.at));
  }

  append(at: number): void {
    if (this.failed !== undefined) {
      const error = this.failed;
      this.failed = undefined;
      throw error;
    }
    if (this.pending.length === 0) setImmediate(() => this.flushReporting());
    this.pending.push(Math.round(at));
  }

  /** Writes what is pending, now. */
  flush(): void {
    if (this.pending.length === 0 || !this.db.isOpen) return;
    const sends = this.pending;
    this.pending = [];
    transaction(this.db, () => {
      for (const at of sends) this.insert.run(this.budget, at);
    });
  }

  private flushReporting(): void {
    try {
      this.flush();
    } catch (error) {
      this.failed = error;
    }
  }

  pausedUntil(): number {
    const row = this.pauseRead.get(this.budget) as { until: number } | undefined;
    return row ? Number(row.until) : 0;
  }

  pauseUntil(until: number): void {
    this.pauseWrite.run(this.budget, Math.ceil(until));
  }

  prune(before: number): void {
    this.flush();
    this.pruneBefore.run(this.budget, before);
  }
}

export function openDurableStore(opts: DurableStoreOptions): DurableStore {
  return new DurableStore(opts);
}
