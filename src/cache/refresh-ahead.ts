/**
 * Refresh-ahead: which cached reads to renew before they expire, when, and with how much budget —
 * the decisions only. The cache (runner.ts) notes its reads and does each refresh; the budget gate
 * (src/quota) grants a refresh only a slot no caller is waiting for ('idle' priority).
 *
 * Like Caffeine's refreshAfterWrite and HTTP's stale-while-revalidate: a key read recently whose
 * entry is in the last part of its TTL (or already past it) is fetched again off any caller's
 * path, so the next reader finds it fresh instead of waiting for the service.
 *
 * - Hotness: every read adds 1 to a key's score, and the score halves every `halfLifeMs`. A key
 *   not read within `decayMs` is never refreshed, and is forgotten.
 * - Worth: a refresh saves a caller's wait only if the key is read between the old entry's expiry
 *   and the new one's; a refresh nobody reads still holds a slot of the window for a minute, where
 *   a caller may need it. So the refresher spends on the keys with the most reads expected in that
 *   span — the read rate the decayed score gives (score × ln 2 / halfLife) times the span — and
 *   not on those expected to see fewer than `minExpectedReads`. With one TTL for all keys this is
 *   the hottest first; across TTLs it prefers a hot account read every minute for two minutes to
 *   an availability read as often that lives fifteen seconds.
 * - Spend: the refresher's POSTs in any `windowMs` stay under `maxPerWindow` (a RefreshLedger:
 *   in memory, or shared by replicas in Redis, so the cap is the gateway's, not each replica's).
 * - One refresh at a time, hottest first; a round stops at once when the budget gate refuses
 *   (callers are back) or the cap is reached, and the next round starts `tickMs` later.
 */
import type { Clock } from '../clock.js';

export interface RefreshAheadOptions {
  /** An entry is due for refresh in the last `aheadFraction` of its TTL (0 < f ≤ 1), or once expired. */
  aheadFraction: number;
  /** Only keys read within this long are refreshed; longer unread keys are forgotten. */
  decayMs: number;
  /** The score of a read halves every halfLifeMs (default decayMs / 4). */
  halfLifeMs?: number;
  /** Smallest score a key needs to be refreshed (1 = one read just now). */
  minScore: number;
  /**
   * Fewest reads expected in the span a refresh adds (from the old entry's expiry to the new
   * one's) for a key to be refreshed; 0 = any key that has minScore.
   */
  minExpectedReads?: number;
  /** Keys remembered at most (the least recently read go first). */
  maxKeys: number;
}

export const DEFAULT_REFRESH_AHEAD: RefreshAheadOptions = {
  aheadFraction: 0.25,
  decayMs: 10 * 60_000,
  minScore: 1,
  minExpectedReads: 0,
  maxKeys: 10_000,
};

/** A key the cache can refresh: what to run (opaque here) and the entry's current life. */
export interface HotKey<J> {
  readonly key: string;
  job: J;
  /** Decayed read count as of lastReadAt. */
  score: number;
  lastReadAt: number;
  /** When the cached entry stops being fresh (0 when nothing is stored). */
  expiresAt: number;
  /** The entry's TTL in ms. */
  ttlMs: number;
}

/**
 * The keys read recently, with a decaying score each. Bounded (maxKeys, least recently read
 * dropped) and pruned of keys unread for decayMs; no timers.
 */
export class HotKeys<J> {
  private readonly opts: Required<RefreshAheadOptions>;
  /** Insertion order = least recently read first (a read moves a key to the end). */
  private readonly keys = new Map<string, HotKey<J>>();

  constructor(opts: Partial<RefreshAheadOptions> = {}) {
    const merged = { ...DEFAULT_REFRESH_AHEAD, ...opts };
    this.opts = {
      ...merged,
      halfLifeMs: merged.halfLifeMs ?? merged.decayMs / 4,
      minExpectedReads: merged.minExpectedReads ?? 0,
    };
    if (!(this.opts.aheadFraction > 0 && this.opts.aheadFraction <= 1))
      throw new RangeError('aheadFraction must be in (0, 1]');
    if (!(this.opts.decayMs > 0 && this.opts.halfLifeMs > 0))
      throw new RangeError('decayMs and halfLifeMs must be > 0');
    if (!(this.opts.maxKeys >= 1)) throw new RangeError('maxKeys must be ≥ 1');
    if (!(this.opts.minExpectedReads >= 0)) throw new RangeError('minExpectedReads must be ≥ 0');
  }

