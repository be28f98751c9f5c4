/**
 * Fixtures for the command client's tests: a config, a clock whose sleeps are instant but
 * recorded (and move its now()), a limiter that records every acquire/pauseFor, tiny local
 * CommandDefs built from the protocol's COMMANDS table, and a pino logger writing to memory.
 */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { Clock } from '../../src/clock.js';
import type { ArchticsConfig } from '../../src/config.js';
import type { Command1Response } from '../../src/protocol/wire.js';
import { COMMANDS, type CommandName } from '../../src/sandbox/reference.js';
import { ArchticsCommandError } from '../../src/archtics/errors.js';
import type { CommandDef } from '../../src/archtics/types.js';
import type { AcquireOptions, Limiter } from '../../src/quota/types.js';

export const TEST_KEY = 'K3y-s3cr3t-9f8e7d6c';

export function testConfig(
  baseUrl: string,
  overrides: Partial<ArchticsConfig> = {},
): ArchticsConfig {
  return {
    baseUrl,
    apiKey: TEST_KEY,
    dsn: 'apigee',
    uid: 'gateway',
    siteName: 'vanilla',
    srcSysName: 'archtics-graphql',
    currency: 'USD',
    ratePerMinute: 80,
    ratePerDay: 5000,
    pollTimeoutMs: 600_000,
    pollInitialMs: 300,
    pollMaxIntervalMs: 3_000,
    windowMarginMs: 1_000,
    pollBackoff: 1.5,
    requestTimeoutMs: 5_000,
    readDeadlineMs: 30_000,
    queueMax: 100,
    ...overrides,
  };
}

/**
 * Sleeps resolve on the next macrotask and advance now() by their length: a ten-minute poll loop
 * runs in milliseconds, and `sleeps` records exactly what the code asked to wait.
 */
export class SteppingClock implements Clock {
  readonly sleeps: number[] = [];
  private t: number;
  constructor(start = Date.UTC(2026, 10, 29, 12, 0, 0)) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.sleeps.push(ms);
    this.t += Math.max(0, ms);
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        clearImmediate(timer);
        reject(signal!.reason);
      };
      const timer = setImmediate(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

export class RecordingLimiter implements Limiter {
  readonly acquires: AcquireOptions[] = [];
  readonly pauses: number[] = [];
  /** When set, acquire() rejects with this. */
  refuseWith?: Error;
  async acquire(opts: AcquireOptions): Promise<void> {
    this.acquires.push(opts);
    if (opts.signal?.aborted) throw opts.signal.reason;
    if (this.refuseWith) throw this.refuseWith;
  }
  pauseFor(ms: number): void {
    this.pauses.push(ms);
  }
  async snapshot() {
    return { minuteRemaining: 80, dayRemaining: 5000, queueLength: 0 };
  }
  async close() {}
}

/**
 * A minimal def for any command: fields are passed through; the answer is returned as-is, or a
 * command error when result != 0 (what the real parsers do first).
 */
export function localDef(name: CommandName): CommandDef<Record<string, unknown>, Command1Response> {
  const row = COMMANDS[name];
  return {
    name,
    product: row.product,
    kind: row.kind,
    toFields: (req) => ({ ...req }),
    parse(c1) {
      const result = Number(c1.result);
      if (result !== 0) {
        throw new ArchticsCommandError(
          String(c1.error_detail ?? c1.error_desc ?? 'failed'),
          result,
          Number(c1.sql_code ?? 0),
          String(c1.error_detail ?? ''),
          undefined,
          {
            command: name,
            kind: row.kind,
          },
        );
      }
      return c1;
    },
  };
}

export const ping = localDef('ping');
export const customerQuery = localDef('customer_query');
export const customerAdd = localDef('customer_add');
export const paymentRequest = localDef('payment_request');
export const pollingTest = localDef('ats_ext_test_polling');

/** A pino logger (debug level) writing JSON lines into `lines`. */
export function memoryLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

/** Settles a promise into a value or its error, for asserting on errors. */
export async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure, got a result');
}
