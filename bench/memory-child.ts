/**
 * Suite 5's measuring process (started by bench/memory.ts with --expose-gc, so that nothing the
 * other suites left behind is counted). Prints one JSON line on stdout.
 *
 * It fills the cross-request cache (createCachedRunner, byte bound 64 MB) with 100,000 distinct
 * reads — half customer_query, half event-filtered seats_sold — whose values are real parsed
 * answers of the sandbox world (the world's own handlers and the client's parsers), copied per
 * read with the id made distinct, so each entry is its own object graph as in production.
 *
 * Baseline: the same process after imports, world, templates and a warm-up of the cache code on a
 * throwaway instance, garbage-collected. After: garbage-collected again with the cache alive.
 */
import { customerQuery, seatsSold } from '../src/archtics/commands/index.js';
import type {
  CommandDef,
  CommandRunner,
  CustomerQueryResult,
  SeatsSoldResult,
} from '../src/archtics/types.js';
import { createCachedRunner } from '../src/cache/index.js';
import { loadConfig } from '../src/config.js';
import type { Command1Response } from '../src/protocol/wire.js';
import type { CommandName } from '../src/sandbox/reference.js';
import { createWorld } from '../src/sandbox/world/index.js';
import { BENCH_SEED, world as seedWorld } from './harness.js';

const READS = Number(process.env.BENCH_MEMORY_READS ?? 100_000);
const MAX_BYTES = 64 * 1024 * 1024;
const SITE = 'vanilla';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('memory-child needs --expose-gc');

function collect(): void {
  for (let i = 0; i < 3; i++) gc!();
}

function usage() {
  const m = process.memoryUsage();
  return {
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
  };
}

// ── templates: real parsed answers of the seeded world ───────────────────────────────────────

const w = createWorld({ seed: BENCH_SEED, clock: { now: () => Date.now() } });

function answer<Req, Res>(def: CommandDef<Req, Res>, req: Req): Res {
  const fields = def.toFields(req, { siteName: SITE });
  const outcome = w.execute(def.name as CommandName, {
    cmd: def.name,
    uid: 'bench',
    dsn: 'apigee',
    ...fields,
  });
  const { fields: out, ...status } = outcome;
  const command1 = { cmd: def.name, ...status, ...(out ?? {}) } as unknown as Command1Response;
  return def.parse(command1);
}

const data = seedWorld();
const customers: CustomerQueryResult[] = data.accounts.map((a) =>
  answer(customerQuery, { acctId: a.acctId }),
);
const holders = data.accounts.filter((a) => a.acctType === 'STH').slice(0, 50);
const events = data.events.slice(0, 8).map((e) => e.name);
const seatTemplates: SeatsSoldResult[] = holders.flatMap((h) =>
  events.map((e) => answer(seatsSold, { acctId: h.acctId, eventNames: [e] })),
);

/** The "upstream": a fresh copy of a template per read, with the read's own id. */
const inner: CommandRunner = {
  async run<Req, Res>(def: CommandDef<Req, Res>, req: Req): Promise<Res> {
    const r = req as { acctId: number };
    if (def.name === 'customer_query') {
      const t = structuredClone(customers[r.acctId % customers.length]);
      if (t?.customer) {
        t.customer.acctId = r.acctId;
        t.customer.email = `u${r.acctId}@example.com`;
      }
      return t as Res;
    }
    const t = structuredClone(seatTemplates[r.acctId % seatTemplates.length]);
    return t as Res;
  },
};

function readOf(i: number): [CommandDef<any, any>, unknown] {
  // Ids beyond the world's: distinct keys, realistic values.
  const acctId = 1_000_000 + i;
  return i % 2 === 0
    ? [customerQuery, { acctId }]
    : [seatsSold, { acctId, eventNames: [events[i % events.length]] }];
}

const cacheConfig = { ...loadConfig({}).cache, maxBytes: MAX_BYTES };

async function fill(n: number, offset = 0) {
  const cache = createCachedRunner({ inner, config: cacheConfig, context: { siteName: SITE } });
  for (let i = 0; i < n; i++) {
    const [def, req] = readOf(offset + i);
    await cache.run(def, req);
  }
  return cache;
}

// Warm-up: the cache's code paths, hashing and cloning, on a throwaway instance.
{
  const warm = await fill(5_000, 10_000_000);
  warm.clear();
  await warm.close();
}
collect();
const before = usage();

const t0 = performance.now();
const cache = await fill(READS);
const fillMs = performance.now() - t0;
collect();
const after = usage();
const stats = cache.stats();

process.stdout.write(
  JSON.stringify({
    reads: READS,
    fillMs: Math.round(fillMs),
    before,
    after,
    cache: {
      entries: stats.entries,
      bytes: stats.bytes,
      maxBytes: stats.maxBytes,
      misses: stats.misses,
    },
  }) + '\n',
);

// The refresher loops until the cache closes.
await cache.close();
