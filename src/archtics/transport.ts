/**
 * One HTTP POST to the service, on ky, and what became of it. ky is used with `retry: 0` (retries
 * are decided per command kind, in retry.ts) and `throwHttpErrors: false` (statuses are mapped
 * here). Nothing ky or undici throws leaves this module: their messages carry the URL, and the URL
 * carries the API key. Failures come back as plain data (`Attempt`) and become typed errors in
 * `errorFor`, whose messages are built here and scrubbed of the key.
 */
import ky, { TimeoutError as KyTimeoutError } from 'ky';
import type { CookieJar } from 'tough-cookie';
import type { Clock } from '../clock.js';
import type { Claim, Limiter, Priority } from '../quota/types.js';
import { parseFault, retryAfterMs, type CommandIdentity } from './envelope.js';
import {
  ProtocolError,
  RateLimitedError,
  SetupError,
  UnauthorizedError,
  UnavailableError,
  UpstreamTimeoutError,
  redactSecrets,
  type ArchticsError,
} from './errors.js';
import type { UpstreamTrace } from './types.js';

/** What one POST came to. */
export type Attempt =
  | {
      type: 'response';
      status: number;
      headers: Headers;
      body: string;
      /** The body broke off after the headers (connection closed mid-body). */
      cutShort: boolean;
    }
  /** The connection failed. `sent: false` only when the request provably never left (refused). */
  | { type: 'network'; sent: boolean; code: string }
  /** No complete answer within the attempt's timeout (headers or body). */
  | { type: 'timeout' };