  get size(): number {
    return this.keys.size;
  }

  /** A read of `key` at `now`; `life` is its entry's freshness when known (a hit), absent on a miss. */
  read(key: string, job: J, now: number, life?: { expiresAt: number; ttlMs: number }): void {
    let k = this.keys.get(key);
    if (k) {
      this.keys.delete(key);
      k.score = this.decayed(k, now) + 1;
      k.lastReadAt = Math.max(k.lastReadAt, now);
      k.job = job;
    } else {
      k = { key, job, score: 1, lastReadAt: now, expiresAt: 0, ttlMs: 0 };
    }
    if (life) {
      k.expiresAt = life.expiresAt;
      k.ttlMs = life.ttlMs;
    }
    this.keys.set(key, k);
    if (this.keys.size > this.opts.maxKeys) this.keys.delete(this.keys.keys().next().value!);
  }

  /** An entry of `key` was stored (by a caller's miss, a refresh or a peer): its new life. */
  stored(key: string, expiresAt: number, ttlMs: number): void {
    const k = this.keys.get(key);
    if (!k) return;
    k.expiresAt = expiresAt;
    k.ttlMs = ttlMs;
  }

  /** The entry is gone (invalidated by a write): nothing to refresh until it is read again. */
  dropped(key: string): void {
    const k = this.keys.get(key);
    if (k) k.expiresAt = 0;
  }

  /** Decayed score of `key` at `now` (0 when unknown or unread for decayMs). */
  score(key: string, now: number): number {
    const k = this.keys.get(key);
    return k && now - k.lastReadAt <= this.opts.decayMs ? this.decayed(k, now) : 0;
  }

  /**
   * Reads of `key` expected in the span a refresh at `now` would add to its entry: the decayed
   * score's read rate times (TTL − the life the entry still has). 0 when unknown or not stored.
   */
  expectedReads(key: string, now: number): number {
    const k = this.keys.get(key);
    return k && now - k.lastReadAt <= this.opts.decayMs
      ? this.expected(k, now, this.decayed(k, now))
      : 0;
  }

  /**
   * Keys to refresh at `now`, most reads expected in the span a refresh adds first (then soonest
   * to expire): read within decayMs, scoring at least minScore, expecting at least
   * minExpectedReads, with an entry in the last aheadFraction of its TTL or already expired.
   * Forgets the keys unread for decayMs on the way.
   */
  due(now: number): HotKey<J>[] {
    const out: { k: HotKey<J>; e: number }[] = [];
    for (const k of this.keys.values()) {
      if (now - k.lastReadAt > this.opts.decayMs) {
        this.keys.delete(k.key);
        continue;
      }
      if (!(k.ttlMs > 0) || k.expiresAt === 0) continue;
      if (k.expiresAt - now > this.opts.aheadFraction * k.ttlMs) continue;
      const s = this.decayed(k, now);
      if (s < this.opts.minScore) continue;
      const e = this.expected(k, now, s);
      if (e >= this.opts.minExpectedReads) out.push({ k, e });
    }
    out.sort((a, b) => b.e - a.e || a.k.expiresAt - b.k.expiresAt);
    return out.map((o) => o.k);
  }

  /** Reads expected (rate from the decayed score `s`) between the entry's expiry and a refresh's. */
  private expected(k: HotKey<J>, now: number, s: number): number {
    if (!(k.ttlMs > 0) || k.expiresAt === 0) return 0;
    const rate = (s * Math.LN2) / this.opts.halfLifeMs;
    return rate * (k.ttlMs - Math.max(0, k.expiresAt - now));
  }

  private decayed(k: HotKey<J>, now: number): number {
    const age = Math.max(0, now - k.lastReadAt);
    return k.score * 2 ** (-age / this.opts.halfLifeMs);
  }
}

