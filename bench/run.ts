/**
 * npm run bench — runs the suites one after another, prints ONE table and writes the figures to
 * bench/results/latest.json (git-ignored). `npm run bench -- 1 3` runs only suites 1 and 3.
 *
 * Every figure is measured beside its baseline in the same run, so ratios hold on a noisy
 * two-core machine. Every loop is bounded in count and time; network is 127.0.0.1 only.
 */
import { setMaxListeners } from 'node:events';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { budgetSuite } from './budget.js';
import { idleBudgetSuite } from './idle-budget.js';
import { withinMs } from './harness.js';
import { memorySuite } from './memory.js';
import { overheadSuite } from './overhead.js';
import { pollingSuite } from './polling.js';
import { renderMarkdown, renderText, writeJson, type SuiteResult } from './report.js';
import { responseCacheSuite } from './response-cache.js';
import { coldSuite } from './cold.js';
import { upstreamCallsSuite } from './upstream-calls.js';

// yoga links each request's signal to the commands it starts; more than 10 per request is normal
// here (25 customers), and Node's warning would only clutter the table.
setMaxListeners(200);

interface SuiteSpec {
  id: string;
  name: string;
  /** Outer bound in real ms. */
  boundMs: number;
  run: () => Promise<SuiteResult>;
}

const SUITES: SuiteSpec[] = [
  { id: '1', name: '1 upstream calls', boundMs: 60_000, run: upstreamCallsSuite },
  { id: '2', name: '2 gateway overhead', boundMs: 90_000, run: overheadSuite },
  { id: '3', name: '3 polling', boundMs: 60_000, run: pollingSuite },
  { id: '4', name: '4 budget under load', boundMs: 420_000, run: budgetSuite },
  { id: '5', name: '5 memory', boundMs: 90_000, run: memorySuite },
  { id: '6', name: '6 response cache (warm)', boundMs: 120_000, run: responseCacheSuite },
  { id: '7', name: '7 cold dashboard', boundMs: 120_000, run: coldSuite },
  { id: '8', name: '8 idle budget', boundMs: 720_000, run: idleBudgetSuite },
];

async function main(): Promise<void> {
  const only = process.argv.slice(2).filter((a) => /^\d$/.test(a));
  const chosen = only.length ? SUITES.filter((s) => only.includes(s.id)) : SUITES;
  const results: SuiteResult[] = [];
  const t0 = performance.now();
  for (const spec of chosen) {
    const s0 = performance.now();
    process.stderr.write(`bench: suite ${spec.name}…\n`);
    try {
      results.push(await withinMs(spec.boundMs, `suite ${spec.name}`, spec.run()));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      results.push({
        suite: spec.name,
        method: '',
        figures: [],
        durationMs: performance.now() - s0,
        error: message,
      });
    }
    process.stderr.write(
      `bench: suite ${spec.name} done in ${((performance.now() - s0) / 1000).toFixed(1)} s\n`,
    );
  }
  const totalMs = performance.now() - t0;

  console.log(renderText(results));
  console.log(
    `\n${chosen.length} suite(s) in ${(totalMs / 1000).toFixed(1)} s · node ${process.version} · ${os.cpus().length} cores`,
  );

  const out = fileURLToPath(new URL('./results/latest.json', import.meta.url));
  writeJson(out, {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    totalMs: Math.round(totalMs),
    suites: results,
    markdown: renderMarkdown(results),
  });
  console.log(`figures written to ${out}`);
  const failed = results.some((r) => r.error);
  // Targets missed are findings, not crashes: only a suite that could not run fails the command.
  process.exitCode = failed ? 1 : 0;
}

await main();
// Suites close what they start; whatever a library leaves behind (keep-alive sockets) must not hold the exit.
setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref();
