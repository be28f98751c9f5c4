/**
 * Suite 5 — memory. Runs bench/memory-child.ts in a fresh Node process (with --expose-gc, so the
 * other suites' garbage is not counted) and reads its one JSON line: RSS and heap before and after
 * caching 100,000 distinct reads with the cache's byte bound at 64 MB, and the cache's own
 * calculated size (what the bound is enforced on).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { verdict, type Figure, type SuiteResult } from './report.js';

const SUITE = '5 memory';
const MB = 1024 * 1024;
const CHILD_BOUND_MS = 80_000;

interface ChildReport {
  reads: number;
  fillMs: number;
  before: { rss: number; heapUsed: number; heapTotal: number; external: number };
  after: { rss: number; heapUsed: number; heapTotal: number; external: number };
  cache: { entries: number; bytes: number; maxBytes: number; misses: number };
}

function runChild(): Promise<ChildReport> {
  const entry = fileURLToPath(new URL('./memory-child.ts', import.meta.url));
  const cwd = fileURLToPath(new URL('..', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', entry], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_BOUND_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolve(JSON.parse(line) as ChildReport);
      } catch (e) {
        reject(
          new Error(
            `memory child failed (${e instanceof Error ? e.message : String(e)}): ${err.slice(-400)}`,
          ),
        );
      }
    });
  });
}

export async function memorySuite(): Promise<SuiteResult> {
  const started = performance.now();
  const r = await runChild();
  const rssGrowth = r.after.rss - r.before.rss;
  const heapGrowth = r.after.heapUsed - r.before.heapUsed;
  const bound = r.cache.maxBytes;
  const figures: Figure[] = [
    {
      suite: SUITE,
      figure: `cache calculated size after ${r.reads.toLocaleString('en-US')} distinct reads`,
      ours: r.cache.bytes / MB,
      baseline: bound / MB,
      ratio: r.cache.bytes / bound,
      unit: 'MB',
      target: '≤ 1.00 of the bound',
      verdict: verdict(r.cache.bytes <= bound),
      note: `${r.cache.entries.toLocaleString('en-US')} entries kept; baseline = CACHE_MAX_BYTES`,
      detail: r,
    },
    {
      suite: SUITE,
      figure: 'heap growth vs cache calculated size',
      ours: heapGrowth / MB,
      baseline: r.cache.bytes / MB,
      ratio: heapGrowth / r.cache.bytes,
      unit: 'MB',
      target: '(info)',
      verdict: 'info',
      note: 'how much real heap one calculated byte costs',
    },
    {
      suite: SUITE,
      figure: 'RSS growth vs the 64 MB bound',
      ours: rssGrowth / MB,
      baseline: bound / MB,
      ratio: rssGrowth / bound,
      unit: 'MB',
      target: '(info)',
      verdict: 'info',
      note: `RSS ${Math.round(r.before.rss / MB)} → ${Math.round(r.after.rss / MB)} MB in a fresh process`,
    },
  ];
  return {
    suite: SUITE,
    method:
      'A fresh Node process (--expose-gc) fills createCachedRunner (64 MB bound) with 100,000 distinct reads (half customer_query, half event-filtered seats_sold; values are real parsed world answers, copied per read); RSS and heapUsed after full GCs, before (after a warm-up on a throwaway cache) and after; the cache stats give the calculated size.',
    figures,
    durationMs: performance.now() - started,
  };
}
