import { afterEach, describe, expect, it } from 'vitest';
import { createArchticsClient } from '../../src/archtics/client.js';
import { ALL_COMMAND_DEFS, customerAdd, ping } from '../../src/archtics/commands/index.js';
import { identify } from '../../src/archtics/envelope.js';
import { ArchticsCommandError } from '../../src/archtics/errors.js';
import { COMMANDS, type CommandName } from '../../src/sandbox/reference.js';
import {
  okAnswer,
  pollingProgram,
  startArchticsStub,
  type ArchticsStub,
} from '../support/archtics-stub.js';
import {
  RecordingLimiter,
  SteppingClock,
  failure,
  testConfig,
} from '../support/archtics-fixtures.js';

let stub: ArchticsStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

describe('the client with the real command defs', () => {
  // Two independent readings of reference §4: the client's definitions and the sandbox's table.
  it.each(ALL_COMMAND_DEFS.map((d) => [d.name, d] as const))(
    '%s routes to the product and kind the sandbox reads in the reference',
    (_name, def) => {
      const row = COMMANDS[def.name as CommandName];
      expect(row).toBeDefined();
      expect(identify(def)).toEqual({ command: def.name, ...row });
    },
  );

  it('ping returns the typed result', async () => {
    stub = await startArchticsStub({
      handler: (req) =>
        okAnswer(req, {
          system_available: 1,
          digit_available: 0,
          cpu_load: 3,
          db_connections: 4,
          active_requests: 1,
          db_name: 'ARCH',
        }),
    });
    const client = createArchticsClient({
      config: testConfig(stub.baseUrl),
      limiter: new RecordingLimiter(),
    });
    await expect(client.run(ping, undefined)).resolves.toEqual({
      systemAvailable: true,
      digitAvailable: false,
      cpuLoad: 3,
      dbConnections: 4,
      activeRequests: 1,
      dbName: 'ARCH',
    });
  });

  it("customer_add, polled, sends the def's fields and returns the typed result; 11408 is the def's command error", async () => {
    const clock = new SteppingClock();
    const program = pollingProgram({
      pending: 1,
      result: (req) => okAnswer(req, { acct_id: '100480', cust_name_id: 9 }),
    });
    stub = await startArchticsStub({ handler: program, clock });
    const client = createArchticsClient({
      config: testConfig(stub.baseUrl),
      limiter: new RecordingLimiter(),
      clock,
    });
    const out = await client.run(customerAdd, {
      pin: '1234',
      customer: { firstName: 'Ada', lastName: 'Byron', email: 'ada@example.com' },
    });
    expect(out).toEqual({ acctId: 100480, custNameId: 9 });
    expect(stub.requests[0].json?.command1).toMatchObject({
      cmd: 'customer_add',
      pin: '1234',
      customer: { name_first: 'Ada', name_last: 'Byron', email: 'ada@example.com' },
    });

    stub.handle((req) =>
      okAnswer(req, {
        result: 11408,
        sql_code: 0,
        error_detail: 'E-mail exists',
        acct_id: 100479,
        cust_name_id: 3,
      }),
    );
    const err = await failure(
      client.run(customerAdd, { customer: { firstName: 'A', lastName: 'B', email: 'x@y.z' } }),
    );
    expect(err).toBeInstanceOf(ArchticsCommandError);
    expect(err).toMatchObject({ result: 11408, extra: { acctId: 100479, custNameId: 3 } });
  });
});
