/**
 * Cached operations answered synchronously (PeekingLoader + CommandRunner.getFresh + sync node ids):
 * the same answer and the same cost report as through the loaders' promises, one value per key
 * within an operation, and the cached dashboard completes without a promise-valued field.
 */
import { readFileSync } from 'node:fs';
import DataLoader from 'dataloader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { PeekingLoader } from '../../src/loaders/index.js';
import { upstreamReport, useUpstreamExtensions } from '../../src/plugins/upstream-extensions.js';
import { newTrace } from '../../src/archtics/types.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { generate } from '../../src/sandbox/world/seed.js';

const DASHBOARD = readFileSync(new URL('../operations/dashboard.graphql', import.meta.url), 'utf8');
const globalId = (type: string, key: string | number) =>
  Buffer.from(`${type}:${key}`, 'utf8').toString('base64');

let sb: RunningSandbox;
let cached: Gateway;
let uncached: Gateway;

async function dashboard(gw: Gateway, ids: number[]) {
  const res = await gw.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({
      query: DASHBOARD,
      variables: { ids: ids.map((id) => globalId('Customer', id)), first: 10 },
    }),
  });
  return (await res.json()) as {
    data?: unknown;
    errors?: unknown;
    extensions: { upstream: { calls: number; cacheHits: number } };
  };
}

beforeAll(async () => {
  sb = await startSandbox({});
  const config = loadConfig({
    ARCHTICS_BASE_URL: sb.url,
    ARCHTICS_API_KEY: sb.apiKey,
    ARCHTICS_DSN: sb.dsn,
    LOG_LEVEL: 'silent',
    // These tests swap resolvers on the built schema; a compiled document keeps the ones it was
    // compiled with, so every operation here is interpreted (the resolvers are the same either way).
    GRAPHQL_COMPILE_AFTER_USES: '0',
  });
  // The command cache on its own (this is about its synchronous answers, not whole cached responses).
  cached = await createGateway({ config, responseCache: false });
  uncached = await createGateway({ config, cache: false });
});
afterAll(async () => {
  await cached?.close();
  await uncached?.close();
  await sb?.close();
});

describe('a cached dashboard', () => {
  it('answers as the uncached gateway does, with one cache hit per command it would have sent', async () => {
    const seed = Number((sb.world.samples as { seed: number }).seed);
    const holders = [...new Set(generate(seed).seasonBlocks.map((b) => b.acctId))]
      .sort((a, b) => a - b)
      .slice(0, 12);
    const fresh = await dashboard(uncached, holders);
    const first = await dashboard(cached, holders);
    const again = await dashboard(cached, holders);
    expect(fresh.errors).toBeUndefined();
    expect(first.data).toEqual(fresh.data);
    expect(again.data).toEqual(fresh.data);
    expect(first.extensions.upstream.calls).toBe(fresh.extensions.upstream.calls);
    expect(again.extensions.upstream).toMatchObject({
      calls: 0,
      cacheHits: first.extensions.upstream.calls,
    });
  });

  it('has no promise-valued field once cached', async () => {
    const seed = Number((sb.world.samples as { seed: number }).seed);
    const holders = [...new Set(generate(seed).seasonBlocks.map((b) => b.acctId))]
      .sort((a, b) => a - b)
      .slice(0, 5);
    await dashboard(cached, holders);
    const schema = cached.yoga.getEnveloped().schema;
    const asyncFields = new Set<string>();
    const restore: (() => void)[] = [];
    for (const typeName of [
      'Customer',
      'SeatConnection',
      'SeatEdge',
      'Seat',
      'Event',
      'PriceCode',
    ]) {
      const type = schema.getType(typeName) as unknown as {
        getFields(): Record<string, { resolve?: (...a: unknown[]) => unknown }>;
      };
      for (const [name, field] of Object.entries(type.getFields())) {
        const original = field.resolve;
        if (!original) continue;
        field.resolve = (...a: unknown[]) => {
          const r = original(...a);
          if (r instanceof Promise) asyncFields.add(`${typeName}.${name}`);
          return r;
        };
        restore.push(() => (field.resolve = original));
      }
    }
    try {
      const r = await dashboard(cached, holders);
      expect(r.extensions.upstream.calls).toBe(0);
    } finally {
      for (const undo of restore) undo();
    }
    expect([...asyncFields]).toEqual([]);
  });
});

describe('the sync path stays sync', () => {
  it('nodes(ids:) of cached customers answers a list of values, not promises', async () => {
    const seed = Number((sb.world.samples as { seed: number }).seed);
    const holders = [...new Set(generate(seed).seasonBlocks.map((b) => b.acctId))]
      .sort((a, b) => a - b)
      .slice(0, 3);
    await dashboard(cached, holders);
    const nodes = cached.yoga.getEnveloped().schema.getQueryType()!.getFields().nodes;
    const original = nodes.resolve!;
    let answered: unknown;
    nodes.resolve = (...a: Parameters<typeof original>) => (answered = original(...a));
    try {
      const r = await dashboard(cached, holders);
      expect(r.extensions.upstream.calls).toBe(0);
    } finally {
      nodes.resolve = original;
    }
    expect(Array.isArray(answered)).toBe(true);
    expect((answered as unknown[]).filter((v) => v instanceof Promise)).toEqual([]);
    expect((answered as unknown[]).length).toBe(3);
  });

  it('the in-process budget snapshot, and the cost report built from it, come at once', () => {
    const snapshot = cached.limiter.snapshot();
    expect(snapshot).not.toBeInstanceOf(Promise);
    const report = upstreamReport(newTrace(), () => snapshot, 2);
    expect(report).not.toBeInstanceOf(Promise);
    expect(report).toMatchObject({ estimatedCalls: 2, calls: 0 });
    // The plugin sets the report in the same pass as execution: its hook returns no promise.
    const hooks = useUpstreamExtensions({ quota: () => snapshot }).onExecute!({
      args: { contextValue: { trace: newTrace() } },
    } as never) as { onExecuteDone(p: unknown): unknown };
    let set: unknown;
    const done = hooks.onExecuteDone({
      result: { data: {} },
      setResult: (r: unknown) => (set = r),
    });
    expect(done).not.toBeInstanceOf(Promise);
    expect(set).toMatchObject({ extensions: { upstream: { estimatedCalls: null, calls: 0 } } });
  });
});

describe('PeekingLoader', () => {
  it('answers from a peek at once, primes the loader, and never peeks a key it already loaded', async () => {
    const batches: string[][] = [];
    const loader = new DataLoader<string, string, string>(async (keys) => {
      batches.push([...keys]);
      return keys.map((k) => `loaded ${k}`);
    });
    const cache = new Map([
      ['a', 'cached a'],
      ['b', 'cached b'],
    ]);
    const peeking = new PeekingLoader<string, string>(
      loader,
      (k) => k,
      (k) => (cache.has(k) ? { value: cache.get(k)! } : undefined),
    );
    expect(peeking.get('a')).toBe('cached a'); // at once, no promise
    expect(await peeking.load('a')).toBe('cached a'); // primed: the loader agrees
    const pending = peeking.load('b'); // asked of the loader first…
    expect(peeking.get('b')).toBeInstanceOf(Promise); // …so its answer is the loader's, not a peek
    expect(await pending).toBe('loaded b');
    expect(peeking.get('b')).toBe('loaded b'); // known now: at once
    expect(await peeking.get('c')).toBe('loaded c');
    expect(batches.flat().sort()).toEqual(['b', 'c']);
  });
});
