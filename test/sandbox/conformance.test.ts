/**
 * Strict mode (src/sandbox/conformance.ts): every rule fires on a hand-made misbehaving POST and
 * stays silent on the well-behaved one. Violations are read from GET /__sandbox/stats, as any
 * outside checker would. Waits here only space POSTs out (a poll ≥ 300 ms after the previous one, a
 * POST after a Retry-After): nothing asserts how long anything took.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { SandboxStats, Violation } from '../../src/sandbox/index.js';
import {
  admin,
  callSandbox,
  envelope,
  useSandbox,
  type SandboxCall,
  type SandboxFixture,
} from '../support/sandbox.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** Comfortably past the 290 ms poll floor. */
const POLL_GAP = 330;

async function stats(sb: SandboxFixture): Promise<SandboxStats> {
  return (await admin(sb.sandbox, 'GET', 'stats')).json as SandboxStats;
}

async function violations(sb: SandboxFixture): Promise<Violation[]> {
  return (await stats(sb)).violations ?? [];
}

async function rules(sb: SandboxFixture): Promise<string[]> {
  return (await violations(sb)).map((v) => v.rule);
}

/** A POST with any Content-Type, URL query and body (the test helper always sends JSON). */
async function rawPost(
  sb: SandboxFixture,
  opts: { product?: string; query: string; body: string; contentType?: string; cookie?: string },
): Promise<number> {
  const headers: Record<string, string> = {};
  if (opts.contentType !== undefined) headers['content-type'] = opts.contentType;
  if (opts.cookie) headers.cookie = opts.cookie;
  const res = await fetch(
    `${sb.sandbox.url}/${opts.product ?? 'sth-customer'}/ticketing_services.aspx?${opts.query}`,
    { method: 'POST', headers, body: opts.body },
  );
  await res.text();
  return res.status;
}

describe('strict mode is off by default', () => {
  const sb = useSandbox({ ratePerMinute: 1000 });

  it('no violations in stats and no SID cookie, even for a misbehaving client', async () => {
    const r = await sb.call({ product: 'sth-buy', command1: { cmd: 'ats_ext_test_polling' } });
    expect(r.status).toBe(202);
    expect(r.setCookies).toHaveLength(2);
    await sb.call({ raw: r.sent, cookie: r.cookieHeader });
    const s = await stats(sb);
    expect(s.violations).toBeUndefined();
    expect(s.violationCounts).toBeUndefined();
  });
});

