/**
 * Polling an accepted command (protocol reference §3): after a 202, wait, then POST the identical
 * body again with every cookie the service set, until a 200 carries the result. Waits grow from
 * pollInitialMs by ×pollBackoff up to pollMaxIntervalMs (each poll is a POST that costs budget:
 * 80/min is shared by everything), and polling gives up at pollTimeoutMs.
 */
import type { ArchticsConfig } from '../config.js';
import { RateLimitedError } from './errors.js';
import { mayRepoll, type RetryPolicy } from './retry.js';
import {
  errorFor,
  retryAfterOf,
  sendUnderBudget,
  timeoutError,
  type Attempt,
  type Exchange,
  type SendDeps,
} from './transport.js';

export type PollConfig = Pick<
  ArchticsConfig,
  'pollTimeoutMs' | 'pollInitialMs' | 'pollMaxIntervalMs' | 'pollBackoff' | 'requestTimeoutMs'
>;

/**
 * A read with a fallback (RunOptions.failFast) takes a slot — first send or poll — only this soon:
 * a Retry-After pause or a full window refuses it at once instead (the margin covers the
 * planner's own turn).
 */
export const FAIL_FAST_SLOT_WAIT_MS = 1_000;

/** The wait after `current`: ×backoff, capped. */
export function nextPollInterval(
  current: number,
  config: Pick<PollConfig, 'pollBackoff' | 'pollMaxIntervalMs'>,
): number {
  return Math.min(config.pollMaxIntervalMs, current * config.pollBackoff);
}

/**
 * Clock ms from a first send to its `polls`-th poll at the earliest: the waits pollUntilDone keeps
 * (pollInitialMs, then ×pollBackoff up to pollMaxIntervalMs). The budget planner counts them when
 * it grants a first send (AcquireOptions.pollWaitMs).
 */
export function pollWaitMs(
  polls: number,
  config: Pick<PollConfig, 'pollInitialMs' | 'pollBackoff' | 'pollMaxIntervalMs'>,
): number {
  let total = 0;
  let interval = config.pollInitialMs;
  for (let k = 0; k < polls; k++) {
    total += interval;
    interval = nextPollInterval(interval, config);
  }
  return total;
}

/**
 * The slowest of the client's last answered POSTs, from grant to answer on its clock. Polls do not
 * only wait between them: each waits for the answer before it, so the planner allows one such
 * round trip per poll when it grants a first send (a burst of grants slows every answer at once).
 */
export class RoundTrips {
  private readonly recent: number[] = [];

  constructor(private readonly size = 32) {}

  add(ms: number): void {
    this.recent.push(Math.max(0, ms));
    if (this.recent.length > this.size) this.recent.shift();
  }

  slowest(): number {
    return this.recent.length ? Math.max(...this.recent) : 0;
  }
}

/**
 * Polls until the 200. `acceptedAt` is when the 202 came; polling stops at
 * min(acceptedAt + pollTimeoutMs, deadline) with UpstreamTimeoutError — outcome unknown for a
 * write, whose accepted command may still run.
 */
export async function pollUntilDone(
  ex: Exchange,
  deps: SendDeps,
  config: PollConfig,
  /** failFast: a read with a fallback (RunOptions.failFast) — polls take a slot now or never, and the first refusal or lost answer ends it. */
  opts: { acceptedAt: number; deadline?: number; retry: RetryPolicy; failFast?: boolean },
): Promise<Extract<Attempt, { type: 'response' }>> {
  const { clock } = deps;
  const write = ex.kind === 'write';
  const giveUpAt = Math.min(
    opts.acceptedAt + config.pollTimeoutMs,
    opts.deadline ?? Number.POSITIVE_INFINITY,
  );
  const giveUp = () =>
    timeoutError(
      ex,
      `no result after ${Math.round(clock.now() - opts.acceptedAt)} ms of polling (${ex.stats.polls} polls)`,
      write,
    );

  let interval = config.pollInitialMs;
  let wait = interval;
  let lostRetries = 0;
  // Every wait is ≥ pollInitialMs of clock time, so this many turns reach giveUpAt; the count is a
  // backstop against a clock whose sleep does not move its now().
  const maxTurns = Math.ceil(config.pollTimeoutMs / Math.max(1, config.pollInitialMs)) + 2;
  for (let turn = 0; turn < maxTurns; turn++) {
    const now = clock.now();
    // The last poll goes out at giveUpAt itself rather than giving up early — but never sooner than
    // pollInitialMs after the one before (the protocol's spacing): then it is giving up now.
    const sleep = Math.min(wait, giveUpAt - now);
    if (sleep < config.pollInitialMs) throw giveUp();
    await clock.sleep(sleep, ex.signal);

    let attempt: Attempt;
    try {
      attempt = await sendUnderBudget(ex, deps, {
        priority: 'poll',
        deadline: giveUpAt,
        ...(opts.failFast ? { startBy: clock.now() + FAIL_FAST_SLOT_WAIT_MS } : {}),
        timeoutMs: config.requestTimeoutMs,
        poll: true,
      });
    } catch (err) {
      // No budget before giveUpAt: to the caller that is "no result in time", not "over quota".
      if (err instanceof RateLimitedError && err.source === 'budget' && !ex.signal?.aborted)
        throw giveUp();
      throw err;
    }

    if (attempt.type === 'response' && attempt.status === 200) return attempt;
    if (attempt.type === 'response' && attempt.status === 202) {
      // The body of a 202 is empty and already drained by the transport.
      interval = nextPollInterval(interval, config);
      wait = interval;
      continue;
    }
    const repoll = mayRepoll(ex.kind, attempt);
    if (repoll === false || opts.failFast) throw errorFor(ex, attempt, clock, 'poll');
    if (repoll === 'lost') {
      // A read's answer was lost: the same POST either finds the command still queued or starts
      // it afresh — both fine for a read. Bounded like any retry.
      if (++lostRetries >= opts.retry.maxAttempts) throw errorFor(ex, attempt, clock, 'poll');
      ex.stats.retries++;
      if (ex.trace) ex.trace.retries++;
      wait = interval;
      continue;
    }
    // 429/503: the gateway refused the poll without touching the queue; same cookies later.
    const after = retryAfterOf(attempt, clock);
    if (after !== undefined && clock.now() + after > giveUpAt) throw giveUp();
    wait = Math.max(interval, after ?? 0);
  }
  throw giveUp();
}
