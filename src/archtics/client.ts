/**
 * The Archtics command client: runs one CommandDef end to end — envelope, budget, ky transport,
 * retries by command kind, 202 polling with a cookie jar per command, status mapping, typed
 * parsing — and reports each command once (log line, UpstreamCallEvent, trace counters).
 */
import { CookieJar } from 'tough-cookie';
import { systemClock, type Clock } from '../clock.js';
import type { ArchticsConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { Command1Response, CommandKind, CommandName, Product } from '../protocol/wire.js';
import type { Limiter } from '../quota/types.js';
import {
  buildEnvelope,
  commandUrl,
  identify,
  readCommand1,
  secretsOf,
  serializeEnvelope,
} from './envelope.js';
import {
  ArchticsError,
  ProtocolError,
  RateLimitedError,
  UnavailableError,
  redactSecrets,
} from './errors.js';
import { FAIL_FAST_SLOT_WAIT_MS, pollUntilDone, pollWaitMs, RoundTrips } from './polling.js';
import { DEFAULT_RETRY_POLICY, backoffDelay, mayResend, type RetryPolicy } from './retry.js';
import {
  DEFAULT_RETRY_AFTER_MS,
  createHttpPost,
  errorFor,
  retryAfterOf,
  sendUnderBudget,
  timeoutError,
  type Attempt,
  type Exchange,
  type ExchangeStats,
  type HttpPost,
  type SendDeps,
} from './transport.js';
import type { CommandDef, CommandRunner, RunOptions } from './types.js';
import { setMaxListeners } from 'node:events';

/** One upstream command, reported once when it ends (metrics, logs). */
export interface UpstreamCallEvent {
  command: CommandName;
  product: Product;
  kind: CommandKind;
  /**
   * Last HTTP status seen, or how it failed: 'network' (connection), 'timeout' (request timeout,
   * polling gave up, or deadline), 'none' (nothing was sent: budget refused, aborted in the queue).
   */
  status: number | 'network' | 'timeout' | 'none';
  /** Non-poll POSTs (first send + re-sends). */
  attempts: number;
  polls: number;
  durationMs: number;
  outcome: 'ok' | 'error';
  /** The error's extensions code (UPSTREAM_…, RATE_LIMITED), or ABORTED / INTERNAL. */
  errorCode?: string;
}

export interface ArchticsClient extends CommandRunner {
  /** Aborts commands in flight (they reject with UnavailableError) and refuses new ones. */
  close(): Promise<void>;
}

export interface ArchticsClientOptions {
  config: ArchticsConfig;
  limiter: Limiter;
  clock?: Clock;
  logger?: Logger;
  onUpstreamCall?: (e: UpstreamCallEvent) => void;
  /** Tests: the retry policy (default 4 attempts, 200 ms ×2 full jitter). */
  retryPolicy?: Partial<RetryPolicy>;
  /** Tests: the jitter's random source. */
  random?: () => number;
  /** Tests: a fetch for ky to use instead of the global one. */
  fetch?: typeof fetch;
}

/** A Limiter that never waits or refuses (tests, tools). Honours the abort signal. */
export const unlimitedLimiter: Limiter = {
  async acquire({ signal }) {
    if (signal?.aborted)
      throw signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
  },
  pauseFor() {},
  async snapshot() {
    return {
      minuteRemaining: Number.POSITIVE_INFINITY,
      dayRemaining: Number.POSITIVE_INFINITY,
      queueLength: 0,
    };
  },
  async close() {},
};

export function createArchticsClient(opts: ArchticsClientOptions): ArchticsClient {
  const { config, limiter } = opts;
  // Fail at start rather than on the first command (the URL itself carries the key: not shown).
  commandUrl(config, 'sth-customer');
  const clock = opts.clock ?? systemClock;
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...opts.retryPolicy };
  const random = opts.random ?? Math.random;
  const roundTrips = new RoundTrips();
  const post: HttpPost = createHttpPost(opts.fetch ? { fetch: opts.fetch } : {});
  // Answered POSTs only: a timed-out one says nothing of how soon the next answer comes.
  const http: HttpPost = async (request) => {
    const sent = clock.now();
    const attempt = await post(request);
    if (attempt.type === 'response') roundTrips.add(clock.now() - sent);
    return attempt;
  };
  const deps: SendDeps = { limiter, http, clock };
  const secrets = secretsOf(config);
  const closing = new AbortController();
  // Every command in flight listens for close(); hundreds at once are normal, not a leak.
  setMaxListeners(0, closing.signal);

  /**
   * First send, re-sent per the kind's policy; hands a 202 to the poll loop. Returns the 200.
   * `failFast` (a read with a fallback, RunOptions.failFast): no wait for a slot beyond
   * FAIL_FAST_SLOT_WAIT_MS and no re-send — the first refusal is the answer.
   */
  async function exchange(
    ex: Exchange,
    deadline: number | undefined,
    failFast: boolean,
    idle: RunOptions['idle'],
  ) {
    // Idle work gets one attempt: a failure is left for a caller (or the next round) to retry.
    const maxAttempts = idle ? 1 : policy.maxAttempts;
    for (let n = 1; ; n++) {
      const now = clock.now();
      if (deadline !== undefined && now >= deadline) {
        // The first send of a read whose operation has no time left (its earlier reads took it):
        // refused at once, never sent — the planner's answer to a read it cannot finish in time.
        if (n === 1)
          throw new RateLimitedError(
            `archtics ${ex.command}: no time left before the deadline to send it; retry after 1s`,
            1,
            'budget',
            { command: ex.command },
          );
        // Only reached before anything that might have executed was sent: outcome known.
        throw timeoutError(ex, 'deadline passed before the command could be sent', false);
      }
      // A read needs no attempt that outlives its deadline; a write keeps its full timeout so a
      // sent write is not abandoned early (that would make its outcome unknown for nothing).
      const timeoutMs =
        ex.kind === 'read' && deadline !== undefined
          ? Math.max(1, Math.min(config.requestTimeoutMs, deadline - now))
          : config.requestTimeoutMs;
      const attempt: Attempt = await sendUnderBudget(ex, deps, {
        priority: idle ? 'idle' : ex.kind === 'write' ? 'write' : 'read',
        ...(idle ? { headroom: idle.headroom } : {}),
        ...(deadline !== undefined ? { deadline } : {}),
        ...(failFast ? { startBy: now + FAIL_FAST_SLOT_WAIT_MS } : {}),
        // Its polls cannot follow at once: the planner counts the waits between them, and the
        // answer each waits for.
        pollWaitMs: (polls: number) => pollWaitMs(polls, config) + polls * roundTrips.slowest(),
        timeoutMs,
        poll: false,
      });
      if (attempt.type === 'response' && attempt.status === 200) return attempt;
      if (attempt.type === 'response' && attempt.status === 202) {
        // A write, once accepted, is polled to its outcome whatever the caller's deadline.
        return pollUntilDone(ex, deps, config, {
          acceptedAt: clock.now(),
          ...(ex.kind === 'read' && deadline !== undefined ? { deadline } : {}),
          retry: policy,
          failFast,
        });
      }
      if (failFast || !mayResend(ex.kind, attempt) || n >= maxAttempts)
        throw errorFor(ex, attempt, clock);
      const is429 = attempt.type === 'response' && attempt.status === 429;
      const delay = is429
        ? (retryAfterOf(attempt, clock) ?? DEFAULT_RETRY_AFTER_MS)
        : backoffDelay(n, policy, random);
      // Waiting past the deadline is pointless: fail now — a 429 or 503 as what the service said,
      // a read's lost answers as the deadline they ran into (UPSTREAM_TIMEOUT).
      if (deadline !== undefined && clock.now() + delay >= deadline) {
        if (attempt.type === 'response' || ex.kind === 'write') throw errorFor(ex, attempt, clock);
        throw timeoutError(
          ex,
          `no answer before the deadline (${n} attempts; the last ${attempt.type === 'network' ? `lost its connection (${attempt.code})` : 'timed out'})`,
          false,
        );
      }
      ex.stats.retries++;
      if (ex.trace) ex.trace.retries++;
      await clock.sleep(delay, ex.signal);
    }
  }

  function report(
    ex: Exchange,
    started: number,
    requestId: string | undefined,
    ref: string | undefined,
    err?: unknown,
  ) {
    const durationMs = Math.max(0, Math.round(clock.now() - started));
    const errorCode =
      err === undefined
        ? undefined
        : err instanceof ArchticsError
          ? err.code
          : isAbort(err)
            ? 'ABORTED'
            : 'INTERNAL';
    const status: ExchangeStats['status'] =
      err instanceof ArchticsError && err.code === 'UPSTREAM_TIMEOUT' ? 'timeout' : ex.stats.status;
    const event: UpstreamCallEvent = {
      command: ex.command,
      product: ex.product,
      kind: ex.kind,
      status,
      attempts: ex.stats.attempts,
      polls: ex.stats.polls,
      durationMs,
      outcome: err === undefined ? 'ok' : 'error',
      ...(errorCode ? { errorCode } : {}),
    };
    try {
      opts.onUpstreamCall?.(event);
    } catch {
      // A metrics hook must never fail a command.
    }
    if (!opts.logger) return;
    const line = {
      ...event,
      retries: ex.stats.retries,
      ...(requestId ? { requestId } : {}),
      ...(ref !== undefined ? { ref } : {}),
      ...(err instanceof ArchticsError && 'outcomeUnknown' in err && err.outcomeUnknown
        ? { outcomeUnknown: true }
        : {}),
    };
    if (err === undefined) opts.logger.debug(line, 'archtics command ok');
    else opts.logger.warn({ ...line, error: safeMessage(err, secrets) }, 'archtics command failed');
  }

  async function run<Req, Res>(
    def: CommandDef<Req, Res>,
    req: Req,
    runOpts: RunOptions = {},
  ): Promise<Res> {
    const started = clock.now();
    const id = identify(def);
    // One signal for the command: the caller's, or close().
    const controller = new AbortController();
    const forward = (source: AbortSignal) => () => controller.abort(source.reason);
    const onCallerAbort = runOpts.signal ? forward(runOpts.signal) : undefined;
    const onClose = forward(closing.signal);
    if (runOpts.signal?.aborted) controller.abort(runOpts.signal.reason);
    else if (closing.signal.aborted) controller.abort(closing.signal.reason);
    if (runOpts.signal && onCallerAbort)
      runOpts.signal.addEventListener('abort', onCallerAbort, { once: true });
    closing.signal.addEventListener('abort', onClose, { once: true });

    const ex: Exchange = {
      ...id,
      url: '',
      body: '',
      jar: new CookieJar(),
      signal: controller.signal,
      stats: { attempts: 0, polls: 0, retries: 0, status: 'none' },
      ...(limiter.claim ? { claim: limiter.claim(id.command, runOpts.caller) } : {}),
      ...(runOpts.trace ? { trace: runOpts.trace } : {}),
      secrets,
    };
    try {
      if (controller.signal.aborted) throw controller.signal.reason;
      ex.url = commandUrl(config, id.product);
      ex.body = serializeEnvelope(buildEnvelope(config, def, req, runOpts.ref));
      // The caller's (for a read in a GraphQL operation: the earlier of the operation's and the
      // read's own, src/context.ts), else a read's own.
      const deadline =
        runOpts.deadline ?? (id.kind === 'read' ? started + config.readDeadlineMs : undefined);
      const answer = await exchange(
        ex,
        deadline,
        id.kind === 'read' && runOpts.failFast === true,
        runOpts.idle,
      );
      const command1 = readCommand1(answer.body, { ...id, cutShort: answer.cutShort, secrets });
      const result = parseAnswer((c) => def.parse(c), command1, ex);
      report(ex, started, runOpts.requestId, runOpts.ref);
      return result;
    } catch (err) {
      // Whatever failed, a cancelled command rejects with the cancellation's reason.
      const thrown = controller.signal.aborted ? controller.signal.reason : err;
      report(ex, started, runOpts.requestId, runOpts.ref, thrown);
      throw thrown;
    } finally {
      ex.claim?.settle();
      runOpts.signal?.removeEventListener('abort', onCallerAbort!);
      closing.signal.removeEventListener('abort', onClose);
    }
  }

  return {
    run,
    async close() {
      if (!closing.signal.aborted) closing.abort(new UnavailableError('archtics client closed'));
    },
  };
}

/** def.parse throws ArchticsCommandError itself; anything else it throws is a protocol problem. */
function parseAnswer<Res>(
  parse: (command1: Command1Response) => Res,
  command1: Command1Response,
  ex: Exchange,
): Res {
  try {
    return parse(command1);
  } catch (err) {
    if (err instanceof ArchticsError) throw err;
    const why = err instanceof Error ? err.message : String(err);
    // The service answered, so a write was executed; we just cannot read what it did.
    throw new ProtocolError(
      redactSecrets(
        `archtics ${ex.command} (${ex.product}): could not read the answer: ${why}`,
        ex.secrets,
      ),
      undefined,
      {
        command: ex.command,
        kind: ex.kind,
        status: 200,
        outcomeUnknown: ex.kind === 'write',
      },
    );
  }
}

function isAbort(err: unknown): boolean {
  return (
    (err instanceof Error || err instanceof DOMException) &&
    (err.name === 'AbortError' || err.name === 'TimeoutError')
  );
}

function safeMessage(err: unknown, secrets: readonly string[]): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return redactSecrets(text, secrets);
}