describe('strict mode: envelope, DSN and product', () => {
  const sb = useSandbox({ strict: true, ratePerMinute: 1000 });
  beforeEach(() => sb.sandbox.reset());

  it('a well-formed POST of each public sample shape leaves no violation', async () => {
    expect((await sb.call({ command1: { cmd: 'ping', call_reason: 'test' } })).status).toBe(200);
    // The public event_search sample: dsn upper-case in the body, archtics_version "v999".
    const sample = {
      header: { ver: 1, src_sys_type: 2, src_sys_name: 'test', archtics_version: 'v999' },
      command1: {
        cmd: 'event_search',
        ref: '1AB2C3',
        uid: 'USER99',
        dsn: 'APIGEE',
        start_date: '2016-10-01',
        end_date: '2016-12-31',
      },
    };
    expect((await sb.call({ raw: JSON.stringify(sample) })).status).toBe(200);
    expect(
      (
        await sb.call({
          product: 'sth-inventory',
          command1: { cmd: 'get_avail_seats', event_name: 'EVENT01', summary_flag: 'Y' },
        })
      ).status,
    ).toBe(200);
    const s = await stats(sb);
    expect(s.violations).toEqual([]);
    expect(s.violationCounts).toEqual({});
  });

  it('product-not-smallest: a command sent to a bigger product (or one that does not contain it)', async () => {
    await sb.call({ product: 'sth-buy', command1: { cmd: 'ping' } });
    await sb.call({
      product: 'sth-hold',
      command1: { cmd: 'get_avail_seats', event_name: 'EVENT01', summary_flag: 'Y' },
    });
    await sb.call({
      product: 'sth-customer',
      command1: { cmd: 'check_out', acct_id: 100000, order_num: 1 },
    });
    const v = await violations(sb);
    expect(v.map((x) => [x.rule, x.cmd])).toEqual([
      ['product-not-smallest', 'ping'],
      ['product-not-smallest', 'get_avail_seats'],
      ['product-not-smallest', 'check_out'],
    ]);
    expect(v[0]!.detail).toContain('sth-customer');
    expect(typeof v[0]!.at).toBe('number');
    expect((await stats(sb)).violationCounts).toEqual({ 'product-not-smallest': 3 });
  });

  it('dsn-mismatch: URL and body disagree, or either has none', async () => {
    const key = encodeURIComponent(sb.sandbox.apiKey);
    await sb.call({ command1: { cmd: 'ping', dsn: 'other' } });
    await sb.call({ command1: { cmd: 'ping', dsn: null } });
    await rawPost(sb, {
      query: `apikey=${key}`,
      body: envelope({ cmd: 'ping' }),
      contentType: 'application/json',
    });
    expect(await rules(sb)).toEqual(['dsn-mismatch', 'dsn-mismatch', 'dsn-mismatch']);
  });

  it('bad-envelope: Content-Type, header fields, uid, unknown cmd, not JSON', async () => {
    const query = `dsn=apigee&apikey=${encodeURIComponent(sb.sandbox.apiKey)}`;
    await rawPost(sb, { query, body: envelope({ cmd: 'ping' }), contentType: 'text/plain' });
    await sb.call({
      command1: { cmd: 'ping' },
      header: { ver: 2, src_sys_type: 2, src_sys_name: 'x', archtics_version: 'V999' },
    });
    await sb.call({
      command1: { cmd: 'ping' },
      header: { ver: 1, src_sys_type: 2, src_sys_name: 'x', archtics_version: 'V1' },
    });
    await sb.call({ command1: { cmd: 'ping', uid: 'a-very-long-user' } });
    await sb.call({ command1: { cmd: 'pong' } });
    await sb.call({ raw: '{"header":' });
    const v = await violations(sb);
    expect(v.every((x) => x.rule === 'bad-envelope')).toBe(true);
    expect(v.map((x) => x.detail)).toEqual([
      expect.stringContaining('Content-Type'),
      expect.stringContaining('ver'),
      expect.stringContaining('archtics_version'),
      expect.stringContaining('longer than 12'),
      expect.stringContaining('unknown cmd'),
      expect.stringContaining('not a JSON object'),
    ]);
    // A charset parameter is still application/json.
    sb.sandbox.reset();
    await rawPost(sb, {
      query,
      body: envelope({ cmd: 'ping' }),
      contentType: 'application/json; charset=utf-8',
    });
    expect(await rules(sb)).toEqual([]);
  });
});

