/**
 * The poll-aware planner in QueuedLimiter, on a ManualClock: reservations of accepted commands,
 * first sends refused at once when their own expected polls cannot fit before their deadline,
 * polls never starved by later first sends, writes before reads, and polls per command learnt from
 * answers (pessimistic at first).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RateLimitedError } from '../../src/archtics/errors.js';
import { ManualClock } from '../../src/clock.js';
import {
  DEFAULT_POLL_LEARNING,
  createLocalLimiter,
  estimatePolls,
  type Claim,
  type Limiter,
} from '../../src/quota/index.js';

const MIN = 60_000;

type Outcome =
  { state: 'waiting' } | { state: 'granted'; at: number } | { state: 'rejected'; error: unknown };

function fire(
  limiter: Limiter,
  clock: ManualClock,
  opts: Parameters<Limiter['acquire']>[0],
): { outcome: Outcome } {
  const entry: { outcome: Outcome } = { outcome: { state: 'waiting' } };
  limiter.acquire(opts).then(
    () => (entry.outcome = { state: 'granted', at: clock.now() }),
    (error: unknown) => (entry.outcome = { state: 'rejected', error }),
  );
  return entry;
}

const settle = () => new Promise((r) => setTimeout(r, 0));

let limiter: Limiter | undefined;
afterEach(async () => {
  await limiter?.close();
  limiter = undefined;
});

function setup(ratePerMinute: number) {
  const clock = new ManualClock();
  limiter = createLocalLimiter({ ratePerMinute, ratePerDay: 1_000_000, queueMax: 10_000, clock });
  return { clock, limiter, t0: clock.now() };
}

/** Runs `n` whole commands that each answer 202 and then 200 on poll `polls` (teaches the planner). */
async function teach(
  limiter: Limiter,
  clock: ManualClock,
  command: 'customer_query',
  n: number,
  polls: number,
): Promise<void> {
  for (let i = 0; i < n; i++) {
    const claim = limiter.claim!(command);
    await limiter.acquire({ priority: 'read', command, claim, deadline: clock.now() + 30_000 });
    claim.answered(202);
    for (let p = 1; p <= polls; p++) {
      await limiter.acquire({ priority: 'poll', command, claim });
      claim.answered(p === polls ? 200 : 202);
    }
    claim.settle();
  }
  await settle();
}

describe('polls per command, learnt', () => {
  it('starts pessimistic (every command 202, 3 polls) and follows the answers after a few samples', () => {
    expect(estimatePolls([])).toMatchObject({
      acceptedShare: 1,
      pollsToResult: DEFAULT_POLL_LEARNING.priorPolls,
      expectedPolls: 3,
      samples: 0,
    });
    const direct = Array.from({ length: 8 }, () => ({ accepted: false, polls: 0 }));
    expect(estimatePolls(direct).expectedPolls).toBe(0);
    const twoPolls = Array.from({ length: 8 }, () => ({ accepted: true, polls: 2 }));
    expect(estimatePolls(twoPolls)).toMatchObject({
      acceptedShare: 1,
      pollsToResult: 2,
      expectedPolls: 2,
    });
    // Half direct, half two polls: one expected poll per first send.
    expect(estimatePolls([...direct.slice(0, 4), ...twoPolls.slice(0, 4)]).expectedPolls).toBe(1);
    // Two samples: the prior still weighs two.
    expect(estimatePolls(direct.slice(0, 2)).expectedPolls).toBeCloseTo((2 / 4) * 3);
  });
});

