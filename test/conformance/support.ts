/**
 * The conformance suite's harness: the real gateway (createGateway, through test/graphql/harness.ts)
 * against a STRICT sandbox, both held to the same per-minute limit, so that every POST the gateway
 * makes is judged by src/sandbox/conformance.ts. After each flow the sandbox's violation list must
 * be empty; when it is not, the assertion message lists them.
 */
import { expect } from 'vitest';
import type { RunningSandbox, SandboxOptions, SandboxStats } from '../../src/sandbox/index.js';
import { sandboxStats, startTestSandbox, TestGateway } from '../graphql/harness.js';

export interface StrictPair {
  sb: RunningSandbox;
  gw: TestGateway;
  close(): Promise<void>;
}

/**
 * A strict sandbox allowing `ratePerMinute` per key and a gateway budgeted to the same number:
 * the gateway must stay within it by itself (over-quota and over-rate would say otherwise).
 */
export async function startStrictPair(
  opts: {
    ratePerMinute?: number;
    sandbox?: Partial<SandboxOptions>;
    env?: Record<string, string>;
    cache?: boolean;
  } = {},
): Promise<StrictPair> {
  const rate = opts.ratePerMinute ?? 80;
  const sb = await startTestSandbox({
    strict: true,
    ratePerMinute: rate,
    ratePerDay: 5000,
    ...opts.sandbox,
  });
  const gw = await TestGateway.start(
    sb,
    { ARCHTICS_RATE_PER_MINUTE: String(rate), ARCHTICS_RATE_PER_DAY: '5000', ...opts.env },
    opts.cache ? { cache: true } : {},
  );
  return {
    sb,
    gw,
    async close() {
      await gw.close();
      await sb.close();
    },
  };
}

/** The violations so far must be none (they are listed in the failure message). */
export async function expectConformant(sb: Pick<RunningSandbox, 'url'>): Promise<SandboxStats> {
  const stats = await sandboxStats(sb);
  expect(stats.violations, 'strict mode is on').toBeDefined();
  expect(
    stats.violations,
    `protocol violations:\n${JSON.stringify(stats.violations, null, 1)}`,
  ).toEqual([]);
  return stats;
}