describe('strict mode: polling and cookies', () => {
  // get_avail_seats and customer_add answer 202 here too (5 s of sandbox time each).
  const sb = useSandbox({
    strict: true,
    ratePerMinute: 1000,
    serviceTimeMs: { get_avail_seats: 5_000, customer_add: 5_000 },
  });
  beforeEach(() => sb.sandbox.reset());

  const testPolling: SandboxCall = { command1: { cmd: 'ats_ext_test_polling' } };
  const avail: SandboxCall = {
    product: 'sth-inventory',
    command1: { cmd: 'get_avail_seats', event_name: 'EVENT01', summary_flag: 'Y' },
  };
  const cookieOf = (setCookies: string[], name: string) =>
    setCookies.map((c) => c.split(';')[0]!).find((c) => c.startsWith(`${name}=`))!;

  it('202s carry SID beside CID and QTKN; a client keeping all three and waiting ~300 ms is clean to the end', async () => {
    const first = await sb.call(testPolling);
    expect(first.status).toBe(202);
    expect(first.setCookies.map((c) => c.split('=')[0])).toEqual(['CID', 'QTKN', 'SID']);
    await sleep(POLL_GAP);
    const again = await sb.call({ raw: first.sent, cookie: first.cookieHeader });
    expect(again.status).toBe(202);
    // SID does not change for the duration of the polling cycle.
    expect(cookieOf(again.setCookies, 'SID')).toBe(cookieOf(first.setCookies, 'SID'));
    sb.sandbox.clock.advance(10_000);
    await sleep(POLL_GAP);
    expect((await sb.call({ raw: first.sent, cookie: first.cookieHeader })).status).toBe(200);
    expect(await rules(sb)).toEqual([]);
  });

  it('poll-too-soon: a poll right after the first send; not one ~300 ms later', async () => {
    const first = await sb.call(testPolling);
    await sb.call({ raw: first.sent, cookie: first.cookieHeader });
    const v = await violations(sb);
    expect(v.map((x) => [x.rule, x.cmd])).toEqual([['poll-too-soon', 'ats_ext_test_polling']]);

    sb.sandbox.reset();
    const other = await sb.call(testPolling);
    await sleep(POLL_GAP);
    await sb.call({ raw: other.sent, cookie: other.cookieHeader });
    expect(await rules(sb)).toEqual([]);
  });

  it('poll-missing-cookie: a poll that keeps only CID and QTKN, or only CID', async () => {
    const first = await sb.call(testPolling);
    await sleep(POLL_GAP);
    const onlyTwo = `${cookieOf(first.setCookies, 'CID')}; ${cookieOf(first.setCookies, 'QTKN')}`;
    await sb.call({ raw: first.sent, cookie: onlyTwo });
    await sleep(POLL_GAP);
    await sb.call({ raw: first.sent, cookie: cookieOf(first.setCookies, 'CID') });
    const v = await violations(sb);
    expect(v.map((x) => x.rule)).toEqual(['poll-missing-cookie', 'poll-missing-cookie']);
    expect(v[0]!.detail).toContain('SID');
    expect(v[1]!.detail).toContain('QTKN, SID');
  });

  it('poll-body-changed: the cookies of a queued command with its body re-serialized', async () => {
    const first = await sb.call(avail);
    expect(first.status).toBe(202);
    await sleep(POLL_GAP);
    const reordered = JSON.stringify({
      command1: JSON.parse(first.sent).command1,
      header: JSON.parse(first.sent).header,
    });
    await sb.call({ product: 'sth-inventory', raw: reordered, cookie: first.cookieHeader });
    expect((await violations(sb)).map((x) => [x.rule, x.cmd])).toEqual([
      ['poll-body-changed', 'get_avail_seats'],
    ]);
  });

  it('cookie-from-other-command: one jar for two commands', async () => {
    const a = await sb.call(testPolling);
    // B's first send carries A's cookies.
    const b = await sb.call({ ...avail, cookie: a.cookieHeader });
    expect(b.status).toBe(202);
    // B's 202 overwrote the shared jar: A's poll now carries B's cookies.
    await sleep(POLL_GAP);
    await sb.call({ raw: a.sent, cookie: b.cookieHeader });
    const v = await violations(sb);
    expect(v.map((x) => [x.rule, x.cmd])).toEqual([
      ['cookie-from-other-command', 'get_avail_seats'],
      ['cookie-from-other-command', 'ats_ext_test_polling'],
    ]);
  });

  it("cookie-from-other-command: a finished command's cookies on another command; its own body again is not", async () => {
    const a = await sb.call(testPolling);
    sb.sandbox.clock.advance(10_000);
    await sleep(POLL_GAP);
    expect((await sb.call({ raw: a.sent, cookie: a.cookieHeader })).status).toBe(200);
    // The same command sent afresh with its own dead cookies: a new command (a read), no violation.
    await sleep(POLL_GAP);
    expect((await sb.call({ raw: a.sent, cookie: a.cookieHeader })).status).toBe(202);
    expect(await rules(sb)).toEqual([]);
    // A ping carrying them is a jar kept across commands.
    await sb.call({ command1: { cmd: 'ping' }, cookie: a.cookieHeader });
    expect((await violations(sb)).map((x) => [x.rule, x.cmd])).toEqual([
      ['cookie-from-other-command', 'ping'],
    ]);
  });
});

