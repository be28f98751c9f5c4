/**
 * The stores of one gateway (architecture: src/store/, the bottom layer), chosen once at start:
 *
 *                      idempotency + cart owners      budget window log
 *   no REDIS_URL       SQLite in DATA_DIR              SQLite in DATA_DIR
 *   REDIS_URL          Redis (shared by replicas)      Redis, mirrored to SQLite (degraded mode
 *                                                       and re-seeding an emptied Redis)
 *   tests              memory (createMemoryStores)
 *
 * Built by src/app.ts and handed down; nothing above this layer opens a store itself.
 */
import { systemClock, type Clock } from '../clock.js';
import type { Config } from '../config.js';
import { secretId, type Redis } from '../redis.js';
import { MemoryCartOwnerStore, MemoryIdempotencyStore } from './memory.js';
import { RedisCartOwnerStore } from './redis-carts.js';
import { RedisIdempotencyStore } from './redis-idempotency.js';
import { DurableStore } from './sqlite.js';
import type { BudgetLog, CartOwnerStore, IdempotencyStore } from './types.js';

export type {
  BudgetLog,
  CartClaim,
  CartOwner,
  CartOwnerStore,
  IdempotencyRecord,
  IdempotencyStore,
  RecordState,
} from './types.js';
export { MemoryBudgetLog, MemoryCartOwnerStore, MemoryIdempotencyStore } from './memory.js';
export { RedisCartOwnerStore } from './redis-carts.js';
export { RedisIdempotencyStore } from './redis-idempotency.js';
export {
  DURABLE_FILE,
  DurableStore,
  openDurableStore,
  type DurableStoreOptions,
} from './sqlite.js';

/** How long a key is good for: a record lives this long after its last write. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60_000;
/** How long a cart's owner is remembered (holds last minutes; 24 h covers any settlement). */
export const CART_TTL_MS = 24 * 60 * 60_000;

export type StoreKind = 'sqlite' | 'redis' | 'memory';

export interface Stores {
  /** Where idempotency records and cart owners live. */
  kind: StoreKind;
  idempotency: IdempotencyStore;
  carts: CartOwnerStore;
  /** The budget window's local log (one per budget identity); undefined = in memory, not kept. */
  budgetLog?: (budget: string) => BudgetLog;
  /** The SQLite file, when one is open. */
  durable?: DurableStore;
  close(): Promise<void>;
}

/** The identity of the upstream whose records these are: base URL + DSN, hashed. */
export function upstreamNamespace(config: Pick<Config, 'archtics'>): string {
  return secretId(config.archtics.baseUrl ?? 'embedded', config.archtics.dsn.toLowerCase()).slice(
    0,
    16,
  );
}

export interface CreateStoresOptions {
  /** The shared client (REDIS_URL): records go there, the SQLite file keeps the budget mirror. */
  redis?: Redis;
  redisPrefix?: string;
  clock?: Clock;
}

export function createStores(
  config: Pick<Config, 'archtics' | 'store'>,
  opts: CreateStoresOptions = {},
): Stores {
  const clock = opts.clock ?? systemClock;
  const namespace = upstreamNamespace(config);
  const durable = new DurableStore({
    dir: config.store.dataDir,
    namespace,
    idempotencyTtlMs: IDEMPOTENCY_TTL_MS,
    cartTtlMs: CART_TTL_MS,
    clock,
  });
  const budgetLog = (budget: string) => durable.budgetLog(budget);
  const close = async () => durable.close();
  if (!opts.redis)
    return {
      kind: 'sqlite',
      idempotency: durable.idempotency,
      carts: durable.carts,
      budgetLog,
      durable,
      close,
    };
  const prefix = opts.redisPrefix;
  return {
    kind: 'redis',
    idempotency: new RedisIdempotencyStore({
      redis: opts.redis,
      ttlMs: IDEMPOTENCY_TTL_MS,
      ...(prefix ? { prefix } : {}),
    }),
    carts: new RedisCartOwnerStore({
      redis: opts.redis,
      namespace,
      ttlMs: CART_TTL_MS,
      ...(prefix ? { prefix } : {}),
    }),
    budgetLog,
    durable,
    close,
  };
}

/** Everything in this process (tests): a restart forgets it. */
export function createMemoryStores(clock: Clock = systemClock): Stores {
  return {
    kind: 'memory',
    idempotency: new MemoryIdempotencyStore(IDEMPOTENCY_TTL_MS, clock),
    carts: new MemoryCartOwnerStore(clock),
    close: async () => {},
  };
}