/** Counts the refresher's POSTs in a sliding window; shared by replicas when in Redis. */
export interface RefreshLedger {
  /** Records one POST at `now` and resolves true if fewer than the cap were made in the window; else records nothing. */
  tryTake(now: number): boolean | Promise<boolean>;
  /** Records `n` more POSTs (polls of a refresh answered 202) without checking the cap. */
  add(now: number, n: number): void | Promise<void>;
  /** Takes back the last tryTake (the budget gate refused it: nothing was sent). */
  giveBack(now: number): void | Promise<void>;
  /** POSTs in the window ending at `now`. */
  spent(now: number): number | Promise<number>;
}

export class MemoryRefreshLedger implements RefreshLedger {
  private readonly sends: number[] = [];

  constructor(
    readonly maxPerWindow: number,
    readonly windowMs = 60_000,
  ) {
    if (!(maxPerWindow >= 0)) throw new RangeError('maxPerWindow must be ≥ 0');
  }

  tryTake(now: number): boolean {
    if (this.spent(now) >= this.maxPerWindow) return false;
    this.sends.push(now);
    return true;
  }

  add(now: number, n: number): void {
    for (let i = 0; i < n; i++) this.sends.push(now);
  }

  giveBack(): void {
    this.sends.pop();
  }

  spent(now: number): number {
    const from = now - this.windowMs;
    while (this.sends.length && this.sends[0] <= from) this.sends.shift();
    return this.sends.length;
  }
}

/** How one refresh went (the cache's answer to Refresher.refresh). */
export type RefreshOutcome =
  /** Fetched upstream and stored. */
  | 'refreshed'
  /** Another replica refreshed it (found fresh in the shared tier) or holds its refresh lock. */
  | 'shared'
  /** The budget gate refused: callers need the window. The round stops. */
  | 'refused'
  /** The cap was reached before the upstream call. The round stops. */
  | 'capped'
  /** Nothing to do any more (entry gone, or no longer due). */
  | 'skipped'
  /** The upstream failed; the entry stays as it was. */
  | 'failed';

/** What the cache's refresh of one key may spend: ask before the upstream call, report polls after. */
export interface RefreshBudget {
  /** True when the cap allows one more POST now (and it is counted). */
  take(): Promise<boolean>;
  /** Polls the refresh took after its first send (counted against the cap, never refused). */
  addPolls(n: number): void;
  /** The taken POST was not sent after all (the budget gate refused it). */
  giveBack(): void;
}

export interface RefresherOptions<J> {
  clock: Clock;
  hot: HotKeys<J>;
  ledger: RefreshLedger;
  /** Renews one key (the cache's work). Must not throw; errors are 'failed'. */
  refresh(key: HotKey<J>, budget: RefreshBudget): Promise<RefreshOutcome>;
  /** Pause between rounds (default 1 s). */
  tickMs?: number;
  /** Refreshes one round may try at most (default 50), so a round is bounded. */
  maxPerRound?: number;
  /** After each refresh: how it went and the POSTs it spent (first send and polls). */
  onOutcome?(key: HotKey<J>, outcome: RefreshOutcome, posts: number): void;
}

export interface RoundReport {
  tried: number;
  outcomes: Partial<Record<RefreshOutcome, number>>;
  /** Why the round ended early, if it did. */
  stoppedBy?: 'refused' | 'capped';
}

/**
 * Runs refresh rounds on the clock: start() loops until stop(); round() runs one (tests drive it).
 */
export class Refresher<J> {
  private readonly tickMs: number;
  private readonly maxPerRound: number;
  private stopper?: AbortController;
  private running?: Promise<void>;
  private inRound = false;

  constructor(private readonly opts: RefresherOptions<J>) {
    this.tickMs = opts.tickMs ?? 1_000;
    this.maxPerRound = opts.maxPerRound ?? 50;
  }

