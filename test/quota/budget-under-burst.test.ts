/**
 * The headline: 300 reads fired at once at a stub limited to 20 per window. The stub (a
 * node:http server on 127.0.0.1) records every arrival on the same ManualClock the limiter uses
 * and enforces 20 per 60 s window itself, answering 429 over it. The reads go through the real
 * command client (createArchticsClient, CommandDef `ping`) and the in-process limiter.
 *
 * The manual clock only moves when no granted request is in flight, so a request arrives at the
 * stub at the clock time it was granted: the test checks the budget, not network jitter.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createArchticsClient, type ArchticsClient } from '../../src/archtics/client.js';
import { ping } from '../../src/archtics/commands/ping.js';
import { RateLimitedError } from '../../src/archtics/errors.js';
import { ManualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { createLocalLimiter, type Limiter } from '../../src/quota/index.js';

const MIN = 60_000;
const PER_WINDOW = 20;

interface LimitedStub {
  baseUrl: string;
  /** Clock time of every POST that arrived, answered or refused. */
  arrivals: number[];
  refused: number;
  close(): Promise<void>;
}

/** A stand-in for the service that allows `perWindow` calls in any window and answers 429 over it. */
async function startLimitedStub(
  clock: ManualClock,
  perWindow: number,
  windowMs: number,
): Promise<LimitedStub> {
  const accepted: number[] = [];
  const stub = { arrivals: [] as number[], refused: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const now = clock.now();
      stub.arrivals.push(now);
      const inWindow = accepted.filter((t) => t > now - windowMs).length;
      if (inWindow >= perWindow) {
        stub.refused++;
        const retryAfter = Math.ceil(
          (accepted[accepted.length - perWindow] + windowMs - now) / 1000,
        );
        res.writeHead(429, {
          'content-type': 'application/json',
          'retry-after': String(Math.max(1, retryAfter)),
        });
        res.end(
          JSON.stringify({
            fault: {
              faultstring: 'Rate limit quota violation',
              detail: { errorcode: 'QuotaMinute' },
            },
          }),
        );
        return;
      }
      accepted.push(now);
      const { header, command1 } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          command1: {
            cmd: command1.cmd,
            result: 0,
            sql_code: 0,
            system_available: 1,
            digit_available: 1,
            cpu_load: 5,
            db_connections: 3,
            active_requests: 1,
            db_name: 'STUB',
          },
          header: { ...header, ats_version: '4.23.3', result: 0 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(stub, {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** Most arrivals in any window [t, t + windowMs): windows starting at an arrival suffice. */
function maxInAnyWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (j < sorted.length && sorted[j] < sorted[i] + windowMs) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

/** Waits (real time, bounded) until `done()`: only to let sockets finish, never asserted on. */
async function until(done: () => boolean, maxTurns = 2_000): Promise<void> {
  for (let turn = 0; turn < maxTurns && !done(); turn++) await new Promise((r) => setTimeout(r, 5));
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(opts: { queueMax: number }) {
  const clock = new ManualClock();
  const stub = await startLimitedStub(clock, PER_WINDOW, MIN);
  const config = loadConfig({
    ARCHTICS_BASE_URL: stub.baseUrl,
    ARCHTICS_API_KEY: 'burst-test-key',
    ARCHTICS_DSN: 'apigee',
    ARCHTICS_REQUEST_TIMEOUT_MS: '5000',
  }).archtics;
  const inner = createLocalLimiter({
    ratePerMinute: PER_WINDOW,
    ratePerDay: config.ratePerDay,
    queueMax: opts.queueMax,
    clock,
  });
  // Counts grants, so the test knows when every granted POST has been answered.
  const counted = { granted: 0 };
  const limiter: Limiter = {
    acquire: async (o) => {
      await inner.acquire(o);
      counted.granted++;
    },
    pauseFor: (ms) => inner.pauseFor(ms),
    snapshot: () => inner.snapshot(),
    close: () => inner.close(),
  };
  const client: ArchticsClient = createArchticsClient({
    config,
    limiter,
    clock,
    retryPolicy: { maxAttempts: 1 },
  });
  cleanups.push(
    () => stub.close(),
    () => limiter.close(),
    () => client.close(),
  );
  return { clock, stub, limiter, client, counted };
}

describe('budget under burst', () => {
  it('fires 300 reads at a stub limited to 20 per window: the stub never sees more than 20 in any window, and the excess gets rate-limited errors, not hangs', async () => {
    const { clock, stub, limiter, client, counted } = await setup({ queueMax: 100 });
    const t0 = clock.now();
    const deadline = t0 + 2 * MIN; // room for the slots at t0, t0+60 s and t0+120 s: 60 reads
    const ok: number[] = [];
    const refusals: unknown[] = [];
    const runs = Array.from({ length: 300 }, () =>
      client.run(ping, undefined, { deadline }).then(
        () => ok.push(clock.now()),
        (e: unknown) => refusals.push(e),
      ),
    );

    // At t0, without moving the clock: 20 answered, and everyone who cannot be served by the
    // deadline (or found the line full) already refused.
    await until(() => ok.length === counted.granted && ok.length + refusals.length === 300 - 40);
    expect(clock.now()).toBe(t0);
    expect(ok).toHaveLength(20);
    expect(refusals).toHaveLength(240);
    for (const e of refusals) {
      expect(e).toBeInstanceOf(RateLimitedError);
      expect(e).toMatchObject({ source: 'budget', code: 'RATE_LIMITED' });
      expect((e as RateLimitedError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect((e as RateLimitedError).retryAfterSeconds).toBeLessThanOrEqual(180);
    }
    expect(await limiter.snapshot()).toMatchObject({ minuteRemaining: 0, queueLength: 40 });

    // The 40 in line go a window apart; the clock moves only when nothing granted is in flight.
    for (let step = 0; step < 5 && ok.length + refusals.length < 300; step++) {
      await clock.advance(MIN);
      await until(() => ok.length === counted.granted);
    }
    await Promise.all(runs);

    expect(ok).toHaveLength(60);
    expect(refusals).toHaveLength(240);
    expect(stub.arrivals).toHaveLength(60);
    expect(stub.refused).toBe(0);
    expect(maxInAnyWindow(stub.arrivals, MIN)).toBeLessThanOrEqual(PER_WINDOW);
    expect([...new Set(stub.arrivals)]).toEqual([t0, t0 + MIN, t0 + 2 * MIN]);
    expect(await limiter.snapshot()).toMatchObject({ queueLength: 0 });
    expect(clock.pending).toBe(0); // no timer left behind
  });

  it('the stub itself refuses the 21st call in a window, so an over-budget limiter would have been caught', async () => {
    const { stub } = await setup({ queueMax: 100 });
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      const res = await fetch(
        `${stub.baseUrl}/sth-customer/ticketing_services.aspx?dsn=apigee&apikey=x`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ header: {}, command1: { cmd: 'ping', uid: 'u', dsn: 'apigee' } }),
        },
      );
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(statuses[20]).toBe(429);
    expect(stub.refused).toBe(1);
  });
});
