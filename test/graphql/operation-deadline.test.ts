/**
 * One deadline per GraphQL operation (GRAPHQL_OPERATION_DEADLINE_MS, issue 13): the request context
 * gives every read of the operation — through the cached api and the fresh one alike — the
 * operation's deadline, or the read's own when that comes first; writes keep theirs.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  createArchticsApi,
  customerAdd,
  eventDetails,
  ping,
} from '../../src/archtics/commands/index.js';
import type { CommandDef, CommandRunner, RunOptions } from '../../src/archtics/types.js';
import { createGateway } from '../../src/app.js';
import { ManualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { createContext } from '../../src/context.js';
import { createMemoryStores } from '../../src/store/index.js';

function recordingRunner() {
  const calls: { command: string; deadline?: number }[] = [];
  const runner: CommandRunner = {
    async run<Req, Res>(def: CommandDef<Req, Res>, _req: Req, opts?: RunOptions): Promise<Res> {
      calls.push({
        command: def.name,
        ...(opts?.deadline !== undefined ? { deadline: opts.deadline } : {}),
      });
      return {} as Res;
    },
  };
  return { runner, calls };
}

function contextAt(
  clock: { t: number },
  deps: { operationDeadlineMs?: number; readDeadlineMs?: number },
) {
  const { runner, calls } = recordingRunner();
  const ctx = createContext(
    {
      runner,
      freshRunner: runner,
      createApi: createArchticsApi,
      quota: async () => ({ minuteRemaining: 80, dayRemaining: 5000, queueLength: 0 }),
      eventBatchSize: 50,
      logger: pino({ level: 'silent' }),
      now: () => clock.t,
      ...deps,
    },
    { requestId: 'r1', auth: { scopes: ['read'], authenticated: false } as never },
  );
  return { ctx, calls };
}

describe('the operation deadline', () => {
  it('is shared by every read of the operation, the later ones included; writes keep theirs', async () => {
    const clock = { t: 1_000_000 };
    const { ctx, calls } = contextAt(clock, {
      operationDeadlineMs: 30_000,
      readDeadlineMs: 30_000,
    });
    await ctx.api.ping();
    clock.t += 20_000; // a read started 20 s into the operation has 10 s left, not its own 30 s
    await ctx.freshApi.eventDetails({ names: ['E1'] });
    await ctx.api.customerAdd({} as never);
    expect(calls).toEqual([
      { command: ping.name, deadline: 1_030_000 },
      { command: eventDetails.name, deadline: 1_030_000 },
      { command: customerAdd.name },
    ]);
  });

  it("a read's own deadline wins when it comes first", async () => {
    const clock = { t: 1_000_000 };
    const { ctx, calls } = contextAt(clock, { operationDeadlineMs: 30_000, readDeadlineMs: 5_000 });
    await ctx.api.ping();
    expect(calls).toEqual([{ command: ping.name, deadline: 1_005_000 }]);
  });
});

describe('the operation deadline of a gateway given a clock', () => {
  // Bench suite 4 runs the client and limiter on a scaled clock (5 simulated s per real s): with the
  // deadline set on wall time, every read after the first few real seconds found its deadline
  // already past on the clock it is checked on, and failed UPSTREAM_TIMEOUT without being sent.
  it('is set on that clock, the one the runner and limiter check it on', async () => {
    const clock = new ManualClock(Date.now() + 3_600_000); // an hour ahead of wall time
    const { runner, calls } = recordingRunner();
    const config = loadConfig({
      ARCHTICS_BASE_URL: 'http://127.0.0.1:9',
      ARCHTICS_API_KEY: 'k',
      ARCHTICS_DSN: 'd',
      LOG_LEVEL: 'silent',
      GRAPHQL_OPERATION_DEADLINE_MS: '20000',
    });
    const gateway = await createGateway({
      config,
      logger: pino({ level: 'silent' }),
      runner,
      clock,
      cache: false,
      stores: createMemoryStores(),
    });
    try {
      await gateway.yoga.fetch('http://127.0.0.1/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ event(name: "E1") { name } }' }),
      });
    } finally {
      await gateway.close();
    }
    expect(calls).toEqual([{ command: eventDetails.name, deadline: clock.now() + 20_000 }]);
  });
});
