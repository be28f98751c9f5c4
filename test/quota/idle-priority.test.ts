/**
 * The fourth priority, 'idle' (refresh-ahead's budget): it never takes a slot a waiting caller could
 * use, never waits in line, leaves its headroom free, and never pushes the window past the limit.
 * A ManualClock: no timing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RateLimitedError } from '../../src/archtics/errors.js';
import { ManualClock } from '../../src/clock.js';
import { createLocalLimiter, type AcquireOptions, type Limiter } from '../../src/quota/index.js';

type State = 'waiting' | 'granted' | 'refused';

function fire(limiter: Limiter, opts: AcquireOptions, log?: string[], name?: string): { state: State; error?: unknown } {
  const entry: { state: State; error?: unknown } = { state: 'waiting' };
  limiter.acquire(opts).then(
    () => {
      entry.state = 'granted';
      if (name) log?.push(name);
    },
    (error: unknown) => {
      entry.state = 'refused';
      entry.error = error;
    },
  );
  return entry;
}

let limiter: Limiter | undefined;
afterEach(async () => {
  await limiter?.close();
  limiter = undefined;
});

function setup(ratePerMinute: number) {
  const clock = new ManualClock();
  limiter = createLocalLimiter({ ratePerMinute, ratePerDay: 1_000_000, queueMax: 100, clock });
  return { clock, limiter };
}

describe("budget gate: the 'idle' priority", () => {
  it('a queued read is always granted first: idle work is refused while a caller waits for the slot', async () => {
    const { clock, limiter } = setup(2);
    const order: string[] = [];
    // The window is spent: the read has to wait for the next slot.
    fire(limiter, { priority: 'read' }, order, 'r1');
    fire(limiter, { priority: 'read' }, order, 'r2');
    await clock.advance(0);
    const read = fire(limiter, { priority: 'read' }, order, 'waiting read');
    await clock.advance(30_000);
    expect(read.state).toBe('waiting');
    // Idle work asks while the read waits: refused at once, nothing taken.
    const idle = fire(limiter, { priority: 'idle' }, order, 'idle');
    await clock.advance(0);
    expect(idle.state).toBe('refused');
    expect(idle.error).toBeInstanceOf(RateLimitedError);
    // When the slot opens, it is the read's.
    await clock.advance(30_000);
    expect(order).toEqual(['r1', 'r2', 'waiting read']);
  });

  it('goes after every caller that asked in the same instant, and only into slots left over', async () => {
    const { clock, limiter } = setup(3);
    const order: string[] = [];
    const idle = fire(limiter, { priority: 'idle' }, order, 'idle');
    const reads = [1, 2, 3].map((i) => fire(limiter, { priority: 'read' }, order, `read${i}`));
    await clock.advance(0);
    expect(order).toEqual(['read1', 'read2', 'read3']);
    expect(reads.every((r) => r.state === 'granted')).toBe(true);
    expect(idle.state).toBe('refused');
  });

  it('never waits: with no slot free now it is refused at once, not queued for later', async () => {
    const { clock, limiter } = setup(1);
    fire(limiter, { priority: 'read' });
    await clock.advance(0);
    const idle = fire(limiter, { priority: 'idle' });
    await clock.advance(0);
    expect(idle.state).toBe('refused');
    expect((await limiter.snapshot()).queueLength).toBe(0);
  });

  it('leaves its headroom free for callers to come, and never passes the limit', async () => {
    const { clock, limiter } = setup(10);
    const idles = Array.from({ length: 10 }, () => fire(limiter, { priority: 'idle', headroom: 3 }));
    for (let i = 0; i < 10; i++) await clock.advance(0);
    // One at a time (each is alone in line when it is decided): 7 granted, 3 slots left.
    expect(idles.filter((i) => i.state === 'granted')).toHaveLength(7);
    expect((await limiter.snapshot()).minuteRemaining).toBe(3);
    // Callers still get the three.
    const reads = Array.from({ length: 3 }, () => fire(limiter, { priority: 'read' }));
    await clock.advance(0);
    expect(reads.every((r) => r.state === 'granted')).toBe(true);
    expect((await limiter.snapshot()).minuteRemaining).toBe(0);
    // And idle work gets nothing more in this window, with or without headroom.
    const late = fire(limiter, { priority: 'idle' });
    await clock.advance(0);
    expect(late.state).toBe('refused');
  });

  it('a full line refuses idle work first (it never displaces a caller)', async () => {
    const clock = new ManualClock();
    limiter = createLocalLimiter({ ratePerMinute: 1, ratePerDay: 1_000_000, queueMax: 1, clock });
    fire(limiter, { priority: 'read' });
    await clock.advance(0);
    const waitingRead = fire(limiter, { priority: 'read' });
    const idle = fire(limiter, { priority: 'idle' });
    await clock.advance(0);
    expect(idle.state).toBe('refused');
    expect(waitingRead.state).toBe('waiting');
  });
});
