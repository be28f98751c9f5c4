/**
 * The benchmark report: every suite returns Figures; run.ts prints them as ONE table and writes
 * them as JSON to bench/results/latest.json (git-ignored).
 *
 * A figure is measured beside its baseline in the same run and process, so the ratio holds on a
 * noisy machine even when the absolute numbers move from run to run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export type Verdict = 'pass' | 'fail' | 'info';

export interface Figure {
  suite: string;
  figure: string;
  /** Our number (unit in `unit`). */
  ours: number | null;
  /** What it is compared with; null when there is no baseline. */
  baseline: number | null;
  /** ours / baseline (or the figure the target is about, when that differs: see `note`). */
  ratio: number | null;
  unit: string;
  /** The target in words, e.g. "ratio = 1.00", "≥ 0.70", "0". */
  target: string;
  verdict: Verdict;
  /** One line on what the baseline is or how the ratio is read. */
  note?: string;
  /** Raw measurements behind the figure (JSON only). */
  detail?: unknown;
}

export interface SuiteResult {
  suite: string;
  /** How the suite measured (JSON only; the README says it in prose). */
  method: string;
  figures: Figure[];
  durationMs: number;
  error?: string;
}

export function ratioOf(ours: number | null, baseline: number | null): number | null {
  if (ours === null || baseline === null || baseline === 0) return null;
  return ours / baseline;
}

export function verdict(ok: boolean): Verdict {
  return ok ? 'pass' : 'fail';
}

export function fmt(n: number | null | undefined, digits?: number): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  if (!Number.isFinite(n)) return n > 0 ? '∞' : '-∞';
  const d = digits ?? (Math.abs(n) >= 100 || Number.isInteger(n) ? 0 : Math.abs(n) >= 10 ? 1 : 2);
  return n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

function cell(n: number | null, unit: string): string {
  if (n === null) return '—';
  return unit ? `${fmt(n)} ${unit}` : fmt(n);
}

export function tableRows(results: readonly SuiteResult[]): string[][] {
  const rows: string[][] = [
    ['suite', 'figure', 'ours', 'baseline', 'ratio', 'target', 'pass/fail'],
  ];
  for (const r of results) {
    if (r.error)
      rows.push([
        r.suite,
        'suite failed to run',
        '—',
        '—',
        '—',
        '—',
        `FAIL (${r.error.slice(0, 80)})`,
      ]);
    for (const f of r.figures) {
      rows.push([
        f.suite,
        f.figure,
        cell(f.ours, f.unit),
        cell(f.baseline, f.unit),
        f.ratio === null ? '—' : fmt(f.ratio, 2),
        f.target,
        f.verdict === 'info' ? 'info' : f.verdict.toUpperCase(),
      ]);
    }
  }
  return rows;
}

/** A plain-text table for the terminal. */
export function renderText(results: readonly SuiteResult[]): string {
  const rows = tableRows(results);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => [...r[i]].length)));
  const line = (r: string[]) =>
    r.map((c, i) => c + ' '.repeat(widths[i] - [...c].length)).join(' | ');
  const sep = widths.map((w) => '-'.repeat(w)).join('-+-');
  return [line(rows[0]), sep, ...rows.slice(1).map(line)].join('\n');
}

/** The same table as Markdown (for the README). */
export function renderMarkdown(results: readonly SuiteResult[]): string {
  const rows = tableRows(results).map((r) => r.map((c) => c.replace(/\|/g, '\\|')));
  const out = [`| ${rows[0].join(' | ')} |`, `|${rows[0].map(() => '---').join('|')}|`];
  for (const r of rows.slice(1)) out.push(`| ${r.join(' | ')} |`);
  return out.join('\n');
}

export function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
}

// ── small statistics ─────────────────────────────────────────────────────────────────────────

/** Nearest-rank percentile (p in 0..100) of unsorted numbers; null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