  /** One round: the due keys, hottest first, until the list, the cap or the budget runs out. */
  async round(): Promise<RoundReport> {
    const report: RoundReport = { tried: 0, outcomes: {} };
    if (this.inRound) return report;
    this.inRound = true;
    try {
      const { clock, ledger } = this.opts;
      for (const key of this.opts.hot.due(clock.now())) {
        if (report.tried >= this.maxPerRound || this.stopper?.signal.aborted) break;
        let polls = 0;
        let took = false;
        let gaveBack = false;
        const budget: RefreshBudget = {
          // A ledger that cannot answer (Redis down) refuses: no count, no spend.
          take: async () =>
            (took = await Promise.resolve(ledger.tryTake(clock.now())).catch(() => false)),
          addPolls: (n) => {
            polls += n;
          },
          giveBack: () => {
            gaveBack = true;
          },
        };
        let outcome: RefreshOutcome;
        try {
          outcome = await this.opts.refresh(key, budget);
        } catch {
          outcome = 'failed';
        }
        try {
          if (polls > 0) await ledger.add(clock.now(), polls);
          if (gaveBack) await ledger.giveBack(clock.now());
        } catch {
          // A shared ledger's outage only loosens the count; the cap's own take already failed closed.
        }
        report.tried++;
        report.outcomes[outcome] = (report.outcomes[outcome] ?? 0) + 1;
        this.opts.onOutcome?.(key, outcome, (took && !gaveBack ? 1 : 0) + polls);
        if (outcome === 'refused' || outcome === 'capped') {
          report.stoppedBy = outcome;
          break;
        }
      }
      return report;
    } finally {
      this.inRound = false;
    }
  }

  /** Rounds every tickMs until stop(). */
  start(): void {
    if (this.running) return;
    const stopper = (this.stopper = new AbortController());
    this.running = (async () => {
      while (!stopper.signal.aborted) {
        try {
          await this.opts.clock.sleep(this.tickMs, stopper.signal);
        } catch {
          return;
        }
        await this.round();
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopper?.abort();
    await this.running;
    this.running = undefined;
  }
}

/** What refreshKey needs from the cache it serves (runner.ts supplies it). */
export interface RefreshPorts<J> {
  /** Freshness of the entry in this process's tier, if any. */
  local(key: string): { expiresAt: number; storedAt: number } | undefined;
  /**
   * A fresher entry of `key` another replica stored in the shared tier: adopted into this
   * process's tier, its life returned; undefined when there is none (or no shared tier).
   */
  adoptShared(key: string): Promise<{ expiresAt: number; ttlMs: number } | undefined>;
  /** Only one replica refreshes a key: a short lock in the shared tier; true without one. */
  lock(key: string): Promise<{ release(): Promise<void> } | 'held'>;
  /**
   * Runs the job upstream at idle priority and stores the answer; resolves with the new life and
   * the polls it took. Rejects as the command client does (a budget refusal is a RateLimitedError).
   */
  fetch(job: J, key: string): Promise<{ expiresAt: number; ttlMs: number; polls: number }>;
  /** True for the budget gate's refusal (callers need the window), as opposed to an upstream failure. */
  isRefusal(error: unknown): boolean;
}

/**
 * One refresh, in the order that spends nothing needlessly: still due? → a peer already refreshed
 * it (shared tier)? → a peer is refreshing it (lock)? → the cap → the budget gate (idle) → store.
 */
export async function refreshKey<J>(
  hot: HotKeys<J>,
  key: HotKey<J>,
  budget: RefreshBudget,
  ports: RefreshPorts<J>,
  now: () => number,
  aheadFraction: number,
): Promise<RefreshOutcome> {
  const stillDue = (life: { expiresAt: number } | undefined, ttlMs: number) =>
    !life || life.expiresAt - now() <= aheadFraction * ttlMs;
  const local = ports.local(key.key);
  if (local && !stillDue(local, key.ttlMs)) {
    hot.stored(key.key, local.expiresAt, key.ttlMs);
    return 'skipped';
  }
  const shared = await ports.adoptShared(key.key);
  if (shared && !stillDue(shared, shared.ttlMs)) {
    hot.stored(key.key, shared.expiresAt, shared.ttlMs);
    return 'shared';
  }
  const lock = await ports.lock(key.key);
  if (lock === 'held') return 'shared';
  try {
    if (!(await budget.take())) return 'capped';
    try {
      const life = await ports.fetch(key.job, key.key);
      budget.addPolls(life.polls);
      hot.stored(key.key, life.expiresAt, life.ttlMs);
      return 'refreshed';
    } catch (error) {
      if (ports.isRefusal(error)) {
        budget.giveBack();
        return 'refused';
      }
      return 'failed';
    }
  } finally {
    if (lock) await lock.release().catch(() => undefined);
  }
}
