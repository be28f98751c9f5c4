/**
 * The durable embedded store (node:sqlite in DATA_DIR): records survive closing and reopening the
 * file (a restart), compare-and-set holds, rows of one upstream never leak to another, the records
 * connection fsyncs every commit (synchronous=FULL) in WAL mode, and the budget window comes back.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { createLocalLimiter } from '../../src/quota/index.js';
import { DURABLE_FILE, DurableStore, type IdempotencyRecord } from '../../src/store/index.js';

const dirs: string[] = [];
const stores: DurableStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'durable-store-'));
  dirs.push(dir);
  return dir;
}

function open(dir: string, clock = new ManualClock(1_000_000), namespace = 'ns-a'): DurableStore {
  const store = new DurableStore({
    dir,
    namespace,
    idempotencyTtlMs: 60_000,
    cartTtlMs: 120_000,
    clock,
  });
  stores.push(store);
  return store;
}

function record(owner: string, patch: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  return {
    fingerprint: 'fp',
    state: 'pending',
    owner,
    leaseUntil: 0,
    sends: 0,
    createdAt: 1,
    updatedAt: 1,
    ...patch,
  };
}

describe('the file', () => {
  it('is created under DATA_DIR (missing directories too), in WAL mode, records fsynced on every commit', () => {
    const dir = join(tempDir(), 'nested', 'data');
    const store = open(dir);
    expect(existsSync(join(dir, DURABLE_FILE))).toBe(true);
    const probe = new DatabaseSync(store.path);
    expect(probe.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    probe.close();
    // synchronous is per connection: read it on the store's own records connection.
    const records = (store as unknown as { records: DatabaseSync }).records;
    expect(records.prepare('PRAGMA synchronous').get()).toEqual({ synchronous: 2 }); // 2 = FULL
    const window = (store as unknown as { window: DatabaseSync }).window;
    expect(window.prepare('PRAGMA synchronous').get()).toEqual({ synchronous: 1 }); // 1 = NORMAL
  });
});

describe('idempotency records', () => {
  it('create is SET NX, replace is compare-and-set on the owner, and both survive a reopen', async () => {
    const dir = tempDir();
    const a = open(dir);
    expect(await a.idempotency.create('k1', record('o1'))).toBe(true);
    expect(await a.idempotency.create('k1', record('o2'))).toBe(false);
    expect(await a.idempotency.replace('k1', 'o2', record('o2', { state: 'done' }))).toBe(false);
    expect(
      await a.idempotency.replace('k1', 'o1', record('o1', { state: 'unknown', sentAt: 5 })),
    ).toBe(true);
    a.close();

    const b = open(dir);
    expect(await b.idempotency.get('k1')).toMatchObject({
      owner: 'o1',
      state: 'unknown',
      sentAt: 5,
    });
    expect(await b.idempotency.replace('k1', 'o1', record('o3', { state: 'pending' }))).toBe(true);
    expect(await b.idempotency.get('k1')).toMatchObject({ owner: 'o3' });
  });

  it('expire ttl after their last write; an expired key may be created again', async () => {
    const clock = new ManualClock(1_000_000);
    const store = open(tempDir(), clock);
    await store.idempotency.create('k', record('o1'));
    await clock.advance(59_000);
    expect(await store.idempotency.replace('k', 'o1', record('o1', { state: 'done' }))).toBe(true);
    await clock.advance(59_000);
    expect(await store.idempotency.get('k')).toMatchObject({ state: 'done' });
    await clock.advance(2_000);
    expect(await store.idempotency.get('k')).toBeUndefined();
    expect(await store.idempotency.replace('k', 'o1', record('o1'))).toBe(false);
    expect(await store.idempotency.create('k', record('o9'))).toBe(true);
    expect(store.sweep()).toBe(0);
  });

  it("one upstream never sees another upstream's records in the same file", async () => {
    const dir = tempDir();
    const a = open(dir, new ManualClock(1_000_000), 'upstream-a');
    const b = open(dir, new ManualClock(1_000_000), 'upstream-b');
    await a.idempotency.create('same-key', record('a'));
    expect(await b.idempotency.get('same-key')).toBeUndefined();
    expect(await b.idempotency.create('same-key', record('b'))).toBe(true);
    expect(await a.idempotency.get('same-key')).toMatchObject({ owner: 'a' });
  });
});

describe('cart owners', () => {
  it('the first claim wins; seats merge; the record survives a reopen', async () => {
    const dir = tempDir();
    const a = open(dir);
    expect(
      await a.carts.claim(500001, { owner: 'token:alice', acctId: 100479, seats: ['E|1|A|1'] }),
    ).toMatchObject({ owner: 'token:alice', acctId: 100479 });
    const second = await a.carts.claim(500001, {
      owner: 'token:bob',
      acctId: 1,
      seats: ['E|1|A|2'],
    });
    expect(second).toMatchObject({ owner: 'token:alice', acctId: 100479 });
    expect(second.seats.sort()).toEqual(['E|1|A|1', 'E|1|A|2']);
    a.close();

    const b = open(dir);
    const found = await b.carts.get(500001);
    expect(found).toMatchObject({ owner: 'token:alice', acctId: 100479 });
    expect(found!.seats.sort()).toEqual(['E|1|A|1', 'E|1|A|2']);
    expect(await b.carts.get(500002)).toBeUndefined();
  });

  it('seats recorded before any claim set no owner; a later claim does', async () => {
    const store = open(tempDir());
    await store.carts.addSeats(7, ['E|1|A|1'], 42);
    expect(await store.carts.get(7)).toEqual({
      acctId: 42,
      seats: ['E|1|A|1'],
      createdAt: 1_000_000,
    });
    expect(await store.carts.claim(7, { owner: 'anonymous' })).toMatchObject({
      owner: 'anonymous',
      acctId: 42,
    });
  });

  it('ofAccount: the carts recorded for an account (held, checked out or paid for it), newest first', async () => {
    const clock = new ManualClock(1_000_000);
    const store = open(tempDir(), clock);
    await store.carts.claim(11, { owner: 'token:a', acctId: 5, seats: ['E|1|A|1'] });
    await clock.advance(1);
    await store.carts.claim(12, { owner: 'token:b' });
    await store.carts.addSeats(12, ['E|1|A|2'], 5); // bound to the account at checkout or payment
    await store.carts.claim(13, { owner: 'token:a', acctId: 6 });
    expect((await store.carts.ofAccount(5)).map((c) => [c.orderNum, c.owner])).toEqual([
      [12, 'token:b'],
      [11, 'token:a'],
    ]);
    expect(await store.carts.ofAccount(7)).toEqual([]);
  });

  it('are forgotten after their lifetime', async () => {
    const clock = new ManualClock(1_000_000);
    const store = open(tempDir(), clock);
    await store.carts.claim(9, { owner: 'x' });
    await clock.advance(120_001);
    expect(await store.carts.get(9)).toBeUndefined();
  });
});

describe('the budget window', () => {
  it("a restarted in-process limiter remembers the sends of its window and the service's pause", async () => {
    const dir = tempDir();
    const clock = new ManualClock(1_000_000);
    const a = open(dir, clock);
    const limiter = createLocalLimiter({
      ratePerMinute: 5,
      ratePerDay: 100,
      queueMax: 10,
      clock,
      log: a.budgetLog('b1'),
    });
    for (let i = 0; i < 5; i++) await limiter.acquire({ priority: 'read' });
    limiter.pauseFor(90_000);
    await Promise.resolve();
    expect((await limiter.snapshot()).minuteRemaining).toBe(0);
    await limiter.close();
    a.close();

    await clock.advance(10_000);
    const b = open(dir, clock);
    const restarted = createLocalLimiter({
      ratePerMinute: 5,
      ratePerDay: 100,
      queueMax: 10,
      clock,
      log: b.budgetLog('b1'),
    });
    const snap = await restarted.snapshot();
    expect(snap.minuteRemaining).toBe(0);
    expect(snap.dayRemaining).toBe(95);
    expect(snap.pausedUntil).toBe(1_090_000);
    // Another budget in the same file starts empty.
    const other = createLocalLimiter({
      ratePerMinute: 5,
      ratePerDay: 100,
      queueMax: 10,
      clock,
      log: b.budgetLog('b2'),
    });
    expect((await other.snapshot()).minuteRemaining).toBe(5);
    await restarted.close();
    await other.close();
  });

  it('prune forgets sends older than asked, load returns the rest ascending', () => {
    const log = open(tempDir()).budgetLog('b');
    for (const t of [30, 10, 20, 40]) log.append(t);
    expect(log.load(0)).toEqual([10, 20, 30, 40]);
    log.prune(20);
    expect(log.load(0)).toEqual([30, 40]);
    log.pauseUntil(50);
    log.pauseUntil(45);
    expect(log.pausedUntil()).toBe(50);
  });
});
