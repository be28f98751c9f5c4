import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createArchticsClient, unlimitedLimiter } from '../../src/archtics/client.js';
import { buildEnvelope, commandUrl, identify } from '../../src/archtics/envelope.js';
import { COMMAND_NAMES, COMMANDS } from '../../src/sandbox/reference.js';
import { newTrace } from '../../src/archtics/types.js';
import { okAnswer, startArchticsStub, type ArchticsStub } from '../support/archtics-stub.js';
import {
  TEST_KEY,
  customerQuery,
  localDef,
  ping,
  testConfig,
} from '../support/archtics-fixtures.js';

let stub: ArchticsStub;
beforeEach(async () => {
  stub = await startArchticsStub();
});
afterEach(async () => {
  await stub.close();
});

describe('the request on the wire', () => {
  it('POSTs JSON to {base}/{product}/ticketing_services.aspx with dsn and apikey in the query', async () => {
    const client = createArchticsClient({
      config: testConfig(stub.baseUrl),
      limiter: unlimitedLimiter,
    });
    await client.run(customerQuery, { site_name: 'vanilla', acct_id: 100479, call_reason: 'S' });
    expect(stub.requests).toHaveLength(1);
    const [r] = stub.requests;
    expect(r.method).toBe('POST');
    expect(r.path).toBe('/sth-customer/ticketing_services.aspx');
    expect(r.query).toEqual({ dsn: 'apigee', apikey: TEST_KEY });
    expect(r.headers['content-type']).toMatch(/^application\/json/);
  });

  it('sends the header fields and command1 with cmd, uid, dsn (same as the URL) and the command fields', async () => {
    const client = createArchticsClient({
      config: testConfig(stub.baseUrl, { srcSysName: 'my-gw', uid: 'apiuser' }),
      limiter: unlimitedLimiter,
    });
    await client.run(customerQuery, { site_name: 'vanilla', acct_id: 100479, call_reason: 'S' });
    const body = JSON.parse(stub.requests[0].rawBody);
    expect(body.header).toEqual({
      ver: 1,
      src_sys_type: 2,
      src_sys_name: 'my-gw',
      archtics_version: 'V999',
    });
    expect(body.command1).toEqual({
      cmd: 'customer_query',
      uid: 'apiuser',
      dsn: 'apigee',
      site_name: 'vanilla',
      acct_id: 100479,
      call_reason: 'S',
    });
    expect(body.command1.dsn).toBe(stub.requests[0].query.dsn);
    expect(Object.keys(body)).toEqual(['header', 'command1']);
  });

  it('sends ref only when given, and the service echoes it', async () => {
    const client = createArchticsClient({
      config: testConfig(stub.baseUrl),
      limiter: unlimitedLimiter,
    });
    const withRef = await client.run(ping, {}, { ref: 'req-17' });
    await client.run(ping, {});
    expect(stub.requests[0].json?.command1?.ref).toBe('req-17');
    expect(withRef.ref).toBe('req-17');
    expect(stub.requests[1].json?.command1 && 'ref' in stub.requests[1].json.command1).toBe(false);
  });

  it('lets no command field override cmd, uid or dsn', () => {
    const def = {
      ...localDef('ping'),
      toFields: () => ({ cmd: 'evil', uid: 'x', dsn: 'other', extra: 1 }),
    };
    const env = buildEnvelope(testConfig('http://h'), def, {});
    expect(env.command1).toEqual({ cmd: 'ping', uid: 'gateway', dsn: 'apigee', extra: 1 });
  });

  it('URL-encodes the query values', () => {
    const url = commandUrl({ baseUrl: 'http://h:1/', dsn: 'my dsn', apiKey: 'a&b=c' }, 'sth-buy');
    expect(url).toBe('http://h:1/sth-buy/ticketing_services.aspx?dsn=my+dsn&apikey=a%26b%3Dc');
  });

  it('counts one call in the trace for one plain 200', async () => {
    const client = createArchticsClient({
      config: testConfig(stub.baseUrl),
      limiter: unlimitedLimiter,
    });
    const trace = newTrace();
    await client.run(ping, {}, { trace });
    expect(trace).toMatchObject({ calls: 1, polls: 0, retries: 0 });
  });
});

describe('product routing', () => {
  it.each(COMMAND_NAMES)('sends %s to the smallest product that contains it', async (name) => {
    const client = createArchticsClient({
      config: testConfig(stub.baseUrl),
      limiter: unlimitedLimiter,
    });
    await client.run(localDef(name), {});
    expect(stub.requests.map((r) => r.path)).toEqual([
      `/${COMMANDS[name].product}/ticketing_services.aspx`,
    ]);
    expect(stub.requests[0].json?.command1?.cmd).toBe(name);
  });

  // The definition is the one home of a command's product and kind on this side of the wire; that
  // every real definition agrees with the reference is test/archtics/real-defs.test.ts's job.
  it('routes by the definition: its product and kind, nothing else', () => {
    expect(identify({ name: 'payment_request', product: 'sth-buy', kind: 'write' })).toEqual({
      command: 'payment_request',
      product: 'sth-buy',
      kind: 'write',
    });
    expect(identify({ name: 'ping', product: 'sth-customer', kind: 'read' })).toEqual({
      command: 'ping',
      product: 'sth-customer',
      kind: 'read',
    });
  });

  it('returns the parsed command1 of a 200', async () => {
    stub.handle((req) => okAnswer(req, { system_available: 1, db_name: 'ARCH' }));
    const client = createArchticsClient({
      config: testConfig(stub.baseUrl),
      limiter: unlimitedLimiter,
    });
    const out = await client.run(ping, {});
    expect(out).toMatchObject({ cmd: 'ping', result: 0, system_available: 1, db_name: 'ARCH' });
  });
});

describe('configuration', () => {
  it('refuses to start without a base URL', () => {
    expect(() =>
      createArchticsClient({ config: testConfig(''), limiter: unlimitedLimiter }),
    ).toThrow(/baseUrl/);
  });
});
