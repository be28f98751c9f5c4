/** Faults on demand (options, admin endpoint, handle), stats counts, reset and info. */
import { beforeEach, describe, expect, it } from 'vitest';
import { admin, callSandbox, useSandbox } from '../support/sandbox.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { createFakeWorld } from './fake-world.js';

const addCustomer = {
  cmd: 'customer_add',
  pin: '1',
  customer: { name_first: 'A', name_last: 'B', email: 'a@b.c' },
};

describe('faults by admin endpoint', () => {
  const sb = useSandbox({ world: createFakeWorld, ratePerMinute: 1000, seed: 7 });
  beforeEach(() => sb.sandbox.reset());
  const ping = () => sb.call({ command1: { cmd: 'ping' } });

  it('503 Unavailable a given number of times; nothing runs; DELETE clears', async () => {
    const set = await admin(sb.sandbox, 'POST', 'faults', {
      faults: [{ kind: 'unavailable', count: 2 }],
    });
    expect(set.status).toBe(200);
    const replies = [await ping(), await ping(), await ping()];
    expect(replies.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(replies[0]!.json).toEqual({
      fault: { faultstring: expect.any(String), detail: { errorcode: 'Unavailable' } },
    });
    expect(sb.sandbox.stats()).toMatchObject({
      commands: { ping: 3 },
      executions: { ping: 1 },
      faults: { unavailable: 2 },
    });

    await admin(sb.sandbox, 'POST', 'faults', [{ kind: 'unavailable' }]);
    expect((await ping()).status).toBe(503);
    expect((await admin(sb.sandbox, 'DELETE', 'faults')).json).toEqual({ faults: [] });
    expect((await ping()).status).toBe(200);
  });

  it('a rate of 503s is seeded: the same rule gives the same sequence again', async () => {
    const run = async () => {
      await admin(sb.sandbox, 'POST', 'faults', { kind: 'unavailable', rate: 0.5 });
      const statuses: number[] = [];
      for (let i = 0; i < 24; i++) statuses.push((await ping()).status);
      return statuses;
    };
    const first = await run();
    const second = await run();
    expect(second).toEqual(first);
    expect(first).toContain(503);
    expect(first).toContain(200);
  });

  it('forced 429s carry Retry-After and cost no quota', async () => {
    await admin(sb.sandbox, 'POST', 'faults', [
      { kind: 'rateLimit', count: 2, retryAfterSeconds: 3 },
    ]);
    const r = await ping();
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('3');
    expect(r.json.fault.detail.errorcode).toBe('QuotaMinute');
    expect((await ping()).status).toBe(429);
    expect((await ping()).status).toBe(200);
    expect(sb.sandbox.stats()).toMatchObject({ rateLimited429: 2, faults: { rateLimit: 2 } });
  });

  it('limits a fault to commands and to first sends or polls', async () => {
    sb.sandbox.setFaults([{ kind: 'unavailable', commands: ['Customer_Add'], only: 'firstSends' }]);
    expect((await ping()).status).toBe(200);
    expect((await sb.call({ command1: addCustomer })).status).toBe(503);

    sb.sandbox.setFaults([{ kind: 'unavailable', only: 'polls', count: 1 }]);
    const first = await sb.call({ command1: { cmd: 'ats_ext_test_polling' } });
    expect(first.status).toBe(202);
    const poll = () => sb.call({ raw: first.sent, cookie: first.cookieHeader });
    expect((await poll()).status).toBe(503);
    // A refused poll leaves the command queued.
    expect((await poll()).status).toBe(202);
    sb.sandbox.clock.advance(10_000);
    expect((await poll()).status).toBe(200);
  });

  it('slow answers still answer', async () => {
    sb.sandbox.setFaults([{ kind: 'slow', delayMs: 30, count: 1 }]);
    const r = await ping();
    expect(r.status).toBe(200);
    expect(r.json.command1.result).toBe(0);
    expect(sb.sandbox.stats().faults.slow).toBe(1);
  });

  it('broken JSON: a 200 cut short, or not JSON at all; the result is spent', async () => {
    sb.sandbox.setFaults([
      { kind: 'brokenJson', count: 1 },
      { kind: 'brokenJson', body: 'html', count: 1 },
    ]);
    const cut = await ping();
    expect(cut.status).toBe(200);
    expect(cut.text.startsWith('{"command1":')).toBe(true);
    expect(() => JSON.parse(cut.text)).toThrow();
    const html = await ping();
    expect(html.status).toBe(200);
    expect(html.text.startsWith('<')).toBe(true);
    expect((await ping()).json.command1.result).toBe(0);
    expect(sb.sandbox.stats()).toMatchObject({
      executions: { ping: 3 },
      faults: { brokenJson: 2 },
    });
  });

  it('dropConnection destroys the socket after the command ran (the ambiguous write)', async () => {
    sb.sandbox.setFaults([{ kind: 'dropConnection', commands: ['customer_add'], count: 1 }]);
    await expect(sb.call({ command1: addCustomer })).rejects.toThrow();
    expect(sb.sandbox.stats()).toMatchObject({
      executions: { customer_add: 1 },
      faults: { dropConnection: 1 },
    });
    expect((await sb.call({ command1: addCustomer })).status).toBe(200);
    expect(sb.sandbox.stats().executions.customer_add).toBe(2);
  });

  it('rejects a bad rule with 400 and lists rules with what is left of their counts', async () => {
    expect((await admin(sb.sandbox, 'POST', 'faults', [{ kind: 'meteor' }])).status).toBe(400);
    expect(
      (await admin(sb.sandbox, 'POST', 'faults', [{ kind: 'unavailable', rate: 2 }])).status,
    ).toBe(400);
    expect(
      (await admin(sb.sandbox, 'POST', 'faults', [{ kind: 'slow', commands: ['nope'] }])).status,
    ).toBe(400);
    const bad = await fetch(`${sb.sandbox.url}/__sandbox/faults`, {
      method: 'POST',
      body: '{oops',
    });
    expect(bad.status).toBe(400);
    await admin(sb.sandbox, 'POST', 'faults', [{ kind: 'unavailable', count: 3 }]);
    await ping();
    expect((await admin(sb.sandbox, 'GET', 'faults')).json.faults).toEqual([
      { kind: 'unavailable', count: 3, fired: 1, remaining: 2 },
    ]);
  });
});

describe('faults from options', () => {
  it('start in force and come back after reset', async () => {
    const sb = await startSandbox({
      world: createFakeWorld,
      faults: [{ kind: 'unavailable', count: 1 }],
    });
    try {
      expect((await callSandbox(sb, {})).status).toBe(503);
      expect((await callSandbox(sb, {})).status).toBe(200);
      sb.reset();
      expect((await callSandbox(sb, {})).status).toBe(503);
    } finally {
      await sb.close();
    }
  });
});

describe('stats, reset and info', () => {
  const sb = useSandbox({ world: createFakeWorld, ratePerMinute: 6 });
  beforeEach(() => sb.sandbox.reset());

  it('counts exactly', async () => {
    await sb.call({ command1: { cmd: 'ping' } });
    await sb.call({ product: 'sth-hold', command1: { cmd: 'PING' } });
    await sb.call({ apiKey: 'wrong' });
    await sb.call({ product: 'sth-nothing' });
    await sb.call({ command1: { cmd: 'nope' } });
    const first = await sb.call({ command1: { cmd: 'ats_ext_test_polling' } });
    await sb.call({ raw: first.sent, cookie: first.cookieHeader });
    await sb.call({ command1: { cmd: 'customer_add', customer: {} } });
    await sb.call({ command1: { cmd: 'ping' } }); // the 7th admitted POST: 429
    const stats = (await admin(sb.sandbox, 'GET', 'stats')).json;
    expect(stats).toEqual({
      posts: 9,
      polls: 1,
      commands: { ping: 2, ats_ext_test_polling: 1, customer_add: 1 },
      executions: { ping: 2, customer_add: 1 },
      accepted202: 2,
      queued: 1,
      delivered: 0,
      expired: 0,
      pending: 1,
      rateLimited429: 1,
      byProduct: { 'sth-customer': 7, 'sth-hold': 1 },
      byStatus: { '200': 4, '202': 2, '401': 1, '404': 1, '429': 1 },
      headerErrors: { '1': 0, '2': 1, '3': 0 },
      faults: { rateLimit: 0, unavailable: 0, slow: 0, dropConnection: 0, brokenJson: 0 },
      maxPostsInAnyMinute: 9,
      postsInLastMinute: 9,
    });
    expect(sb.sandbox.stats()).toEqual(stats);
  });

  it('reset restores the world, clears queues and quota, zeroes counters', async () => {
    await sb.call({ command1: addCustomer });
    const queued = await sb.call({ command1: { cmd: 'ats_ext_test_polling' } });
    for (let i = 0; i < 5; i++) await sb.call({});
    expect((await sb.call({})).status).toBe(429);
    expect((sb.sandbox.world as ReturnType<typeof createFakeWorld>).customers).toBe(1);

    expect((await admin(sb.sandbox, 'POST', 'reset')).status).toBe(200);
    expect((sb.sandbox.world as ReturnType<typeof createFakeWorld>).customers).toBe(0);
    const stats = sb.sandbox.stats();
    expect(stats).toMatchObject({
      posts: 0,
      polls: 0,
      commands: {},
      executions: {},
      pending: 0,
      maxPostsInAnyMinute: 0,
    });
    // Quota is free again, and the old cookies name nothing.
    expect((await sb.call({})).status).toBe(200);
    const again = await sb.call({ raw: queued.sent, cookie: queued.cookieHeader });
    expect(again.status).toBe(202);
    expect(sb.sandbox.stats().polls).toBe(0);
  });

  it('GET /__sandbox/info gives samples, limits and the DSN, never the key', async () => {
    const { status, json } = await admin(sb.sandbox, 'GET', 'info');
    expect(status).toBe(200);
    expect(json).toMatchObject({
      atsVersion: '4.23.3',
      dsn: 'apigee',
      limits: { ratePerMinute: 6, ratePerDay: 5000 },
      samples: { acctId: 100479 },
      timing: {
        timeScale: 1,
        asyncThresholdMs: 4000,
        serviceTimeMs: { ats_ext_test_polling: 10_000 },
      },
    });
    expect(JSON.stringify(json)).not.toContain(sb.sandbox.apiKey);
    expect((await admin(sb.sandbox, 'GET', 'nothing-here')).status).toBe(404);
  });
});
