/**
 * src/metrics.ts on its own registry: client reports, cache results, queue waits and refusals of
 * an instrumented limiter, quota gauges at scrape time — labels from closed sets only.
 */
import { expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { createMetrics } from '../../src/metrics.js';
import { createLocalLimiter } from '../../src/quota/index.js';

it('counts calls, polls, cache results, queue waits and refusals; quota gauges read the limiter', async () => {
  const clock = new ManualClock();
  const m = createMetrics();
  const limiter = m.instrumentLimiter(
    createLocalLimiter({ ratePerMinute: 1, ratePerDay: 10, queueMax: 1, clock }),
    clock,
  );
  m.trackQuota(() => limiter.snapshot());

  m.onUpstreamCall({
    command: 'get_avail_seats',
    status: 200,
    attempts: 1,
    polls: 3,
    durationMs: 1500,
    outcome: 'ok',
  });
  m.onUpstreamCall({
    command: 'seats_hold',
    status: 'timeout',
    attempts: 1,
    polls: 0,
    durationMs: 30_000,
    outcome: 'error',
  });
  // Anything outside the closed sets becomes "other" — never a caller's text (or a key) as a label.
  m.onUpstreamCall({ command: 'apikey=sk-SECRET', status: 'sk-SECRET', outcome: 'sk-SECRET' });
  m.cacheResult('event_details', 'coalesced');
  m.cacheResult('event_details', 'miss');

  await limiter.acquire({ priority: 'read' }); // immediate
  const waiting = limiter.acquire({ priority: 'write' }); // the next slot is a minute away
  await expect(
    limiter.acquire({ priority: 'read', deadline: clock.now() + 1_000 }),
  ).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  await clock.advance(60_000);
  await waiting;

  const text = await m.text();
  expect(text).toContain(
    'archtics_upstream_calls_total{command="get_avail_seats",status="200",outcome="ok"} 1',
  );
  expect(text).toContain(
    'archtics_upstream_calls_total{command="seats_hold",status="timeout",outcome="error"} 1',
  );
  expect(text).toContain(
    'archtics_upstream_calls_total{command="other",status="other",outcome="other"} 1',
  );
  expect(text).toContain('archtics_upstream_polls_total{command="get_avail_seats"} 3');
  expect(text).toContain(
    'archtics_cache_requests_total{command="event_details",result="coalesced"} 1',
  );
  expect(text).toContain('archtics_quota_queue_wait_seconds_count{priority="write"} 1');
  expect(text).toContain('archtics_quota_queue_wait_seconds_sum{priority="write"} 60');
  expect(text).toMatch(
    /archtics_quota_rejections_total\{priority="read",reason="(deadline|queue_full)"\} 1/,
  );
  expect(text).toContain('archtics_quota_minute_remaining 0');
  expect(text).toContain('archtics_quota_day_remaining 8');
  expect(text).not.toContain('SECRET');
  await limiter.close();
});

it("keeps each gateway's metrics apart (own registry, not the global one)", async () => {
  const a = createMetrics();
  const b = createMetrics();
  a.cacheResult('ping', 'hit');
  expect(await a.text()).toContain('archtics_cache_requests_total{command="ping",result="hit"} 1');
  expect(await b.text()).not.toContain('command="ping"');
});

it('an instrumented limiter hands on the grant, so a send still re-checks the pause and can give its slot back', async () => {
  const clock = new ManualClock();
  const limiter = createMetrics().instrumentLimiter(
    createLocalLimiter({ ratePerMinute: 2, ratePerDay: 10, queueMax: 1, clock }),
    clock,
  );
  const grant = await limiter.acquire({ priority: 'read' });
  limiter.pauseFor(1_000);
  expect(grant && grant.stillClear()).toBe(false);
  expect((await limiter.snapshot()).minuteRemaining).toBe(2);
});
