/** Asynchronous polling (reference §3) over real HTTP: 202 + cookies, polls, delivery once, expiry. */
import { beforeEach, describe, expect, it } from 'vitest';
import { useSandbox } from '../support/sandbox.js';
import { createFakeWorld } from './fake-world.js';

const COOKIE_RE = {
  CID: /^CID=([^;\s]+); Path=\/; HttpOnly$/,
  QTKN: /^QTKN=([^;\s]+); Path=\/; HttpOnly$/,
};

describe('polling with the sandbox clock', () => {
  // Writes answer 202 too: customer_add takes 5 s here.
  const sb = useSandbox({
    world: createFakeWorld,
    ratePerMinute: 1000,
    serviceTimeMs: { customer_add: 5_000 },
  });
  beforeEach(() => sb.sandbox.reset());

  const addCustomer = {
    cmd: 'customer_add',
    pin: '1',
    customer: { name_first: 'A', name_last: 'B', email: 'a@b.c' },
  };

  it('answers 202 at once with an empty body and exactly the CID and QTKN cookies', async () => {
    const r = await sb.call({ command1: { cmd: 'ats_ext_test_polling' } });
    expect(r.status).toBe(202);
    expect(r.text).toBe('');
    expect(r.headers.get('content-length')).toBe('0');
    expect(r.setCookies).toHaveLength(2);
    expect(r.setCookies[0]).toMatch(COOKIE_RE.CID);
    expect(r.setCookies[1]).toMatch(COOKIE_RE.QTKN);
  });

  it('ats_ext_test_polling completes 10 s after acceptance: 202 before, then the result once', async () => {
    const first = await sb.call({ command1: { cmd: 'ats_ext_test_polling', ref: 'p1' } });
    expect(first.status).toBe(202);
    const poll = () => sb.call({ raw: first.sent, cookie: first.cookieHeader });

    expect((await poll()).status).toBe(202);
    sb.sandbox.clock.advance(9_000);
    const early = await poll();
    expect(early.status).toBe(202);
    expect(early.text).toBe('');
    expect(sb.sandbox.stats().executions.ats_ext_test_polling).toBeUndefined();

    sb.sandbox.clock.advance(1_000);
    const done = await poll();
    expect(done.status).toBe(200);
    expect(done.json.command1).toEqual({
      cmd: 'ats_ext_test_polling',
      ref: 'p1',
      result: 0,
      sql_code: 0,
    });
    expect(done.json.header.result).toBe(0);

    const s = sb.sandbox.stats();
    expect(s).toMatchObject({
      posts: 4,
      polls: 3,
      accepted202: 3,
      queued: 1,
      delivered: 1,
      pending: 0,
    });
    expect(s.commands).toEqual({ ats_ext_test_polling: 1 });
    expect(s.executions).toEqual({ ats_ext_test_polling: 1 });
  });

  it('delivers once: the dead cookies then send a new command, so a write executes twice', async () => {
    const first = await sb.call({ command1: addCustomer });
    expect(first.status).toBe(202);
    sb.sandbox.clock.advance(5_000);
    const done = await sb.call({ raw: first.sent, cookie: first.cookieHeader });
    expect(done.status).toBe(200);
    expect(done.json.command1).toMatchObject({ cmd: 'customer_add', result: 0, acct_id: 1000 });

    const again = await sb.call({ raw: first.sent, cookie: first.cookieHeader });
    expect(again.status).toBe(202);
    expect(again.cookieHeader).not.toBe(first.cookieHeader);
    sb.sandbox.clock.advance(5_000);
    const second = await sb.call({ raw: again.sent, cookie: again.cookieHeader });
    expect(second.json.command1.acct_id).toBe(1001);

    const s = sb.sandbox.stats();
    expect(s.commands.customer_add).toBe(2);
    expect(s.executions.customer_add).toBe(2);
    expect(s.polls).toBe(2);
  });

  it('a repeat without cookies is a new command', async () => {
    const first = await sb.call({ command1: addCustomer });
    const repeat = await sb.call({ raw: first.sent });
    expect(repeat.status).toBe(202);
    expect(repeat.cookieHeader).not.toBe(first.cookieHeader);
    sb.sandbox.clock.advance(5_000);
    const s = sb.sandbox.stats();
    expect(s.commands.customer_add).toBe(2);
    expect(s.executions.customer_add).toBe(2);
    expect(s.polls).toBe(0);
  });

  it('cookies with a different body, a wrong QTKN, or another product are a new command', async () => {
    const first = await sb.call({ command1: addCustomer });
    const cid = first.cookieHeader.split('; ')[0];
    const changed = await sb.call({
      raw: first.sent.replace('"uid"', ' "uid"'),
      cookie: first.cookieHeader,
    });
    const badToken = await sb.call({ raw: first.sent, cookie: `${cid}; QTKN=forged` });
    const otherProduct = await sb.call({
      product: 'sth-hold',
      raw: first.sent,
      cookie: first.cookieHeader,
    });
    for (const r of [changed, badToken, otherProduct]) expect(r.status).toBe(202);
    expect(sb.sandbox.stats()).toMatchObject({
      polls: 0,
      queued: 4,
      commands: { customer_add: 4 },
    });
    // The original cookies still poll the original command.
    sb.sandbox.clock.advance(5_000);
    const done = await sb.call({ raw: first.sent, cookie: `SID=abc; ${first.cookieHeader}` });
    expect(done.status).toBe(200);
    expect(done.json.command1.acct_id).toBe(1000);
  });

  it('runs a queued command at its completion time even if nobody polls', async () => {
    await sb.call({ command1: addCustomer });
    expect(sb.sandbox.stats().executions.customer_add).toBeUndefined();
    sb.sandbox.clock.advance(5_000);
    expect(sb.sandbox.stats().executions.customer_add).toBe(1);
    expect((sb.sandbox.world as ReturnType<typeof createFakeWorld>).customers).toBe(1);
  });

  it('drops a result unclaimed for 10 minutes: its cookies then name nothing', async () => {
    const first = await sb.call({ command1: { cmd: 'ats_ext_test_polling' } });
    sb.sandbox.clock.advance(10_000 + 10 * 60_000);
    expect(sb.sandbox.stats()).toMatchObject({ expired: 1, pending: 0 });
    const late = await sb.call({ raw: first.sent, cookie: first.cookieHeader });
    expect(late.status).toBe(202);
    expect(late.cookieHeader).not.toBe(first.cookieHeader);
    expect(sb.sandbox.stats()).toMatchObject({ polls: 0, commands: { ats_ext_test_polling: 2 } });
  });

  it('POST /__sandbox/clock advances the same clock', async () => {
    const first = await sb.call({ command1: { cmd: 'ats_ext_test_polling' } });
    const res = await fetch(`${sb.sandbox.url}/__sandbox/clock`, {
      method: 'POST',
      body: JSON.stringify({ advanceMs: 10_000 }),
    });
    expect(res.status).toBe(200);
    expect((await sb.call({ raw: first.sent, cookie: first.cookieHeader })).status).toBe(200);
    const bad = await fetch(`${sb.sandbox.url}/__sandbox/clock`, {
      method: 'POST',
      body: JSON.stringify({ advanceMs: -1 }),
    });
    expect(bad.status).toBe(400);
  });
});

