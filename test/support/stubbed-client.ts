/**
 * A command client over a fresh Archtics stub per test, as the client's own tests use it: a stepping
 * clock (no wall-clock waits), a recording limiter and the client's upstream-call reports. The stub
 * is closed after each test of the file that calls `useStubbedClient`.
 */
import { afterEach } from 'vitest';
import { createArchticsClient, type UpstreamCallEvent } from '../../src/archtics/client.js';
import type { ArchticsConfig } from '../../src/config.js';
import {
  startArchticsStub,
  type ArchticsStub,
  type StubHandler,
  type StubReply,
} from './archtics-stub.js';
import { RecordingLimiter, SteppingClock, memoryLogger, testConfig } from './archtics-fixtures.js';

export interface StubbedClientOptions {
  /** The backoff's random source (default: the client's own). */
  random?: () => number;
  /** Log into `lines` (memoryLogger) instead of the client's silent default. */
  logged?: boolean;
}

/**
 * Registers the stub's cleanup and returns `setup(handler, overrides?, random?)`; `setup.adopt(stub)`
 * closes a stub a test started itself (for a client built its own way) in the same cleanup.
 */
export function useStubbedClient(defaults: StubbedClientOptions = {}) {
  let stub: ArchticsStub | undefined;
  afterEach(async () => {
    await stub?.close();
    stub = undefined;
  });
  const adopt = (started: ArchticsStub): ArchticsStub => (stub = started);
  return Object.assign(setup, { adopt });

  async function setup(
    handler: StubHandler,
    overrides: Partial<ArchticsConfig> = {},
    random: (() => number) | undefined = defaults.random,
  ) {
    const clock = new SteppingClock();
    stub = await startArchticsStub({ handler, clock });
    const limiter = new RecordingLimiter();
    const events: UpstreamCallEvent[] = [];
    const { logger, lines } = memoryLogger();
    const client = createArchticsClient({
      config: testConfig(stub.baseUrl, overrides),
      limiter,
      clock,
      onUpstreamCall: (e) => events.push(e),
      ...(random ? { random } : {}),
      ...(defaults.logged ? { logger } : {}),
    });
    return { clock, limiter, client, stub, events, lines };
  }
}

/** Replies in order, then the last one forever. */
export function sequence(
  ...replies: (StubReply | ((req: Parameters<StubHandler>[0]) => StubReply))[]
): StubHandler {
  return (req) => {
    const r = replies[Math.min(req.index, replies.length - 1)];
    return typeof r === 'function' ? r(req) : r;
  };
}