describe('poll-aware planner', () => {
  it('a first send is granted only with room for its expected polls before its deadline; the rest are refused at once with a retry time', async () => {
    const { clock, limiter, t0 } = setup(16);
    await teach(limiter, clock, 'customer_query', 4, 2); // 12 POSTs spent, 4 left; a read costs 3
    const deadline = t0 + 30_000;
    const claims: Claim[] = [];
    const entries = Array.from({ length: 3 }, () => {
      const claim = limiter.claim!('customer_query');
      claims.push(claim);
      return fire(limiter, clock, { priority: 'read', command: 'customer_query', claim, deadline });
    });
    await settle();
    expect(entries.map((e) => e.outcome.state)).toEqual(['granted', 'rejected', 'rejected']);
    const error = (entries[1].outcome as { error: unknown }).error;
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(await limiter.snapshot()).toMatchObject({ minuteRemaining: 3, reservedPolls: 2 });
  });

  it("counts the poller's waits: a free slot just before the deadline does not grant a first send whose polls cannot go before it (bench suite 4, always: 202 first)", async () => {
    // Reads that waited in line for a full window were granted a few hundred ms before their
    // deadline: every slot was free, but their two polls must wait 300 + 450 ms after the first
    // send — the command was started, and timed out upstream (UPSTREAM_TIMEOUT) instead of being refused.
    const { clock, limiter } = setup(80);
    await teach(limiter, clock, 'customer_query', 8, 2); // expected: 2 polls per read
    const pollWaitMs = (polls: number) => [0, 300, 750, 1425][polls]!;
    const late = fire(limiter, clock, {
      priority: 'read',
      command: 'customer_query',
      claim: limiter.claim!('customer_query'),
      deadline: clock.now() + 700,
      pollWaitMs,
    });
    const inTime = fire(limiter, clock, {
      priority: 'read',
      command: 'customer_query',
      claim: limiter.claim!('customer_query'),
      deadline: clock.now() + 800,
      pollWaitMs,
    });
    await settle();
    expect(late.outcome.state).toBe('rejected');
    expect((late.outcome as { error: unknown }).error).toBeInstanceOf(RateLimitedError);
    expect(inTime.outcome.state).toBe('granted');
  });

  it('a never-seen command is refused in a busy window rather than started without room for its polls', async () => {
    // At the start of bench suite 4 (always), commands never answered yet were granted without the
    // prior's polls once the window was busy; their polls then found no slot before the deadline.
    const { clock, limiter } = setup(20);
    const fill = Array.from({ length: 17 }, () => fire(limiter, clock, { priority: 'read' }));
    await settle();
    expect(fill.every((e) => e.outcome.state === 'granted')).toBe(true);
    // 3 slots left: 1 + the prior's 3 polls do not fit before the deadline; an idle window would hold them.
    const claim = limiter.claim!('event_price_info');
    const read = fire(limiter, clock, {
      priority: 'read',
      command: 'event_price_info',
      claim,
      deadline: clock.now() + 30_000,
    });
    await settle();
    expect(read.outcome.state).toBe('rejected');
    expect(await limiter.snapshot()).toMatchObject({ minuteRemaining: 3 });
  });

  it('polls of an accepted command are never starved by first sends granted after it (writes included)', async () => {
    const { clock, limiter } = setup(15);
    await teach(limiter, clock, 'customer_query', 4, 2); // 12 spent, 3 left
    const read = limiter.claim!('customer_query');
    await limiter.acquire({
      priority: 'read',
      command: 'customer_query',
      claim: read,
      deadline: clock.now() + 30_000,
    });
    read.answered(202); // 2 left, both reserved for its polls
    // A write (no deadline) and a claimless send must wait for the window, not take the reserved slots.
    const write = fire(limiter, clock, {
      priority: 'write',
      command: 'payment_request',
      claim: limiter.claim!('payment_request'),
    });
    const lone = fire(limiter, clock, { priority: 'read', command: 'ping' });
    await settle();
    expect(write.outcome.state).toBe('waiting');
    expect(lone.outcome.state).toBe('waiting');
    await clock.advance(300);
    await limiter.acquire({ priority: 'poll', command: 'customer_query', claim: read });
    read.answered(202);
    await clock.advance(450);
    await limiter.acquire({ priority: 'poll', command: 'customer_query', claim: read });
    read.answered(200);
    read.settle();
    await settle();
    expect(write.outcome.state).toBe('waiting');
    // The window frees a minute after the first sends: the write goes before the read.
    await clock.advance(MIN);
    await settle();
    expect(write.outcome.state).toBe('granted');
    expect(lone.outcome.state).toBe('granted');
  });

  it('writes keep their priority over reads in line', async () => {
    const { clock, limiter, t0 } = setup(2);
    const fill = [
      fire(limiter, clock, { priority: 'read' }),
      fire(limiter, clock, { priority: 'read' }),
    ];
    await settle();
    expect(fill.map((e) => e.outcome.state)).toEqual(['granted', 'granted']);
    const read = fire(limiter, clock, {
      priority: 'read',
      command: 'customer_query',
      claim: limiter.claim!('customer_query'),
      deadline: t0 + 10 * MIN,
    });
    const write = fire(limiter, clock, {
      priority: 'write',
      command: 'customer_add',
      claim: limiter.claim!('customer_add'),
    });
    await settle();
    expect([read.outcome.state, write.outcome.state]).toEqual(['waiting', 'waiting']);
    await clock.advance(MIN);
    await settle();
    expect(write.outcome).toEqual({ state: 'granted', at: t0 + MIN });
    expect(read.outcome.state).toBe('waiting');
  });

  it('a command that ends releases its reservation, whatever became of it', async () => {
    const { clock, limiter } = setup(20);
    const claim = limiter.claim!('customer_query');
    await limiter.acquire({
      priority: 'read',
      command: 'customer_query',
      claim,
      deadline: clock.now() + 30_000,
    });
    expect(await limiter.snapshot()).toMatchObject({ reservedPolls: 3 }); // the pessimistic prior
    claim.answered(202);
    await settle();
    expect(await limiter.snapshot()).toMatchObject({ reservedPolls: 3 });
    claim.settle(); // e.g. aborted while pending
    await settle();
    expect((await limiter.snapshot()).reservedPolls).toBeUndefined();
  });

  it('a never-seen command is not refused for prior polls that cannot fit (a small budget must still learn)', async () => {
    const { clock, limiter } = setup(2);
    const claims = [
      limiter.claim!('customer_query'),
      limiter.claim!('customer_query'),
      limiter.claim!('customer_query'),
    ];
    const entries = claims.map((claim) =>
      fire(limiter, clock, {
        priority: 'read',
        command: 'customer_query',
        claim,
        deadline: clock.now() + 1_000,
      }),
    );
    await settle();
    expect(entries.map((e) => e.outcome.state)).toEqual(['granted', 'granted', 'rejected']);
  });
});
