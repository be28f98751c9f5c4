/**
 * One deadline per GraphQL operation (GRAPHQL_OPERATION_DEADLINE_MS, issue 13): the request context
 * gives every read of the operation — through the cached api and the fresh one alike — the
 * operation's deadline, or the read's own when that comes first; writes keep theirs.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createArchticsApi, customerAdd, eventDetails, ping } from '../../src/archtics/commands/index.js';
import type { CommandDef, CommandRunner, RunOptions } from '../../src/archtics/types.js';
import { createContext } from '../../src/context.js';

function recordingRunner() {
  const calls: { command: string; deadline?: number }[] = [];
  const runner: CommandRunner = {
    async run<Req, Res>(def: CommandDef<Req, Res>, _req: Req, opts?: RunOptions): Promise<Res> {
      calls.push({ command: def.name, ...(opts?.deadline !== undefined ? { deadline: opts.deadline } : {}) });
      return {} as Res;
    },
  };
  return { runner, calls };
}

function contextAt(clock: { t: number }, deps: { operationDeadlineMs?: number; readDeadlineMs?: number }) {
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
    const { ctx, calls } = contextAt(clock, { operationDeadlineMs: 30_000, readDeadlineMs: 30_000 });
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

  it('a read\'s own deadline wins when it comes first', async () => {
    const clock = { t: 1_000_000 };
    const { ctx, calls } = contextAt(clock, { operationDeadlineMs: 30_000, readDeadlineMs: 5_000 });
    await ctx.api.ping();
    expect(calls).toEqual([{ command: ping.name, deadline: 1_005_000 }]);
  });
});
