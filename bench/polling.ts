/**
 * Suite 3 — polling. Commands that complete 1 s, 5 s, 10 s and 60 s after they are accepted
 * (the sandbox's ats_ext_test_polling with that service time, answered 202 at once), polled to
 * their result by:
 *   - ours: the real command client with its default backoff (300 ms ×1.5, capped at 3 s);
 *   - the baseline: a poller in this file that re-POSTs every 300 ms, the public docs' schedule;
 *   - a candidate setting of ours (a lower cap), run beside them to show what would meet the
 *     target when the defaults do not.
 * Per poller and wait: the polls spent (POSTs after the first) and the latency added after
 * completion (answer time − start − wait).
 *
 * Time is virtual: each sandbox's clock is frozen (timeScale 1e9: a real second is a
 * microsecond of sandbox time) and moved only by `advance()`; the client and the baseline poller
 * sleep on a VirtualClock that reads the sandbox's time. A driver advances the sandbox clock to
 * the earliest sleeper whenever nothing is in flight (every HTTP exchange is awaited to its last
 * byte before the clock may move). So the schedules are exactly the real settings, in sandbox ms,
 * and a busy machine cannot stretch them; network time is zero on this clock for every poller
 * alike (on a real link each poll adds its round trip to the wait after completion).
 * Added latency = arrival of the 200 − arrival of the first 202 − wait.
 *
 * One sandbox per wait (the service time is per command name); all samples run concurrently.
 * The client is given a deadline of 11 minutes: its default read deadline (readDeadlineMs, 30 s)
 * would otherwise give up on the 60 s command at 30 s.
 */
import {
  createArchticsClient,
  unlimitedLimiter,
  type UpstreamCallEvent,
} from '../src/archtics/client.js';
import { pollingTest } from '../src/archtics/commands/index.js';
import { buildEnvelope, commandUrl, serializeEnvelope } from '../src/archtics/envelope.js';
import type { ArchticsConfig } from '../src/config.js';
import { startSandbox, type RunningSandbox } from '../src/sandbox/index.js';
import type { Clock } from '../src/clock.js';
import { BENCH_SEED, NO_LIMIT, configFor } from './harness.js';
import { median, verdict, type Figure, type SuiteResult } from './report.js';

const SUITE = '3 polling';
const WAITS_MS = [1_000, 5_000, 10_000, 60_000];
/** Real ms per sandbox ms: the sandbox's clock only moves when advanced. */
const FROZEN = 1e9;
const SAMPLES = 3;
/** Driver steps at most (each moves the clock to the next sleeper). */
const MAX_STEPS = 50_000;
const FIXED_INTERVAL_MS = 300;
/** The candidate: same start and factor, cap 1.5 s (ARCHTICS_POLL_MAX_INTERVAL_MS=1500). */
const CANDIDATE = { pollInitialMs: 300, pollBackoff: 1.5, pollMaxIntervalMs: 1_500 };
const DEADLINE_MS = 11 * 60_000;
/** Targets apply from this wait on. */
const TARGET_FROM_MS = 10_000;
const TARGET_FEWER = 3;
const TARGET_ADDED_FRACTION = 0.2;

/**
 * Virtual time over a frozen sandbox clock. `sleep` parks the caller; `track` counts an HTTP
 * exchange in flight; `drive(done)` advances the sandbox clock to the earliest sleeper whenever
 * nothing is in flight and the event loop has been quiet for a few turns.
 */
class VirtualClock implements Clock {
  private sleepers: { at: number; seq: number; resolve: () => void }[] = [];
  private seq = 0;
  private inflight = 0;

  constructor(private readonly sb: Pick<RunningSandbox, 'clock'>) {}