describe('polling in scaled time', () => {
  // 0.01: the 10 s command takes 100 real ms.
  const sb = useSandbox({ world: createFakeWorld, timeScale: 0.01, ratePerMinute: 100_000 });

  it('a client polling every 20 real ms gets 202s, then the result', async () => {
    const first = await sb.call({ command1: { cmd: 'ats_ext_test_polling' } });
    expect(first.status).toBe(202);
    let last = first;
    let polls = 0;
    for (; polls < 500 && last.status === 202; polls++) {
      await new Promise((r) => setTimeout(r, 20));
      last = await sb.call({ raw: first.sent, cookie: first.cookieHeader });
    }
    expect(last.status).toBe(200);
    expect(last.json.command1).toEqual({ cmd: 'ats_ext_test_polling', result: 0, sql_code: 0 });
    expect(polls).toBeGreaterThan(1);
    expect(sb.sandbox.stats()).toMatchObject({
      polls,
      delivered: 1,
      executions: { ats_ext_test_polling: 1 },
    });
  });
});

describe('forceAsync', () => {
  const sb = useSandbox({ world: createFakeWorld, forceAsync: true, ratePerMinute: 1000 });

  it('answers 202 to every command, even a 2 ms ping, which is ready on the next poll once due', async () => {
    const first = await sb.call({ command1: { cmd: 'ping' } });
    expect(first.status).toBe(202);
    sb.sandbox.clock.advance(2);
    const done = await sb.call({ raw: first.sent, cookie: first.cookieHeader });
    expect(done.status).toBe(200);
    expect(done.json.command1.system_available).toBe(1);
  });
});

describe('202 first, result on poll N (SANDBOX_ASYNC=always, SANDBOX_POLLS_TO_RESULT)', () => {
  const sb = useSandbox({
    world: createFakeWorld,
    forceAsync: true,
    pollsToResult: 3,
    ratePerMinute: 1000,
    serviceTimeMs: { ats_ext_test_polling: 60_000 },
  });

  it('a 2 ms command done long ago still answers 202 until its third poll, then its result once', async () => {
    sb.sandbox.reset();
    const first = await sb.call({ command1: { cmd: 'ping' } });
    expect(first.status).toBe(202);
    sb.sandbox.clock.advance(10_000);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await sb.call({ raw: first.sent, cookie: first.cookieHeader })).status);
    expect(statuses).toEqual([202, 202, 200]);
    // Delivered once: its cookies are dead, so the same POST is a new command.
    expect((await sb.call({ raw: first.sent, cookie: first.cookieHeader })).status).toBe(202);
    // (The second one runs 2 ms after its acceptance, whether or not anyone polls.)
    expect(sb.sandbox.stats()).toMatchObject({ polls: 3, delivered: 1, commands: { ping: 2 } });
  });

  it('a command whose service time has not run out yet runs on its Nth poll: the result never waits longer', async () => {
    sb.sandbox.reset();
    const first = await sb.call({ command1: { cmd: 'ats_ext_test_polling' } });
    expect(first.status).toBe(202);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await sb.call({ raw: first.sent, cookie: first.cookieHeader })).status);
    expect(statuses).toEqual([202, 202, 200]);
    expect(sb.sandbox.stats()).toMatchObject({
      executions: { ats_ext_test_polling: 1 },
      delivered: 1,
    });
  });

  it('a poll refused by the quota is not counted as a poll', async () => {
    sb.sandbox.reset();
    const first = await sb.call({ command1: { cmd: 'ping' } });
    sb.sandbox.setFaults([{ kind: 'rateLimit', count: 1, only: 'polls' }]);
    expect((await sb.call({ raw: first.sent, cookie: first.cookieHeader })).status).toBe(429);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await sb.call({ raw: first.sent, cookie: first.cookieHeader })).status);
    expect(statuses).toEqual([202, 202, 200]);
    sb.sandbox.setFaults([]);
  });

  it('/__sandbox/info lists the mode', async () => {
    const info = await (await fetch(`${sb.sandbox.url}/__sandbox/info`)).json();
    expect(info.timing).toMatchObject({ async: 'always', pollsToResult: 3 });
  });
});
