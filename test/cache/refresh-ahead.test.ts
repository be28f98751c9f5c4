/**
 * Refresh-ahead decisions (src/cache/refresh-ahead.ts): which keys are due, in what order, and
 * when a round stops. No timing: a ManualClock and rounds driven by hand.
 */
import { describe, expect, it } from 'vitest';
import {
  HotKeys,
  MemoryRefreshLedger,
  Refresher,
  type HotKey,
  type RefreshBudget,
  type RefreshOutcome,
} from '../../src/cache/refresh-ahead.js';
import { ManualClock } from '../../src/clock.js';

const MIN = 60_000;
const life = (expiresAt: number, ttlMs = 10 * MIN) => ({ expiresAt, ttlMs });

describe('HotKeys', () => {
  it('is due only in the last aheadFraction of its TTL (or once expired)', () => {
    const hot = new HotKeys<string>({ aheadFraction: 0.25, decayMs: 30 * MIN, minScore: 0.1 });
    const t0 = 1_000_000;
    hot.read('a', 'job-a', t0, life(t0 + 10 * MIN));
    expect(hot.due(t0).map((k) => k.key)).toEqual([]);
    expect(hot.due(t0 + 7 * MIN).map((k) => k.key)).toEqual([]); // 3 min left of 10: not yet
    expect(hot.due(t0 + 7.5 * MIN).map((k) => k.key)).toEqual(['a']); // 2.5 min left: due
    expect(hot.due(t0 + 12 * MIN).map((k) => k.key)).toEqual(['a']); // expired, still read recently
  });

  it('refreshes only keys read within the decay window, and forgets the others', () => {
    const hot = new HotKeys<string>({ aheadFraction: 1, decayMs: 5 * MIN, minScore: 0.01 });
    const t0 = 1_000_000;
    hot.read('old', 'j', t0, life(t0 + 60 * MIN, 60 * MIN));
    hot.read('recent', 'j', t0 + 4 * MIN, life(t0 + 60 * MIN, 60 * MIN));
    // At t0 + 5 min both were read within 5 min.
    expect(
      hot
        .due(t0 + 5 * MIN)
        .map((k) => k.key)
        .sort(),
    ).toEqual(['old', 'recent']);
    // A hair later "old" is out of the window: not due, and forgotten.
    expect(hot.due(t0 + 5 * MIN + 1).map((k) => k.key)).toEqual(['recent']);
    expect(hot.size).toBe(1);
    expect(hot.score('old', t0 + 5 * MIN + 1)).toBe(0);
    // Reading "old" again brings it back with a fresh score.
    hot.read('old', 'j', t0 + 6 * MIN, life(t0 + 60 * MIN, 60 * MIN));
    expect(
      hot
        .due(t0 + 6 * MIN)
        .map((k) => k.key)
        .sort(),
    ).toEqual(['old', 'recent']);
  });

  it('orders by decayed hotness: many old reads lose to fewer recent ones', () => {
    const hot = new HotKeys<string>({
      aheadFraction: 1,
      decayMs: 20 * MIN,
      halfLifeMs: MIN,
      minScore: 0.1,
    });
    const t0 = 1_000_000;
    for (let i = 0; i < 8; i++) hot.read('was-hot', 'j', t0, life(t0 + 60 * MIN, 60 * MIN));
    hot.read('now-hot', 'j', t0 + 5 * MIN, life(t0 + 60 * MIN, 60 * MIN));
    hot.read('now-hot', 'j', t0 + 5 * MIN, life(t0 + 60 * MIN, 60 * MIN));
    // 8 reads 5 half-lives ago = 0.25; 2 reads now = 2.
    expect(hot.score('was-hot', t0 + 5 * MIN)).toBeCloseTo(0.25, 5);
    expect(hot.score('now-hot', t0 + 5 * MIN)).toBeCloseTo(2, 5);
    expect(hot.due(t0 + 5 * MIN).map((k) => k.key)).toEqual(['now-hot', 'was-hot']);
  });

  it('needs minScore: one read long ago is not worth a refresh', () => {
    const hot = new HotKeys<string>({
      aheadFraction: 1,
      decayMs: 10 * MIN,
      halfLifeMs: 2 * MIN,
      minScore: 1.5,
    });
    const t0 = 1_000_000;
    hot.read('once', 'j', t0, life(t0 + MIN, MIN));
    hot.read('twice', 'j', t0, life(t0 + MIN, MIN));
    hot.read('twice', 'j', t0, life(t0 + MIN, MIN));
    expect(hot.due(t0).map((k) => k.key)).toEqual(['twice']);
    // Two half-lives later "twice" has decayed to 0.5: below minScore.
    expect(hot.due(t0 + 4 * MIN).map((k) => k.key)).toEqual([]);
  });

  it('across TTLs, the most reads expected in the span a refresh adds go first: a hot two-minute entry before an as-hot fifteen-second one', () => {
    const hot = new HotKeys<string>({
      aheadFraction: 1,
      decayMs: 4 * MIN,
      halfLifeMs: MIN,
      minScore: 0.1,
    });
    const t0 = 1_000_000;
    for (let i = 0; i < 2; i++) {
      hot.read('avail', 'j', t0, life(t0 + 15_000, 15_000));
      hot.read('account', 'j', t0, life(t0 + 2 * MIN, 2 * MIN));
    }
    // The same score; read at 2 × ln 2 per minute, a refresh at expiry adds 15 s vs 2 min of life.
    expect(hot.score('avail', t0)).toBeCloseTo(hot.score('account', t0), 9);
    expect(hot.expectedReads('avail', t0 + 15_000)).toBeCloseTo(
      2 * Math.LN2 * 2 ** -0.25 * 0.25,
      6,
    );
    expect(hot.expectedReads('account', t0 + 15_000)).toBeCloseTo(
      2 * Math.LN2 * 2 ** -0.25 * (2 - 1.75),
      6,
    );
    expect(hot.expectedReads('account', t0 + 2 * MIN)).toBeCloseTo(2 * Math.LN2 * 2 ** -2 * 2, 6);
    expect(hot.due(t0 + 2 * MIN).map((k) => k.key)).toEqual(['account', 'avail']);
    expect(hot.expectedReads('nobody', t0)).toBe(0);
  });

  it('needs minExpectedReads: a key whose refresh would likely go unread is left to its readers', () => {
    const hot = new HotKeys<string>({
      aheadFraction: 1,
      decayMs: 4 * MIN,
      halfLifeMs: MIN,
      minScore: 0.1,
      minExpectedReads: 0.6,
    });
    const t0 = 1_000_000;
    for (let i = 0; i < 2; i++) {
      hot.read('avail', 'j', t0, life(t0 + 15_000, 15_000));
      hot.read('account', 'j', t0, life(t0 + 2 * MIN, 2 * MIN));
    }
    // Each at its expiry: about 0.3 reads expected in the next 15 s; about 0.7 in the next 2 min
    // (the account's two reads are older by then).
    expect(hot.due(t0 + 15_000).map((k) => k.key)).toEqual([]);
    expect(hot.due(t0 + 2 * MIN).map((k) => k.key)).toEqual(['account']);
    // A reader every few seconds makes the short-lived key worth it too.
    for (let i = 0; i < 8; i++) hot.read('avail', 'j', t0 + 2 * MIN);
    expect(hot.due(t0 + 2 * MIN).map((k) => k.key)).toEqual(['avail', 'account']);
    expect(() => new HotKeys({ minExpectedReads: -1 })).toThrow(RangeError);
  });

  it('is bounded: the least recently read key goes first', () => {
    const hot = new HotKeys<string>({ maxKeys: 2, aheadFraction: 1, minScore: 0.1 });
    hot.read('a', 'j', 1, life(100, 100));
    hot.read('b', 'j', 2, life(100, 100));
    hot.read('a', 'j', 3, life(100, 100));
    hot.read('c', 'j', 4, life(100, 100));
    expect(hot.size).toBe(2);
    expect(hot.score('b', 4)).toBe(0);
    expect(hot.score('a', 4)).toBeGreaterThan(0);
  });

  it('a key without a stored entry (or an invalidated one) is not due; stored() makes it due', () => {
    const hot = new HotKeys<string>({ aheadFraction: 1, minScore: 0.1 });
    hot.read('miss', 'j', 10); // read on a miss: no life yet
    expect(hot.due(10)).toEqual([]);
    hot.stored('miss', 20, 100);
    expect(hot.due(10).map((k) => k.key)).toEqual(['miss']);
    hot.dropped('miss');
    expect(hot.due(10)).toEqual([]);
  });
});

