/**
 * A 429 that pauses the key while another command sits between its budget grant and its send
 * (still reading its cookie jar): that send must wait out the Retry-After, not go inside it.
 * Deterministic: the test holds the second command's jar read open, answers 429 to the first one,
 * then lets the read finish; the stub records every arrival on the same ManualClock as the budget,
 * so "inside the pause" is a comparison of recorded times, never of how fast the gateway was.
 */
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { CookieJar } from 'tough-cookie';
import {
  buildEnvelope,
  commandUrl,
  identify,
  serializeEnvelope,
} from '../../src/archtics/envelope.js';
import {
  createHttpPost,
  sendUnderBudget,
  type Exchange,
  type SendDeps,
} from '../../src/archtics/transport.js';
import type { CommandDef } from '../../src/archtics/types.js';
import type { ArchticsConfig } from '../../src/config.js';
import { ManualClock } from '../../src/clock.js';
import {
  DAY_MS,
  MemorySlotStore,
  QueuedLimiter,
  remaining,
  type Claim,
  type SlotStore,
  type WindowLimits,
} from '../../src/quota/index.js';
import { RedisSlotStore } from '../../src/quota/redis.js';
import { createRedis, deleteByPrefix, type Redis } from '../../src/redis.js';
import { TEST_REDIS_URL, describeRedis, redisAvailable, uniquePrefix } from '../cache/redis-env.js';
import { customerQuery, ping, pollingTest, testConfig } from '../support/archtics-fixtures.js';
import {
  fault,
  okAnswer,
  pollingProgram,
  startArchticsStub,
  type ArchticsStub,
  type StubHandler,
} from '../support/archtics-stub.js';

const LIMITS: WindowLimits = { perWindow: 80, windowMs: 60_000, perDay: 5_000, dayMs: DAY_MS };
const RETRY_AFTER_S = 1;

let stub: ArchticsStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

/** `ping` is refused 429 (Retry-After: 1); everything else goes to `rest`. */
function refusingPing(rest: StubHandler): StubHandler {
  return (req) =>
    req.json?.command1?.cmd === 'ping'
      ? fault(429, 'QuotaMinute', { retryAfterSeconds: RETRY_AFTER_S })
      : rest(req);
}

/**
 * A real jar whose `gatedRead`-th read (1-based) waits until the test opens the gate; `waiting`
 * resolves when that read has begun, i.e. when the command holds its slot and has not sent yet.
 */
function gatedJar(gatedRead: number) {
  const jar = new CookieJar();
  const read = jar.getCookieString.bind(jar) as (url: string) => Promise<string>;
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let reached!: () => void;
  const waiting = new Promise<void>((r) => (reached = r));
  let reads = 0;
  (jar as unknown as { getCookieString: (url: string) => Promise<string> }).getCookieString =
    async (url: string) => {
      if (++reads === gatedRead) {
        reached();
        await gate;
      }
      return read(url);
    };
  return { jar, open, waiting };
}

function exchangeFor(
  def: CommandDef<Record<string, unknown>, unknown>,
  config: ArchticsConfig,
  jar: CookieJar,
  claim?: Claim,
): Exchange {
  const id = identify(def);
  return {
    ...id,
    url: commandUrl(config, id.product),
    body: serializeEnvelope(buildEnvelope(config, def, {})),
    jar,
    stats: { attempts: 0, polls: 0, retries: 0, status: 'none' },
    ...(claim ? { claim } : {}),
    secrets: [config.apiKey],
  };
}

const send = { priority: 'read', timeoutMs: 5_000, poll: false } as const;
const poll = { priority: 'poll', timeoutMs: 5_000, poll: true } as const;

/**
 * Lets the real I/O after the gate opens play out until the held command either reached the stub
 * (the bug) or went back to wait in the budget's line (its wakeup armed on the clock).
 */
async function settleAfterGate(clock: ManualClock, requestsBefore: number): Promise<void> {
  await vi.waitFor(
    () => expect(stub!.requests.length > requestsBefore || clock.pending > 0).toBe(true),
    { timeout: 5_000, interval: 2 },
  );
}

