/** Per-key quota: any 60-second window (sliding) and per day; every POST counts, polls included. */
import { beforeEach, describe, expect, it } from 'vitest';
import { useSandbox, type SandboxReply } from '../support/sandbox.js';
import { createFakeWorld } from './fake-world.js';

function expect429(r: SandboxReply, code: 'QuotaMinute' | 'QuotaDay') {
  expect(r.status).toBe(429);
  expect(r.json).toEqual({
    fault: { faultstring: expect.any(String), detail: { errorcode: code } },
  });
  const retryAfter = r.headers.get('retry-after');
  expect(retryAfter).toMatch(/^\d+$/);
  return Number(retryAfter);
}

describe('sandbox quota', () => {
  const sb = useSandbox({
    world: createFakeWorld,
    ratePerMinute: 3,
    ratePerDay: 7,
    keys: [
      { key: 'sandbox-key', dsns: ['apigee'] },
      { key: 'other-key', dsns: ['apigee'] },
    ],
  });
  beforeEach(() => sb.sandbox.reset());
  const ping = () => sb.call({ command1: { cmd: 'ping' } });

  it('admits N per minute, then 429 QuotaMinute with Retry-After until the oldest slot frees', async () => {
    for (let i = 0; i < 3; i++) expect((await ping()).status).toBe(200);
    const seconds = expect429(await ping(), 'QuotaMinute');
    expect(seconds).toBeGreaterThanOrEqual(59);
    expect(seconds).toBeLessThanOrEqual(60);
    expect(sb.sandbox.stats()).toMatchObject({
      posts: 4,
      rateLimited429: 1,
      executions: { ping: 3 },
    });
  });

  it('slides: a slot frees 60 s after the POST that took it, not at a calendar minute', async () => {
    expect((await ping()).status).toBe(200);
    sb.sandbox.clock.advance(30_000);
    expect((await ping()).status).toBe(200);
    expect((await ping()).status).toBe(200);
    const wait = expect429(await ping(), 'QuotaMinute');
    expect(wait).toBeGreaterThanOrEqual(29);
    expect(wait).toBeLessThanOrEqual(30);
    sb.sandbox.clock.advance(30_000);
    // Only the first POST's slot has freed.
    expect((await ping()).status).toBe(200);
    expect429(await ping(), 'QuotaMinute');
    // A whole new window admits three again.
    sb.sandbox.clock.advance(60_000);
    for (let i = 0; i < 3; i++) expect((await ping()).status).toBe(200);
  });

  it('counts polls like any other POST', async () => {
    const first = await sb.call({ command1: { cmd: 'ats_ext_test_polling' } });
    expect(first.status).toBe(202);
    expect((await sb.call({ raw: first.sent, cookie: first.cookieHeader })).status).toBe(202);
    expect((await sb.call({ raw: first.sent, cookie: first.cookieHeader })).status).toBe(202);
    expect429(await sb.call({ raw: first.sent, cookie: first.cookieHeader }), 'QuotaMinute');
    expect(sb.sandbox.stats()).toMatchObject({ posts: 4, polls: 2, rateLimited429: 1 });
  });

  it('refused POSTs consume nothing: after the wait exactly the freed slots are admitted', async () => {
    for (let i = 0; i < 3; i++) await ping();
    for (let i = 0; i < 5; i++) expect429(await ping(), 'QuotaMinute');
    sb.sandbox.clock.advance(60_000);
    for (let i = 0; i < 3; i++) expect((await ping()).status).toBe(200);
    // Refusals before the quota step (bad key, bad DSN) never count either.
    sb.sandbox.clock.advance(60_000);
    await sb.call({ apiKey: 'wrong' });
    await sb.call({ dsn: 'nowhere' });
    await sb.call({ command1: { cmd: 'ping', dsn: 'other' } });
    for (let i = 0; i < 1; i++) expect((await ping()).status).toBe(200);
  });

  it('enforces the day limit across minutes with 429 QuotaDay', async () => {
    for (let i = 0; i < 7; i++) {
      expect((await ping()).status).toBe(200);
      sb.sandbox.clock.advance(61_000);
    }
    const seconds = expect429(await ping(), 'QuotaDay');
    expect(seconds).toBeGreaterThan(23 * 3600);
    expect(seconds).toBeLessThanOrEqual(24 * 3600 + 1);
    sb.sandbox.clock.advance(24 * 3600_000);
    expect((await ping()).status).toBe(200);
  });

  it('keeps a quota per key', async () => {
    for (let i = 0; i < 3; i++) await ping();
    expect429(await ping(), 'QuotaMinute');
    expect((await sb.call({ apiKey: 'other-key' })).status).toBe(200);
  });

  it('reports the most POSTs seen in any minute, refused ones included', async () => {
    for (let i = 0; i < 5; i++) await ping();
    sb.sandbox.clock.advance(60_000);
    await ping();
    expect(sb.sandbox.stats()).toMatchObject({ maxPostsInAnyMinute: 5, postsInLastMinute: 1 });
  });
});

describe('quota in scaled time', () => {
  // 0.01: a quota minute lasts 600 real ms; Retry-After is in real seconds, so 1.
  const sb = useSandbox({ world: createFakeWorld, ratePerMinute: 2, timeScale: 0.01 });

  it('gives Retry-After in real seconds, at least 1', async () => {
    let refused: SandboxReply | undefined;
    for (let i = 0; i < 50 && !refused; i++) {
      const r = await sb.call({});
      if (r.status === 429) refused = r;
    }
    // Three of these fifty POSTs inside 600 real ms: certain short of a stalled machine.
    expect(refused).toBeDefined();
    expect(expect429(refused!, 'QuotaMinute')).toBe(1);
  });
});