describe('MemoryRefreshLedger', () => {
  it('counts POSTs in a sliding window and refuses past the cap', () => {
    const ledger = new MemoryRefreshLedger(3, MIN);
    expect([ledger.tryTake(0), ledger.tryTake(1), ledger.tryTake(2), ledger.tryTake(3)]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(ledger.spent(3)).toBe(3);
    expect(ledger.tryTake(MIN)).toBe(true); // the first one left the window
    ledger.add(MIN, 2); // polls: counted, never refused
    expect(ledger.spent(MIN)).toBe(5);
    expect(ledger.tryTake(MIN + 2)).toBe(false);
  });
});

describe('Refresher', () => {
  function setup(opts: {
    cap: number;
    keys: number;
    answer?: (k: HotKey<string>, budget: RefreshBudget) => Promise<RefreshOutcome>;
  }) {
    const clock = new ManualClock();
    const hot = new HotKeys<string>({ aheadFraction: 0.5, minScore: 0.1 });
    const now = clock.now();
    for (let i = 0; i < opts.keys; i++)
      for (let r = 0; r <= opts.keys - i; r++)
        hot.read(`k${i}`, `job${i}`, now, life(now + MIN / 4, MIN));
    const ledger = new MemoryRefreshLedger(opts.cap, MIN);
    const upstream: string[] = [];
    const refresher = new Refresher<string>({
      clock,
      hot,
      ledger,
      refresh:
        opts.answer ??
        (async (k, budget) => {
          if (!(await budget.take())) return 'capped';
          upstream.push(k.job);
          hot.stored(k.key, clock.now() + MIN * 10, MIN * 10);
          return 'refreshed';
        }),
    });
    return { clock, hot, ledger, refresher, upstream };
  }

  it('stops at its cap: no upstream call past maxPerWindow, resumes when the window moves on', async () => {
    const { clock, refresher, upstream, ledger } = setup({ cap: 3, keys: 5 });
    const first = await refresher.round();
    expect(upstream).toEqual(['job0', 'job1', 'job2']); // hottest first
    expect(first.stoppedBy).toBe('capped');
    expect(ledger.spent(clock.now())).toBe(3);
    // Same window: nothing more.
    await refresher.round();
    expect(upstream).toHaveLength(3);
    await clock.advance(MIN);
    await refresher.round();
    expect(upstream).toEqual(['job0', 'job1', 'job2', 'job3', 'job4']);
  });

  it('polls of a refresh count against the cap', async () => {
    const { refresher, upstream, ledger, clock } = setup({ cap: 4, keys: 5 });
    const answer = refresher as unknown as {
      opts: { refresh: (k: HotKey<string>, b: RefreshBudget) => Promise<RefreshOutcome> };
    };
    answer.opts.refresh = async (k, budget) => {
      if (!(await budget.take())) return 'capped';
      upstream.push(k.job);
      budget.addPolls(2); // answered 202, two polls
      return 'refreshed';
    };
    await refresher.round();
    expect(upstream).toEqual(['job0', 'job1']); // 3 + 3 > 4: the second one starts at 3 spent, the third is refused
    expect(ledger.spent(clock.now())).toBe(6);
  });

  it('yields at once when the budget gate refuses: the round stops', async () => {
    let calls = 0;
    const { refresher } = setup({
      cap: 100,
      keys: 5,
      answer: async () => {
        calls++;
        return calls === 2 ? 'refused' : 'refreshed';
      },
    });
    const report = await refresher.round();
    expect(calls).toBe(2);
    expect(report).toMatchObject({
      tried: 2,
      stoppedBy: 'refused',
      outcomes: { refreshed: 1, refused: 1 },
    });
  });

  it('start() runs a round every tickMs on the clock; stop() ends the loop', async () => {
    const { clock, refresher, upstream } = setup({ cap: 1, keys: 3 });
    refresher.start();
    await clock.advance(999);
    expect(upstream).toEqual([]);
    await clock.advance(1);
    expect(upstream).toEqual(['job0']);
    await refresher.stop();
    await clock.advance(2 * MIN);
    expect(upstream).toEqual(['job0']);
  });
});
