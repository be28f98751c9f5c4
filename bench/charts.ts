/**
 * Charts of a portal run, drawn by vega-lite (compiled to a Vega spec, rendered to SVG in Node
 * without a canvas). One chart per portal size: refresh-ahead on beside off, each with
 *   - upstream POSTs per simulated minute against the limit (the refresher's share shown apart),
 *   - operations per minute, served fresh / served stale / refused.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

/** One simulated minute of one run. */
export interface MinuteRow {
  minute: number;
  /** POSTs that reached the service in this minute (callers' and the refresher's). */
  posts: number;
  /** Of those, the refresher's. */
  refreshPosts: number;
  fresh: number;
  stale: number;
  refused: number;
}

export interface ChartRun {
  /** Column title, e.g. "refresh-ahead on". */
  label: string;
  minutes: MinuteRow[];
}

const OUTCOME_COLORS = { fresh: '#2e7d32', stale: '#f9a825', refused: '#c62828' };

export function portalChartSpec(
  title: string,
  runs: readonly ChartRun[],
  limitPerMinute: number,
): TopLevelSpec {
  const posts = runs.flatMap((r) =>
    r.minutes.flatMap((m) => [
      { run: r.label, minute: m.minute + 1, who: 'callers', posts: m.posts - m.refreshPosts },
      { run: r.label, minute: m.minute + 1, who: 'refresher', posts: m.refreshPosts },
    ]),
  );
  const ops = runs.flatMap((r) =>
    r.minutes.flatMap((m) =>
      (['fresh', 'stale', 'refused'] as const).map((outcome) => ({
        run: r.label,
        minute: m.minute + 1,
        outcome,
        operations: m[outcome],
      })),
    ),
  );
  const order = runs.map((r) => r.label);
  const width = 300;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, anchor: 'start' },
    config: { font: 'sans-serif', view: { stroke: '#ddd' } },
    vconcat: [
      {
        data: { values: posts },
        facet: { column: { field: 'run', type: 'nominal', sort: order, title: null } },
        spec: {
          width,
          height: 160,
          layer: [
            {
              mark: { type: 'bar' },
              encoding: {
                x: {
                  field: 'minute',
                  type: 'ordinal',
                  title: 'simulated minute',
                  axis: { labelAngle: 0 },
                },
                y: {
                  field: 'posts',
                  type: 'quantitative',
                  aggregate: 'sum',
                  title: `upstream POSTs / minute (limit ${limitPerMinute}, dashed)`,
                  scale: { domain: [0, Math.ceil(limitPerMinute * 1.1)] },
                },
                color: {
                  field: 'who',
                  type: 'nominal',
                  title: 'POSTs by',
                  scale: { domain: ['callers', 'refresher'], range: ['#1565c0', '#90caf9'] },
                },
                order: { field: 'who', sort: 'ascending' },
              },
            },
            {
              mark: { type: 'rule', color: '#c62828', strokeDash: [4, 3] },
              encoding: { y: { datum: limitPerMinute } },
            },
          ],
        },
        resolve: { scale: { y: 'shared' } },
      },
      {
        data: { values: ops },
        facet: { column: { field: 'run', type: 'nominal', sort: order, title: null } },
        spec: {
          width,
          height: 160,
          mark: { type: 'bar' },
          encoding: {
            x: {
              field: 'minute',
              type: 'ordinal',
              title: 'simulated minute',
              axis: { labelAngle: 0 },
            },
            y: {
              field: 'operations',
              type: 'quantitative',
              aggregate: 'sum',
              title: 'operations / minute',
            },
            color: {
              field: 'outcome',
              type: 'nominal',
              title: 'operations',
              scale: { domain: Object.keys(OUTCOME_COLORS), range: Object.values(OUTCOME_COLORS) },
              sort: Object.keys(OUTCOME_COLORS),
            },
            order: { field: 'outcomeRank', type: 'quantitative' },
          },
          transform: [
            { calculate: "indexof(['fresh','stale','refused'], datum.outcome)", as: 'outcomeRank' },
          ],
        },
        resolve: { scale: { y: 'shared' } },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  } as TopLevelSpec;
}

/** vega-lite → Vega → SVG, headless. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export async function writePortalChart(
  path: string,
  title: string,
  runs: readonly ChartRun[],
  limitPerMinute: number,
): Promise<void> {
  const svg = await renderSvg(portalChartSpec(title, runs, limitPerMinute));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, svg);
}
