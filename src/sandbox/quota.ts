/**
 * Per-key rate limits as the gateway in front of Archtics applies them: at most `perMinute`
 * admitted POSTs in ANY 60-second window (sliding, not calendar minutes) and at most `perDay` in
 * any 24-hour window. Times are sandbox-clock ms.
 *
 * Only admitted POSTs consume quota: a refused POST (429) costs nothing, so a caller that backs
 * off for Retry-After is admitted again exactly when a slot frees. (A caller hammering during a
 * 429 is not punished further — the sandbox documents that choice; the real service does not.)
 */

export const MINUTE_MS = 60_000;
export const DAY_MS = 24 * 60 * 60_000;

export type QuotaVerdict =
  | { ok: true }
  | {
      ok: false;
      code: 'QuotaMinute' | 'QuotaDay';
      /** sandbox ms until a slot frees (> 0) */ waitMs: number;
    };

export class SlidingQuota {
  /** Admission times inside the last minute, oldest first (at most perMinute of them). */
  private minute: number[] = [];
  /** Admissions of the last day in one-second buckets [second, count], oldest first: bounded memory at any rate. */
  private day: [number, number][] = [];
  private dayCount = 0;

  constructor(
    readonly perMinute: number,
    readonly perDay: number,
  ) {}

  /** Admits (and counts) one POST at `now`, or says which limit refuses it and for how long. */
  tryAcquire(now: number): QuotaVerdict {
    this.expire(now);
    // The day limit first: when both are exhausted the longer wait is the true one.
    if (this.dayCount >= this.perDay) {
      const oldest = this.day[0];
      // A bucket's admissions may sit anywhere in its second: wait until its end has left the window.
      const waitMs = oldest ? (oldest[0] + 1) * 1000 + DAY_MS - now : DAY_MS;
      return { ok: false, code: 'QuotaDay', waitMs: Math.max(1, waitMs) };
    }
    if (this.minute.length >= this.perMinute) {
      const oldest = this.minute[0];
      const waitMs = oldest !== undefined ? oldest + MINUTE_MS - now : MINUTE_MS;
      return { ok: false, code: 'QuotaMinute', waitMs: Math.max(1, waitMs) };
    }
    this.minute.push(now);
    const second = Math.floor(now / 1000);
    const last = this.day[this.day.length - 1];
    if (last && last[0] === second) last[1]++;
    else this.day.push([second, 1]);
    this.dayCount++;
    return { ok: true };
  }

  remaining(now: number): { minute: number; day: number } {
    this.expire(now);
    return {
      minute: Math.max(0, this.perMinute - this.minute.length),
      day: Math.max(0, this.perDay - this.dayCount),
    };
  }

  reset(): void {
    this.minute = [];
    this.day = [];
    this.dayCount = 0;
  }

  private expire(now: number): void {
    // A POST at t occupies the window (t, t + 60 s]: at t + 60 s its slot is free again.
    let i = 0;
    while (i < this.minute.length && this.minute[i]! + MINUTE_MS <= now) i++;
    if (i > 0) this.minute.splice(0, i);
    let j = 0;
    while (j < this.day.length && (this.day[j]![0] + 1) * 1000 + DAY_MS <= now)
      this.dayCount -= this.day[j++]![1];
    if (j > 0) this.day.splice(0, j);
  }
}

/** Counts every POST (admitted or not) and remembers the most seen inside any 60-second window. */
export class PeakWindow {
  private times: number[] = [];
  private head = 0;
  max = 0;

  record(now: number): void {
    this.times.push(now);
    while (this.head < this.times.length && this.times[this.head]! + MINUTE_MS <= now) this.head++;
    // Compact now and then rather than shifting on every POST.
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    this.max = Math.max(this.max, this.times.length - this.head);
  }

  current(now: number): number {
    let n = 0;
    for (let i = this.times.length - 1; i >= this.head && this.times[i]! + MINUTE_MS > now; i--)
      n++;
    return n;
  }

  reset(): void {
    this.times = [];
    this.head = 0;
    this.max = 0;
  }
}
