/**
 * The cost report (extensions.upstream) also as one response header, for clients and routers that
 * never show `extensions` (Apollo Client 4 results; Hive Gateway and other routers drop a
 * subgraph's extensions):
 *
 *   x-upstream-cost: archtics;calls=3;polls=0;cache-hits=1;stale=0;minute-left=77;day-left=4997
 *
 * One HTTP structured-field list member with parameters (RFC 8941), so a router that appends the
 * headers of several subgraph fetches (docs/cost-report.md, gateway.config.ts) still sends a valid
 * list: one member per fetch. A budget figure that could not be read is left out. Streamed answers
 * (@defer, @stream) send their headers before the totals exist: they carry only extensions.
 */
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { UpstreamReport } from './upstream-extensions.js';

export const COST_HEADER = 'x-upstream-cost';

export function costHeaderValue(report: UpstreamReport, stale?: { ageSeconds: number }): string {
  const parts = [
    `calls=${report.calls}`,
    `polls=${report.polls}`,
    `cache-hits=${report.cacheHits}`,
    `stale=${report.staleServes}`,
  ];
  if (stale) parts.push(`stale-age=${stale.ageSeconds}`);
  if (report.minuteRemaining !== null) parts.push(`minute-left=${report.minuteRemaining}`);
  if (report.dayRemaining !== null) parts.push(`day-left=${report.dayRemaining}`);
  return ['archtics', ...parts].join(';');
}

/** Parses one member of the header (for tests and for routers that sum them). */
export function parseCostHeader(value: string): Record<string, number>[] {
  return value
    .split(',')
    .map((member) => member.trim())
    .filter(Boolean)
    .map((member) =>
      Object.fromEntries(
        member
          .split(';')
          .slice(1)
          .map((p) => [p.split('=')[0], Number(p.split('=')[1])]),
      ),
    );
}

export function useCostHeader(): Plugin {
  const values = new WeakMap<Request, string>();
  return {
    onResultProcess({ request, result }) {
      if (Array.isArray(result) || isAsyncIterable(result)) return;
      const report = result.extensions?.upstream as UpstreamReport | undefined;
      if (report)
        values.set(
          request,
          costHeaderValue(report, result.extensions?.stale as { ageSeconds: number } | undefined),
        );
    },
    onResponse({ request, response }) {
      const value = values.get(request);
      if (value) response.headers.set(COST_HEADER, value);
    },
  };
}