function localBudget(clock: ManualClock) {
  const store = new MemorySlotStore(LIMITS, undefined, clock.now());
  const limiter = new QueuedLimiter({ store, limits: LIMITS, queueMax: 100, clock });
  return { store, limiter, deps: { limiter, http: createHttpPost(), clock } satisfies SendDeps };
}

it("a first send granted before another command's 429 but not yet sent waits out the Retry-After; its unsent slot is not counted", async () => {
  const clock = new ManualClock();
  const t0 = clock.now();
  const pauseEnd = t0 + RETRY_AFTER_S * 1000;
  stub = await startArchticsStub({ clock, handler: refusingPing((req) => okAnswer(req)) });
  const config = testConfig(stub.baseUrl);
  const { store, limiter, deps } = localBudget(clock);

  const b = gatedJar(1);
  const exB = exchangeFor(customerQuery, config, b.jar, limiter.claim('customer_query'));
  const sentB = sendUnderBudget(exB, deps, send);
  await b.waiting; // B holds its slot, reading its jar

  const a = await sendUnderBudget(
    exchangeFor(ping, config, new CookieJar(), limiter.claim('ping')),
    deps,
    send,
  );
  expect(a).toMatchObject({ type: 'response', status: 429 });
  b.open();
  await settleAfterGate(clock, 1);

  // Upstream side: nothing but the refused ping arrived before the pause ended.
  expect(stub.requests.filter((r) => r.at < pauseEnd).map((r) => r.json?.command1?.cmd)).toEqual([
    'ping',
  ]);
  // Budget side: the slot B gave back is no POST (80 - the ping).
  expect(remaining(store.read(clock.now()).sends, clock.now(), LIMITS).window).toBe(
    LIMITS.perWindow - 1,
  );

  await clock.advance(RETRY_AFTER_S * 1000);
  expect(await sentB).toMatchObject({ type: 'response', status: 200 });
  expect(stub.requests.map((r) => [r.json?.command1?.cmd, r.at])).toEqual([
    ['ping', t0],
    ['customer_query', pauseEnd],
  ]);
  expect(exB.stats).toMatchObject({ attempts: 1, polls: 0 });
  expect(remaining(store.read(clock.now()).sends, clock.now(), LIMITS).window).toBe(
    LIMITS.perWindow - 2,
  );
});

it("a poll held at the send point by another command's 429 goes after the pause: identical body, same cookies, its poll counted once", async () => {
  const clock = new ManualClock();
  const t0 = clock.now();
  const pauseEnd = t0 + RETRY_AFTER_S * 1000;
  const program = pollingProgram({ pending: 0 });
  stub = await startArchticsStub({ clock, handler: refusingPing(program) });
  const config = testConfig(stub.baseUrl);
  const { store, limiter, deps } = localBudget(clock);

  const b = gatedJar(2); // the first send reads the jar freely; the poll's read is held
  const exB = exchangeFor(pollingTest, config, b.jar, limiter.claim('ats_ext_test_polling'));
  expect(await sendUnderBudget(exB, deps, { ...send, priority: 'write' })).toMatchObject({
    type: 'response',
    status: 202,
  });
  await clock.advance(0); // the 202's reservation is stored
  const reservedAfter202 = store.read(clock.now()).reserved;
  expect(reservedAfter202).toBeGreaterThan(0);

  const polled = sendUnderBudget(exB, deps, poll);
  await b.waiting;
  const pingClaim = limiter.claim('ping');
  await sendUnderBudget(exchangeFor(ping, config, new CookieJar(), pingClaim), deps, send);
  pingClaim.settle(); // refused: the ping's command is over, its reservation goes
  b.open();
  await settleAfterGate(clock, 2);
  await clock.advance(0);

  expect(stub.requests.filter((r) => r.at < pauseEnd).map((r) => r.json?.command1?.cmd)).toEqual([
    'ats_ext_test_polling',
    'ping',
  ]);
  // The poll given back holds its reservation again, and is no POST.
  expect(store.read(clock.now()).reserved).toBe(reservedAfter202);
  expect(remaining(store.read(clock.now()).sends, clock.now(), LIMITS).window).toBe(
    LIMITS.perWindow - 2,
  );

  await clock.advance(RETRY_AFTER_S * 1000);
  expect(await polled).toMatchObject({ type: 'response', status: 200 });
  const [first, , again] = stub.requests;
  expect(again.at).toBe(pauseEnd);
  expect(again.rawBody).toBe(first.rawBody);
  expect(again.cookies).toEqual({ CID: 'cmd-7781', QTKN: 'q-19', SID: 'sess-42' });
  expect([program.newCommands, program.bodyMismatches]).toEqual([1, 0]);
  expect(exB.stats).toMatchObject({ attempts: 1, polls: 1 });
  // What the planner learnt: accepted, one poll — the poll granted twice is counted once.
  await clock.advance(0);
  expect(store.samples('ats_ext_test_polling')).toEqual([{ accepted: true, polls: 1 }]);
  expect(remaining(store.read(clock.now()).sends, clock.now(), LIMITS).window).toBe(
    LIMITS.perWindow - 3,
  );
});