  now(): number {
    return this.sb.clock.now();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const entry = { at: this.now() + Math.max(0, ms), seq: this.seq++, resolve };
      this.sleepers.push(entry);
      signal?.addEventListener(
        'abort',
        () => {
          this.sleepers = this.sleepers.filter((s) => s !== entry);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  /** Counts `work` (an HTTP exchange, body included) as in flight until it settles. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    this.inflight++;
    try {
      return await work();
    } finally {
      this.inflight--;
    }
  }

  /** Moves time until `done` settles; bounded in steps. */
  async drive(done: Promise<unknown>): Promise<void> {
    let finished = false;
    void done.finally(() => (finished = true)).catch(() => undefined);
    for (let step = 0; step < MAX_STEPS && !finished; step++) {
      await this.quiet();
      if (finished) break;
      this.sleepers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.sleepers[0];
      if (!next) continue;
      const delta = next.at - this.now();
      if (delta > 0) this.sb.clock.advance(delta);
      const now = this.now();
      const due = this.sleepers.filter((s) => s.at <= now);
      this.sleepers = this.sleepers.filter((s) => s.at > now);
      for (const s of due) s.resolve();
    }
    await done;
  }

  /** Nothing in flight for several consecutive event-loop turns. */
  private async quiet(): Promise<void> {
    let calm = 0;
    for (let turn = 0; turn < 100_000 && calm < 5; turn++) {
      await new Promise<void>((r) => setImmediate(r));
      calm = this.inflight === 0 ? calm + 1 : 0;
      if (this.inflight > 0) await new Promise<void>((r) => setTimeout(r, 1));
    }
  }
}

interface Sample {
  polls: number;
  addedMs: number;
  ok: boolean;
}

/** Sandbox times at which answers of each status arrived (from the caller's side). */
type Arrivals = { status: number; at: number }[];

/**
 * Polls spent and latency added: added = arrival of the 200 − arrival of the first 202 − wait.
 * Measured from the first 202, so the time of the first send (connection set-up, a busy machine)
 * is not counted; the 202 left the sandbox just after it accepted the command.
 */
function sampleOf(arrivals: Arrivals, waitMs: number, polls: number, ok: boolean): Sample {
  const accepted = arrivals.find((a) => a.status === 202)?.at;
  const done = arrivals.find((a) => a.status === 200)?.at;
  const addedMs = accepted !== undefined && done !== undefined ? done - accepted - waitMs : NaN;
  return { polls, addedMs, ok: ok && Number.isFinite(addedMs) };
}

/**
 * A fetch that counts the exchange in flight until its body is read in full, and notes when each
 * answer arrived, on the sandbox's clock.
 */
function timedFetch(clock: VirtualClock, arrivals: Arrivals): typeof fetch {
  return (input, init) =>
    clock.track(async () => {
      const res = await fetch(input, init);
      const body = await res.arrayBuffer();
      arrivals.push({ status: res.status, at: clock.now() });
      return new Response(body, {
        status: res.status,
        statusText: res.statusText,
        headers: res.headers,
      });
    });
}

/**
 * The docs' schedule: the identical body again with the cookies of the 202 every 300 ms — sends
 * 300 ms apart (the round trip is not added to the period), until a 200.
 */
async function fixedIntervalPoller(
  config: ArchticsConfig,
  clock: VirtualClock,
  intervalMs: number,
  waitMs: number,
): Promise<Sample> {
  const url = commandUrl(config, pollingTest.product);
  const body = serializeEnvelope(buildEnvelope(config, pollingTest, undefined));
  const arrivals: Arrivals = [];
  const timed = timedFetch(clock, arrivals);
  const post = async (cookie?: string) => {
    const res = await timed(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
      body,
    });
    await res.arrayBuffer();
    return res;
  };
  let res = await post();
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  let polls = 0;
  let nextSend = clock.now() + intervalMs;
  const maxPolls = Math.ceil(DEADLINE_MS / intervalMs) + 2;
  while (res.status === 202 && polls < maxPolls) {
    const wait = nextSend - clock.now();
    if (wait > 0) await clock.sleep(wait);
    nextSend += intervalMs;
    polls++;
    res = await post(cookie);
  }
  return sampleOf(arrivals, waitMs, polls, res.status === 200);
}

/** The real client, with the given poll settings. */
async function clientPoller(
  config: ArchticsConfig,
  clock: VirtualClock,
  waitMs: number,
): Promise<Sample> {
  let event: UpstreamCallEvent | undefined;
  const arrivals: Arrivals = [];
  const client = createArchticsClient({
    config,
    limiter: unlimitedLimiter,
    clock,
    fetch: timedFetch(clock, arrivals),
    onUpstreamCall: (e) => (event = e),
  });
  let ok = true;
  try {
    await client.run(pollingTest, undefined, { deadline: clock.now() + DEADLINE_MS });
  } catch {
    ok = false;
  } finally {
    await client.close();
  }
  return sampleOf(arrivals, waitMs, event?.polls ?? NaN, ok);
}

interface WaitResult {
  waitMs: number;
  ours: Sample[];
  fixed: Sample[];
  candidate: Sample[];
}

async function measureWait(waitMs: number): Promise<WaitResult> {
  const sb: RunningSandbox = await startSandbox({
    seed: BENCH_SEED,
    ...NO_LIMIT,
    timeScale: FROZEN,
    serviceTimeMs: { ats_ext_test_polling: waitMs },
    // Every command of this length is accepted with a 202 (the default threshold is 4 s).
    asyncThresholdMs: 1,
  });
  try {
    const clock = new VirtualClock(sb);
    const config = configFor(sb, NO_LIMIT).archtics;
    const candidateConfig = { ...config, ...CANDIDATE };
    const runs = Array.from({ length: SAMPLES }, () => [
      clientPoller(config, clock, waitMs),
      fixedIntervalPoller(config, clock, FIXED_INTERVAL_MS, waitMs),
      clientPoller(candidateConfig, clock, waitMs),
    ]);
    const all = Promise.all(runs.map((r) => Promise.all(r)));
    await clock.drive(all);
    const settled = await all;
    return {
      waitMs,
      ours: settled.map((s) => s[0]),
      fixed: settled.map((s) => s[1]),
      candidate: settled.map((s) => s[2]),
    };
  } finally {
    await sb.close();
  }
}

const secs = (ms: number) => `${ms / 1000} s`;

export async function pollingSuite(): Promise<SuiteResult> {
  const started = performance.now();
  const results = await Promise.all(WAITS_MS.map(measureWait));
  const figures: Figure[] = [];
  for (const r of results) {
    const allOk = [...r.ours, ...r.fixed, ...r.candidate].every((s) => s.ok);
    const pollsOurs = median(r.ours.map((s) => s.polls))!;
    const pollsFixed = median(r.fixed.map((s) => s.polls))!;
    const pollsCand = median(r.candidate.map((s) => s.polls))!;
    const addedOurs = median(r.ours.map((s) => s.addedMs))!;
    const addedFixed = median(r.fixed.map((s) => s.addedMs))!;
    const addedCand = median(r.candidate.map((s) => s.addedMs))!;
    const targeted = r.waitMs >= TARGET_FROM_MS;
    const detail = {
      samples: { ours: r.ours, fixed300: r.fixed, candidate: r.candidate },
      allCompleted: allOk,
    };
    figures.push(
      {
        suite: SUITE,
        figure: `${secs(r.waitMs)} command: polls, ours vs fixed 300 ms`,
        ours: pollsOurs,
        baseline: pollsFixed,
        ratio: pollsFixed / pollsOurs,
        unit: '',
        target: targeted ? `≥ ${TARGET_FEWER}× fewer` : '(none)',
        verdict: targeted ? verdict(allOk && pollsFixed / pollsOurs >= TARGET_FEWER) : 'info',
        note: 'ratio = fixed / ours (times fewer polls)',
        detail,
      },
      {
        suite: SUITE,
        figure: `${secs(r.waitMs)} command: median latency added after completion`,
        ours: Math.round(addedOurs),
        baseline: Math.round(addedFixed),
        ratio: addedOurs / r.waitMs,
        unit: 'ms',
        target: targeted ? `ours ≤ ${TARGET_ADDED_FRACTION.toFixed(2)} of wait` : '(none)',
        verdict: targeted
          ? verdict(allOk && addedOurs / r.waitMs <= TARGET_ADDED_FRACTION)
          : 'info',
        note: 'ratio = ours / wait',
      },
    );
    if (targeted) {
      figures.push(
        {
          suite: SUITE,
          figure: `${secs(r.waitMs)} command: polls, cap 1.5 s vs fixed 300 ms`,
          ours: pollsCand,
          baseline: pollsFixed,
          ratio: pollsFixed / pollsCand,
          unit: '',
          target: `≥ ${TARGET_FEWER}× fewer`,
          verdict: 'info',
          note: 'candidate: ARCHTICS_POLL_MAX_INTERVAL_MS=1500 (ratio = fixed / candidate)',
        },
        {
          suite: SUITE,
          figure: `${secs(r.waitMs)} command: added latency, cap 1.5 s`,
          ours: Math.round(addedCand),
          baseline: Math.round(addedFixed),
          ratio: addedCand / r.waitMs,
          unit: 'ms',
          target: `≤ ${TARGET_ADDED_FRACTION.toFixed(2)} of wait`,
          verdict: 'info',
          note: 'candidate: ARCHTICS_POLL_MAX_INTERVAL_MS=1500 (ratio = candidate / wait)',
        },
      );
    }
  }
  return {
    suite: SUITE,
    method: `ats_ext_test_polling with service times ${WAITS_MS.map(secs).join(', ')}, accepted 202 at once; ${SAMPLES} concurrent samples per poller and wait; virtual time: a frozen sandbox clock advanced by a driver to the earliest sleeper of the client / baseline poller whenever no HTTP exchange is in flight (network time counts as zero); medians reported.`,
    figures,
    durationMs: performance.now() - started,
  };
}