export interface HttpRequest {
  url: string;
  body: string;
  cookie?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export type HttpPost = (req: HttpRequest) => Promise<Attempt>;

/** Connection errors raised before a byte of the request was written. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function errorCode(err: unknown): string {
  // undici: TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }); walk a few causes.
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return 'UNKNOWN';
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/**
 * The ky transport. ky's `timeout` bounds the wait for the headers; the same per-attempt budget
 * then bounds the body read (ky stops its timer once headers arrive), through an abort of the
 * request's own signal.
 */
export function createHttpPost(opts: { fetch?: typeof fetch } = {}): HttpPost {
  const api = ky.create({
    retry: 0,
    throwHttpErrors: false,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  return async ({ url, body, cookie, timeoutMs, signal }) => {
    if (signal?.aborted) throw abortReason(signal);
    // Per-attempt controller, linked to the caller's signal (removed again in `finally`).
    const attempt = new AbortController();
    const onAbort = () => attempt.abort(abortReason(signal!));
    signal?.addEventListener('abort', onAbort, { once: true });
    let bodyTimer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const started = performance.now();
    try {
      let response: Response;
      try {
        response = await api.post(url, {
          body,
          timeout: timeoutMs,
          signal: attempt.signal,
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            ...(cookie ? { cookie } : {}),
          },
        });
      } catch (err) {
        if (signal?.aborted) throw abortReason(signal);
        if (err instanceof KyTimeoutError) return { type: 'timeout' };
        const code = errorCode(err);
        return { type: 'network', sent: !NOT_SENT_CODES.has(code), code };
      }
      const left = Math.max(1, timeoutMs - (performance.now() - started));
      bodyTimer = setTimeout(() => {
        timedOut = true;
        attempt.abort();
      }, left);
      let text = '';
      let cutShort = false;
      try {
        text = await response.text();
      } catch {
        if (signal?.aborted) throw abortReason(signal);
        if (timedOut) return { type: 'timeout' };
        cutShort = true;
      }
      return {
        type: 'response',
        status: response.status,
        headers: response.headers,
        body: text,
        cutShort,
      };
    } finally {
      if (bodyTimer) clearTimeout(bodyTimer);
      signal?.removeEventListener('abort', onAbort);
    }
  };
}

/** Counters of one command's POSTs, for the trace, the log line and the UpstreamCallEvent. */
export interface ExchangeStats {
  /** Non-poll sends (the first one and re-sends). */
  attempts: number;
  polls: number;
  retries: number;
  /** Last thing seen: an HTTP status, or how the attempt failed. */
  status: number | 'network' | 'timeout' | 'none';
}

/** Everything about one command in flight that the send, poll and retry steps share. */
export interface Exchange extends CommandIdentity {
  /** Carries the API key: used for the request only, never in a message. */
  url: string;
  /** The envelope, serialized once; every poll re-sends these bytes. */
  body: string;
  /** One jar per command: every Set-Cookie of every answer, all sent back on every POST. */
  jar: CookieJar;
  signal?: AbortSignal;
  stats: ExchangeStats;
  /** The command's budget claim (Limiter.claim): its polls stay reserved while it runs. */
  claim?: Claim;
  trace?: UpstreamTrace;
  secrets: readonly string[];
}

export interface SendDeps {
  limiter: Limiter;
  http: HttpPost;
  clock: Clock;
}

/**
 * One POST under the budget: acquire a slot (every POST counts upstream, polls included), send the
 * jar's cookies, keep every Set-Cookie, and tell the limiter about a 429's Retry-After.
 * A 429 for another command may pause the key after the slot was granted and before the bytes go
 * (the jar is read in between): the grant is checked again after the last await, and a paused
 * slot goes back unsent and is asked for again — the same body, the same jar, after the pause.
 * Rejects only with the limiter's refusal or the abort reason.
 */
export async function sendUnderBudget(
  ex: Exchange,
  deps: SendDeps,
  opts: {
    priority: Priority;
    headroom?: number;
    deadline?: number;
    startBy?: number;
    pollWaitMs?: (polls: number) => number;
    timeoutMs: number;
    poll: boolean;
  },
): Promise<Attempt> {
  let cookie: string;
  for (;;) {
    const grant = await deps.limiter.acquire({
      priority: opts.priority,
      ...(opts.headroom !== undefined ? { headroom: opts.headroom } : {}),
      ...(opts.deadline !== undefined ? { deadline: opts.deadline } : {}),
      ...(opts.startBy !== undefined ? { startBy: opts.startBy } : {}),
      ...(opts.pollWaitMs ? { pollWaitMs: opts.pollWaitMs } : {}),
      ...(ex.signal ? { signal: ex.signal } : {}),
      command: ex.command,
      ...(ex.claim ? { claim: ex.claim } : {}),
    });
    cookie = await ex.jar.getCookieString(ex.url);
    if (ex.signal?.aborted) {
      await grant?.giveBack();
      throw abortReason(ex.signal);
    }
    if (!grant) break;
    const clear = grant.stillClear();
    if (typeof clear === 'boolean' ? clear : await clear) break;
  }
  if (opts.poll) {
    ex.stats.polls++;
    if (ex.trace) ex.trace.polls++;
  } else {
    ex.stats.attempts++;
    if (ex.trace) ex.trace.calls++;
  }
  const attempt = await deps.http({
    url: ex.url,
    body: ex.body,
    ...(cookie ? { cookie } : {}),
    timeoutMs: opts.timeoutMs,
    ...(ex.signal ? { signal: ex.signal } : {}),
  });
  ex.stats.status = attempt.type === 'response' ? attempt.status : attempt.type;
  if (attempt.type === 'response') {
    // The pause first, before any await: sends granted meanwhile check it right before they go.
    if (attempt.status === 429)
      deps.limiter.pauseFor(retryAfterOf(attempt, deps.clock) ?? DEFAULT_RETRY_AFTER_MS);
    ex.claim?.answered(attempt.status);
    for (const setCookie of attempt.headers.getSetCookie()) {
      // A malformed cookie is dropped, not fatal; its text could echo the URL, so no message.
      await ex.jar.setCookie(setCookie, ex.url, { ignoreError: true });
    }
  }
  return attempt;
}

/** Used when a 429 carries no readable Retry-After. */
export const DEFAULT_RETRY_AFTER_MS = 1_000;

export function retryAfterOf(attempt: Attempt, clock: Clock): number | undefined {
  return attempt.type === 'response'
    ? retryAfterMs(attempt.headers.get('retry-after'), clock.now())
    : undefined;
}

/**
 * The typed error for a failed attempt. `phase: 'poll'` means the command was already accepted
 * (202): a write that then loses its answer has an unknown outcome.
 */
export function errorFor(
  ex: Exchange,
  attempt: Attempt,
  clock: Clock,
  phase: 'send' | 'poll' = 'send',
): ArchticsError {
  const init = { command: ex.command, kind: ex.kind };
  const where = `archtics ${ex.command} (${ex.product})`;
  const msg = (text: string) => redactSecrets(`${where}: ${text}`, ex.secrets);
  const write = ex.kind === 'write';
  if (attempt.type === 'timeout') {
    // A timed-out write may have been received and executed.
    return new UpstreamTimeoutError(
      msg(`no answer within the request timeout${phase === 'poll' ? ' while polling' : ''}`),
      write,
      init,
    );
  }
  if (attempt.type === 'network') {
    const unknown = write && (attempt.sent || phase === 'poll');
    return new UnavailableError(
      msg(
        `connection failed (${attempt.code})${unknown ? '; the write may have been executed' : ''}`,
      ),
      {
        ...init,
        outcomeUnknown: unknown,
      },
    );
  }
  const { status } = attempt;
  const { faultCode, faultString } = parseFault(attempt.body);
  const detail = `HTTP ${status}${faultCode ? ` ${faultCode}` : ''}${faultString ? `: ${faultString}` : ''}`;
  const withStatus = { ...init, status };
  switch (status) {
    case 401:
      return new UnauthorizedError(msg(detail), faultCode, withStatus);
    case 404:
      return new SetupError(msg(detail), faultCode, withStatus);
    case 429: {
      const ms = retryAfterOf(attempt, clock) ?? DEFAULT_RETRY_AFTER_MS;
      return new RateLimitedError(
        msg(detail),
        Math.max(1, Math.ceil(ms / 1000)),
        'upstream',
        withStatus,
      );
    }
    case 503:
      return new UnavailableError(msg(detail), withStatus);
    default:
      // Anything else is outside the protocol. A 5xx on a write might hide an executed write.
      return new ProtocolError(msg(`unexpected ${detail}`), undefined, {
        ...withStatus,
        outcomeUnknown: write && status >= 500,
      });
  }
}

/** Error for a command whose answer did not come in time (polling, or a deadline). */
export function timeoutError(
  ex: Exchange,
  text: string,
  outcomeUnknown: boolean,
): UpstreamTimeoutError {
  return new UpstreamTimeoutError(
    redactSecrets(`archtics ${ex.command} (${ex.product}): ${text}`, ex.secrets),
    outcomeUnknown,
    {
      command: ex.command,
      kind: ex.kind,
    },
  );
}
