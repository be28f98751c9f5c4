/**
 * The sandbox's own time source: real time, optionally sped up (`timeScale`), plus an offset that
 * `advance(ms)` moves forward. Everything time-based in the sandbox — service times, polling
 * completion, result expiry, quota windows, the world's hold expiry — reads this clock, so one
 * `advance(60_000)` opens a new quota window and one `advance(15 * 60_000)` expires holds,
 * without a test sleeping in real time.
 *
 * With timeScale 0.01 sandbox time runs 100× faster than real time: a 10 s command completes after
 * 100 real ms, and a quota minute lasts 600 real ms. timeScale 1 is plain `Date.now() + offset`.
 */
export class SandboxClock {
  private readonly realStart = Date.now();
  private readonly base: number;
  private offset = 0;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly timeScale = 1,
    startTime?: number,
  ) {
    if (!(timeScale > 0) || !Number.isFinite(timeScale))
      throw new RangeError(`timeScale must be > 0, got ${timeScale}`);
    this.base = startTime ?? this.realStart;
  }

  /** Sandbox epoch ms. */
  now(): number {
    return Math.floor(this.base + (Date.now() - this.realStart) / this.timeScale + this.offset);
  }

  /** Jumps sandbox time forward; listeners (the polling queue) run at once. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError(`advance needs a non-negative number of ms, got ${ms}`);
    this.offset += ms;
    for (const listener of this.listeners) listener();
  }

  /** Real milliseconds that `sandboxMs` of sandbox time take (for setTimeout). */
  toRealMs(sandboxMs: number): number {
    return Math.max(0, sandboxMs * this.timeScale);
  }

  onAdvance(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
