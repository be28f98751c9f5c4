import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { createLimiter } from '../../src/quota/redis-limiter.js';
import type { Limiter } from '../../src/quota/types.js';

let limiter: Limiter | undefined;
afterEach(async () => {
  await limiter?.close();
  limiter = undefined;
});

/** Grants `n` reads and returns when (on the manual clock) each was granted. */
async function grantTimes(
  l: Limiter,
  clock: ManualClock,
  n: number,
  stepMs: number,
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++)
    void l.acquire({ priority: 'read' }).then(() => times.push(clock.now()));
  for (let guard = 0; times.length < n && guard < 1_000; guard++) await clock.advance(stepMs);
  return times;
}

describe('budget gate: safety margin on the service window', () => {
  it('the configured gate waits 61 s, not 60 s, before the 81st call, so calls delayed in flight still land in separate service windows', async () => {
    // Regression (bench suite 4): the gate counted grants, the service counted arrivals; a burst
    // that arrived late and the next burst released on time met inside one service window → 429.
    const clock = new ManualClock();
    limiter = createLimiter(loadConfig({}), undefined, { clock });
    const times = await grantTimes(limiter, clock, 81, 250);
    const t0 = times[0];
    expect(times.slice(0, 80).every((t) => t === t0)).toBe(true);
    expect(times[80] - t0).toBe(61_000);
  });

  it('ARCHTICS_WINDOW_MARGIN_MS=0 gives the bare 60 s window', async () => {
    const clock = new ManualClock();
    limiter = createLimiter(loadConfig({ ARCHTICS_WINDOW_MARGIN_MS: '0' }), undefined, { clock });
    const times = await grantTimes(limiter, clock, 81, 250);
    expect(times[80] - times[0]).toBe(60_000);
  });

  it('a margin that is not a whole number of ms stops start-up naming the variable', () => {
    expect(() => loadConfig({ ARCHTICS_WINDOW_MARGIN_MS: 'soon' })).toThrow(
      /ARCHTICS_WINDOW_MARGIN_MS/,
    );
  });
});