describe('strict mode: Retry-After and writes', () => {
  const sb = useSandbox({
    strict: true,
    ratePerMinute: 1000,
    serviceTimeMs: { customer_add: 5_000 },
  });
  beforeEach(() => sb.sandbox.reset());

  it('retry-after-ignored: a POST 150 ms into a 3 s Retry-After; none after a 1 s one elapsed', async () => {
    // 3 s: the early POST stays inside the pause however long a loaded machine takes to send it.
    sb.sandbox.setFaults([{ kind: 'rateLimit', count: 1, retryAfterSeconds: 3 }]);
    expect((await sb.call({ command1: { cmd: 'ping' } })).status).toBe(429);
    await sleep(150);
    expect((await sb.call({ command1: { cmd: 'ping' } })).status).toBe(200);
    const v = await violations(sb);
    expect(v.map((x) => [x.rule, x.cmd])).toEqual([['retry-after-ignored', 'ping']]);
    expect(v[0]!.detail).toContain('Retry-After: 3');
    // A forced 429 is not the client's over-quota.
    expect((await stats(sb)).violationCounts).toEqual({ 'retry-after-ignored': 1 });

    sb.sandbox.reset();
    sb.sandbox.setFaults([{ kind: 'rateLimit', count: 1, retryAfterSeconds: 1 }]);
    expect((await sb.call({ command1: { cmd: 'ping' } })).status).toBe(429);
    await sleep(1_050);
    expect((await sb.call({ command1: { cmd: 'ping' } })).status).toBe(200);
    expect(await rules(sb)).toEqual([]);
  });

  const add = (email: string, ref?: string) => ({
    command1: {
      cmd: 'customer_add',
      ...(ref ? { ref } : {}),
      pin: '1234',
      customer: { name_first: 'Ada', name_last: 'Lovelace', email },
    },
  });

  it('write-resent: the same customer_add again as a new command (ref aside), after its result came or was lost', async () => {
    const first = await sb.call(add('ada@example.com', 'r1'));
    expect(first.status).toBe(202);
    // Resent without the cookies (as if the answer was lost), with another ref.
    await sb.call(add('ada@example.com', 'r2'));
    const v = await violations(sb);
    expect(v.map((x) => [x.rule, x.cmd])).toEqual([['write-resent', 'customer_add']]);
  });

  it('write-resent stays silent: different writes, a copy of one refused before it ran, polls, and the allowed exceptions', async () => {
    await sb.call(add('one@example.com'));
    await sb.call(add('two@example.com'));
    // Refused by 503 before anything ran: sending it again is the only way to get it done.
    sb.sandbox.setFaults([{ kind: 'unavailable', count: 1 }]);
    expect((await sb.call(add('three@example.com'))).status).toBe(503);
    const accepted = await sb.call(add('three@example.com'));
    expect(accepted.status).toBe(202);
    await sleep(POLL_GAP);
    expect((await sb.call({ raw: accepted.sent, cookie: accepted.cookieHeader })).status).toBe(202);
    // check_out is a read (it changes nothing); abort_shopping_cart twice changes nothing more.
    for (let i = 0; i < 2; i++) {
      await sb.call({
        product: 'sth-buy',
        command1: { cmd: 'check_out', acct_id: 100000, order_num: 1 },
      });
      await sb.call({
        product: 'sth-hold',
        command1: { cmd: 'abort_shopping_cart', order_num: 1 },
      });
    }
    expect(await rules(sb)).toEqual([]);
  });
});

describe('strict mode: the budget', () => {
  it('over-quota and over-rate: the fourth POST against 3 a minute; three are clean', async () => {
    const { startSandbox } = await import('../../src/sandbox/index.js');
    const sandbox = await startSandbox({ strict: true, ratePerMinute: 3 });
    try {
      const call = (c: SandboxCall) => callSandbox(sandbox, c);
      for (let i = 0; i < 3; i++)
        expect((await call({ command1: { cmd: 'ping' } })).status).toBe(200);
      expect(sandbox.stats().violations).toEqual([]);
      expect((await call({ command1: { cmd: 'ping' } })).status).toBe(429);
      expect(
        sandbox
          .stats()
          .violations!.map((v) => v.rule)
          .sort(),
      ).toEqual(['over-quota', 'over-rate']);
    } finally {
      await sandbox.close();
    }
  });

  it('over-rate counts real time: a sped-up sandbox (whose own minute is 60 ms) admits what a real minute would not', async () => {
    const { startSandbox } = await import('../../src/sandbox/index.js');
    const sandbox = await startSandbox({ strict: true, ratePerMinute: 3, timeScale: 0.001 });
    try {
      for (let i = 0; i < 5; i++) {
        expect((await callSandbox(sandbox, { command1: { cmd: 'ping' } })).status).toBe(200);
        await sleep(80);
      }
      expect(sandbox.stats().violationCounts).toEqual({ 'over-rate': 2 });
    } finally {
      await sandbox.close();
    }
  });
});