describeRedis('replicas sharing the budget in Redis', () => {
  const prefix = uniquePrefix('retry-after-race');
  const clients: Redis[] = [];
  beforeAll(() => {
    if (redisAvailable) clients.push(createRedis(TEST_REDIS_URL), createRedis(TEST_REDIS_URL));
  });
  afterAll(async () => {
    if (clients[0]) await deleteByPrefix(clients[0], prefix).catch(() => undefined);
    for (const c of clients) await c.quit().catch(() => undefined);
  });

  it('a 429 seen by one replica holds the send another replica was granted but had not sent yet', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    const pauseEnd = t0 + RETRY_AFTER_S * 1000;
    stub = await startArchticsStub({ clock, handler: refusingPing((req) => okAnswer(req)) });
    const config = testConfig(stub.baseUrl);
    const replica = (redis: Redis) => {
      const store: SlotStore = new RedisSlotStore({
        redis,
        limits: LIMITS,
        apiKey: config.apiKey,
        dsn: config.dsn,
        prefix,
      });
      const limiter = new QueuedLimiter({ store, limits: LIMITS, queueMax: 100, clock });
      return {
        store,
        limiter,
        deps: { limiter, http: createHttpPost(), clock } satisfies SendDeps,
      };
    };
    const one = replica(clients[0]);
    const two = replica(clients[1]);

    const b = gatedJar(1);
    const sentB = sendUnderBudget(
      exchangeFor(customerQuery, config, b.jar, one.limiter.claim('customer_query')),
      one.deps,
      send,
    );
    await b.waiting;
    const a = await sendUnderBudget(
      exchangeFor(ping, config, new CookieJar(), two.limiter.claim('ping')),
      two.deps,
      send,
    );
    expect(a).toMatchObject({ type: 'response', status: 429 });
    await vi.waitFor(
      async () => expect((await one.store.read(clock.now())).pausedUntil).toBe(pauseEnd),
      { timeout: 5_000, interval: 2 },
    );
    b.open();
    await settleAfterGate(clock, 1);

    expect(stub.requests.filter((r) => r.at < pauseEnd).map((r) => r.json?.command1?.cmd)).toEqual([
      'ping',
    ]);
    expect((await one.store.read(clock.now())).sends).toHaveLength(1);

    await clock.advance(RETRY_AFTER_S * 1000);
    expect(await sentB).toMatchObject({ type: 'response', status: 200 });
    expect(stub.requests.map((r) => [r.json?.command1?.cmd, r.at])).toEqual([
      ['ping', t0],
      ['customer_query', pauseEnd],
    ]);
    expect((await one.store.read(clock.now())).sends).toHaveLength(2);
    await one.limiter.close();
    await two.limiter.close();
  });
});
