/** Transport rules (reference §1) and the envelope (§2), over real HTTP against a fake world. */
import { describe, expect, it } from 'vitest';
import { TEST_HEADER, useSandbox, type SandboxReply } from '../support/sandbox.js';
import { createFakeWorld } from './fake-world.js';

const KEY = 'transport-secret-key';
const sb = useSandbox({
  world: createFakeWorld,
  apiKey: KEY,
  keys: [
    { key: KEY, dsns: ['apigee'] },
    { key: 'second-key', dsns: ['second'] },
    { key: 'customer-only-key', dsns: '*', products: ['sth-customer'] },
  ],
  ratePerMinute: 1000,
});

function expectFault(r: SandboxReply, status: number, code: string) {
  expect(r.status).toBe(status);
  expect(r.json).toEqual({
    fault: { faultstring: expect.any(String), detail: { errorcode: code } },
  });
  expect(r.text).not.toContain(KEY);
}

describe('sandbox transport checks', () => {
  it('401 InvalidApiKey for an unknown or missing key', async () => {
    expectFault(await sb.call({ apiKey: 'nope' }), 401, 'InvalidApiKey');
    expectFault(await sb.call({ apiKey: '' }), 401, 'InvalidApiKey');
  });

  it('404 UnknownDsn for a DSN that does not exist, 401 DsnNotAllowed for one the key may not use', async () => {
    expectFault(await sb.call({ dsn: 'nowhere' }), 404, 'UnknownDsn');
    expectFault(await sb.call({ dsn: 'second' }), 401, 'DsnNotAllowed');
    // The URL's DSN is case-insensitive too.
    expect((await sb.call({ dsn: 'APIGEE' })).status).toBe(200);
  });

  it('401 DsnMismatch when command1.dsn differs from the URL, case-insensitively equal is fine', async () => {
    expectFault(await sb.call({ command1: { cmd: 'ping', dsn: 'second' } }), 401, 'DsnMismatch');
    expectFault(await sb.call({ command1: { cmd: 'ping', dsn: null } }), 401, 'DsnMismatch');
    const ok = await sb.call({ command1: { cmd: 'ping', dsn: 'APIGEE' } });
    expect(ok.status).toBe(200);
    expect(ok.json.command1.result).toBe(0);
  });

  it('404 UnknownProduct for an unknown product or resource path', async () => {
    expectFault(await sb.call({ product: 'sth-everything' }), 404, 'UnknownProduct');
    const res = await fetch(`${sb.sandbox.url}/sth-customer/other.aspx?dsn=apigee&apikey=${KEY}`, {
      method: 'POST',
      body: '{}',
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      fault: { faultstring: expect.any(String), detail: { errorcode: 'UnknownProduct' } },
    });
  });

  it('401 ProductNotAllowed for a command outside the product; nested products contain smaller ones', async () => {
    expectFault(
      await sb.call({ product: 'sth-customer', command1: { cmd: 'payment_request' } }),
      401,
      'ProductNotAllowed',
    );
    expectFault(
      await sb.call({ product: 'sth-inventory', command1: { cmd: 'seats_hold' } }),
      401,
      'ProductNotAllowed',
    );
    for (const product of ['sth-customer', 'sth-inventory', 'sth-hold', 'sth-buy']) {
      expect((await sb.call({ product, command1: { cmd: 'ping' } })).status).toBe(200);
    }
    expect(
      (
        await sb.call({
          product: 'sth-buy',
          command1: {
            cmd: 'seats_hold_specific',
            section_name: 'A',
            row_name: '1',
            seat_num: 1,
            num_seats: 1,
          },
        })
      ).status,
    ).toBe(200);
  });

  it('401 ProductNotAllowed for a key limited to other products', async () => {
    expectFault(
      await sb.call({ apiKey: 'customer-only-key', product: 'sth-hold' }),
      401,
      'ProductNotAllowed',
    );
    expect((await sb.call({ apiKey: 'customer-only-key', product: 'sth-customer' })).status).toBe(
      200,
    );
  });

  it('refuses in the documented order: key, DSN, DSN match, then product', async () => {
    // Bad key and bad DSN: the key is checked first.
    expectFault(await sb.call({ apiKey: 'nope', dsn: 'nowhere' }), 401, 'InvalidApiKey');
    // Unknown DSN beats a mismatching body.
    expectFault(
      await sb.call({ dsn: 'nowhere', command1: { cmd: 'ping', dsn: 'other' } }),
      404,
      'UnknownDsn',
    );
    // Mismatch beats a command outside the product.
    expectFault(
      await sb.call({ command1: { cmd: 'payment_request', dsn: 'other' } }),
      401,
      'DsnMismatch',
    );
  });

  it('header.result 1 for malformed JSON or a missing command1, 2 for an unknown cmd, 3 for a missing uid', async () => {
    for (const raw of [
      '{not json',
      '[]',
      JSON.stringify({ header: TEST_HEADER }),
      JSON.stringify({ header: TEST_HEADER, command1: 'ping' }),
    ]) {
      const r = await sb.call({ raw });
      expect(r.status).toBe(200);
      expect(r.json.header.result).toBe(1);
      expect(r.json.command1).toBeUndefined();
    }
    // A readable header is still echoed.
    expect(
      (await sb.call({ raw: JSON.stringify({ header: TEST_HEADER }) })).json.header,
    ).toMatchObject({ ...TEST_HEADER, result: 1 });
    const unknown = await sb.call({ command1: { cmd: 'make_coffee' } });
    expect(unknown.status).toBe(200);
    expect(unknown.json.header).toMatchObject({ ...TEST_HEADER, ats_version: '4.23.3', result: 2 });
    const noCmd = await sb.call({ command1: { uid: 'user99' } });
    expect(noCmd.json.header.result).toBe(2);
    const noUid = await sb.call({ command1: { cmd: 'ping', uid: null } });
    expect(noUid.status).toBe(200);
    expect(noUid.json.header.result).toBe(3);
    const emptyUid = await sb.call({ command1: { cmd: 'ping', uid: '' } });
    expect(emptyUid.json.header.result).toBe(3);
  });

  it('answers case-insensitive commands, echoing the caller casing, the ref and the header', async () => {
    const r = await sb.call({
      command1: {
        cmd: 'Customer_Add',
        ref: 'ref-42',
        pin: '1234',
        customer: { name_first: 'A', name_last: 'B', email: 'a@b.c' },
      },
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/application\/json/);
    expect(r.json).toEqual({
      command1: {
        cmd: 'Customer_Add',
        ref: 'ref-42',
        result: 0,
        sql_code: 0,
        acct_id: expect.any(Number),
        cust_name_id: 1,
      },
      header: { ...TEST_HEADER, ats_version: '4.23.3', result: 0 },
    });
    const upper = await sb.call({ command1: { cmd: 'PING' } });
    expect(upper.json.command1.cmd).toBe('PING');
    expect(upper.json.command1).not.toHaveProperty('ref');
    expect(sb.sandbox.stats().executions.customer_add).toBeGreaterThanOrEqual(1);
    expect(Object.keys(sb.sandbox.stats().commands)).not.toContain('Customer_Add');
  });

  it('passes business failures through as 200 with result, sql_code and error_desc', async () => {
    const r = await sb.call({ command1: { cmd: 'seats_sold', acct_id: 1 } });
    expect(r.status).toBe(200);
    expect(r.json.command1).toEqual({
      cmd: 'seats_sold',
      result: 5069,
      sql_code: 100,
      error_desc: 'No blocks found',
    });
  });

  it('never puts the key in a body, admin answers included', async () => {
    const replies = [
      await sb.call({}),
      await sb.call({ command1: { cmd: 'nope' } }),
      await sb.call({ raw: 'x' }),
    ];
    for (const r of replies) expect(r.text).not.toContain(KEY);
    for (const path of ['info', 'stats', 'faults', 'clock']) {
      const text = await (await fetch(`${sb.sandbox.url}/__sandbox/${path}`)).text();
      expect(text).not.toContain(KEY);
    }
  });

  it('answers 405 to other methods on the service path', async () => {
    const res = await fetch(
      `${sb.sandbox.url}/sth-customer/ticketing_services.aspx?dsn=apigee&apikey=${KEY}`,
    );
    expect(res.status).toBe(405);
  });
});
