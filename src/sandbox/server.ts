/**
 * The sandbox's HTTP server: the transport rules of the gateway in front of Archtics
 * (reference §1), the envelope (§2) and asynchronous polling (§3), around a World that knows the
 * commands. node:http only.
 *
 * Every POST to /{product}/ticketing_services.aspx goes through these checks, in this order; the
 * first that fails answers:
 *   1. the path names a product and the resource          else 404 UnknownProduct
 *      (the path picks the API before anything is checked, so this costs no quota)
 *   2. the apikey is known                                 else 401 InvalidApiKey
 *   3. the DSN exists                                      else 404 UnknownDsn
 *      and the key may use it                              else 401 DsnNotAllowed
 *   4. the key may use this product                        else 401 ProductNotAllowed
 *   5. the URL's DSN equals command1.dsn, case-insensitive else 401 DsnMismatch
 *      (skipped when the body has no command1: step 7 refuses it)
 *   6. the key's quota (forced-429 faults fire here)       else 429 QuotaDay / QuotaMinute
 *      — from here on the POST has consumed quota; refusals above consumed none
 *   7. the envelope: JSON object with command1             else 200 header.result 1
 *      cmd is a known command                              else 200 header.result 2
 *      the command belongs to the product (products nest)  else 401 ProductNotAllowed
 *      uid is present                                      else 200 header.result 3
 *   8. unavailable faults                                  → 503 Unavailable
 *   9. a poll (CID+QTKN of a queued command, same key and product, byte-identical body) gets 202
 *      or its result; anything else is a new command: 202 + cookies when its service time reaches
 *      the async threshold (it then runs at completion time, see polling.ts), else it runs after
 *      its service time and answers 200.
 *  10. slow / dropConnection / brokenJson faults shape the answer (see faults.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  HEADER_RESULT,
  POLL_COOKIES,
  PRODUCTS,
  RESOURCE,
  type Command1Request,
  type FaultBody,
  type FaultCode,
  type Product,
} from '../protocol/wire.js';
import { COMMANDS, productContains, type CommandName } from './reference.js';
import type { SandboxClock } from './clock.js';
import { Conformance, SESSION_COOKIE, type Observation } from './conformance.js';
import { FaultError, Faults, type FaultContext } from './faults.js';
import { PollQueue, parseCookies, type QueuedCommand } from './polling.js';
import { SlidingQuota } from './quota.js';
import { StatsRecorder, type SandboxStats } from './stats.js';
import type { ApiKeySpec, SandboxOptions, World } from './types.js';

export const ATS_VERSION = '4.23.3';
const MAX_BODY_BYTES = 1 << 20;

const FAULT_TEXT: Record<FaultCode, string> = {
  InvalidApiKey: 'Invalid ApiKey',
  DsnNotAllowed: 'The API key is not authorised for this DSN',
  DsnMismatch: 'The DSN in the URL does not match the DSN in the request',
  ProductNotAllowed: 'Not authorised for this product',
  UnknownProduct: 'Unknown product or resource',
  UnknownDsn: 'Unknown DSN',
  QuotaMinute: 'Rate limit exceeded: calls per minute',
  QuotaDay: 'Quota exceeded: calls per day',
  Unavailable: 'The service is temporarily unavailable',
};

/** What one request answers (before answer-shaping faults). */
interface Reply {
  status: number;
  body: string;
  headers?: Record<string, string | string[]>;
  /** A command's result: brokenJson may strike it. */
  isResult?: boolean;
}

/** What `ticketing` learnt of a request on the way, for strict mode (conformance.ts). */
interface RequestNote {
  ctx?: FaultContext;
  /** Refused by the quota itself (not a forced rateLimit fault). */
  quota429?: boolean;
}

interface KeyState {
  spec: ApiKeySpec;
  dsns: Set<string> | '*';
  quota: SlidingQuota;
}

type Envelope =
  | { ok: false; header: Record<string, unknown> }
  | { ok: true; header: Record<string, unknown>; command1: Command1Request };

export type ResolvedOptions = SandboxOptions & { keys: ApiKeySpec[] };

function faultBody(code: FaultCode, text = FAULT_TEXT[code]): string {
  const body: FaultBody = { fault: { faultstring: text, detail: { errorcode: code } } };
  return JSON.stringify(body);
}

function fault(status: number, code: FaultCode, headers?: Record<string, string>): Reply {
  return { status, body: faultBody(code), headers };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseEnvelope(body: Buffer): Envelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, header: {} };
  }
  const header = isObject(parsed) && isObject(parsed.header) ? parsed.header : {};
  if (!isObject(parsed) || !isObject(parsed.command1)) return { ok: false, header };
  return { ok: true, header, command1: parsed.command1 as Command1Request };
}

/** A refused envelope: 200 with header.result != 0 and no command1. */
function headerRefusal(header: Record<string, unknown>, result: number, detail: string): Reply {
  return {
    status: 200,
    body: JSON.stringify({
      header: { ...header, ats_version: ATS_VERSION, result, error_detail: detail },
    }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class Sandbox {
  readonly stats = new StatsRecorder();
  readonly faults: Faults;
  readonly queue: PollQueue;
  /** Strict mode's protocol judge (conformance.ts); undefined when strict is off. */
  readonly conformance?: Conformance;
  private readonly keys = new Map<string, KeyState>();
  private readonly knownDsns = new Set<string>();
  private readonly serviceTime: Record<string, number>;
  private readonly unsubscribeClock: () => void;

  constructor(
    readonly options: ResolvedOptions,
    readonly world: World,
    readonly clock: SandboxClock,
  ) {
    this.faults = new Faults(options.seed, options.faults);
    for (const dsn of [options.dsn, ...(options.dsns ?? [])]) this.knownDsns.add(dsn.toLowerCase());
    for (const spec of options.keys) {
      const dsns = spec.dsns === '*' ? '*' : new Set(spec.dsns.map((d) => d.toLowerCase()));
      if (dsns !== '*') for (const d of dsns) this.knownDsns.add(d);
      this.keys.set(spec.key, {
        spec,
        dsns,
        quota: new SlidingQuota(
          spec.ratePerMinute ?? options.ratePerMinute,
          spec.ratePerDay ?? options.ratePerDay,
        ),
      });
    }
    this.serviceTime = {
      default: 2,
      ats_ext_test_polling: 10_000,
      ...options.serviceTimeMs,
    } as Record<string, number>;
    this.queue = new PollQueue((entry) => this.runQueued(entry), options.resultTtlMs, clock);
    // An advanced clock completes due commands at once, not at their (now late) timers.
    this.unsubscribeClock = clock.onAdvance(() => this.queue.runDue());
    if (options.strict) {
      this.conformance = new Conformance(
        () => clock.now(),
        options.strict === true ? {} : options.strict,
        undefined,
        (cid) => this.queue.has(cid),
      );
    }
  }

  snapshot(): SandboxStats {
    this.queue.runDue();
    const snap = this.stats.snapshot(this.clock.now(), {
      pending: this.queue.size,
      expired: this.queue.expired,
      faults: this.faults.fired,
    });
    if (this.conformance) {
      snap.violations = this.conformance.violations();
      snap.violationCounts = this.conformance.countsByRule();
    }
    return snap;
  }

  reset(): void {
    this.world.reset();
    this.queue.clear();
    for (const k of this.keys.values()) k.quota.reset();
    this.stats.reset();
    this.conformance?.reset();
    this.faults.set(this.options.faults);
    this.faults.resetCounters();
  }

  info(): Record<string, unknown> {
    const now = this.clock.now();
    return {
      atsVersion: ATS_VERSION,
      dsn: this.options.dsn,
      dsns: [...this.knownDsns],
      products: PRODUCTS,
      resource: RESOURCE,
      limits: { ratePerMinute: this.options.ratePerMinute, ratePerDay: this.options.ratePerDay },
      timing: {
        timeScale: this.clock.timeScale,
        asyncThresholdMs: this.options.asyncThresholdMs,
        async: this.options.forceAsync ? 'always' : 'auto',
        forceAsync: this.options.forceAsync,
        pollsToResult: this.options.pollsToResult,
        serviceTimeMs: this.serviceTime,
        resultTtlMs: this.options.resultTtlMs,
      },
      now,
      nowIso: new Date(now).toISOString(),
      world: this.world.name,
      samples: this.world.samples,
    };
  }

  close(): void {
    this.unsubscribeClock();
    this.queue.clear();
  }

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.route(req, res).catch((err: unknown) => {
      this.options.log?.(
        `sandbox: request failed: ${err instanceof Error ? err.message : String(err)}`,
      );
      if (!res.headersSent)
        send(res, { status: 500, body: JSON.stringify({ error: 'sandbox internal error' }) });
      else res.destroy();
    });
  };

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    if (url.pathname.startsWith('/__sandbox/'))
      return this.admin(req, res, url.pathname.slice('/__sandbox/'.length));
    const match = /^\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (req.method !== 'POST') {
      req.resume();
      return send(res, {
        status: 405,
        headers: { allow: 'POST' },
        body: JSON.stringify({ error: 'POST only' }),
      });
    }
    const product =
      match && match[2] === RESOURCE && (PRODUCTS as readonly string[]).includes(match[1]!)
        ? (match[1] as Product)
        : undefined;
    this.stats.post(product, this.clock.now());
    const body = await readBody(req);
    if (body === undefined)
      return this.answer(res, { status: 413, body: JSON.stringify({ error: 'body too large' }) });
    const note: RequestNote = {};
    const observed = this.conformance?.arrive(this.arrival(req, url, product, body));
    const outcome = await this.ticketing(req, url, product, body, note);
    if (observed) this.judged(observed, outcome.reply, note);
    if (outcome.ctx) return this.shapeAndSend(res, outcome.reply, outcome.ctx);
    this.answer(res, outcome.reply);
  }

  /** Strict mode: what conformance.ts judges a POST by. */
  private arrival(req: IncomingMessage, url: URL, product: Product | undefined, body: Buffer) {
    const apiKey = url.searchParams.get('apikey');
    const key = apiKey === null ? undefined : this.keys.get(apiKey);
    return {
      product,
      apiKey,
      keyKnown: key !== undefined,
      ratePerMinute: key?.spec.ratePerMinute ?? this.options.ratePerMinute,
      urlDsn: url.searchParams.get('dsn'),
      contentType: req.headers['content-type'],
      cookies: parseCookies(req.headers.cookie),
      body,
    };
  }

  /** Strict mode: tells conformance.ts what was decided; adds the SID cookie to a 202; times a 429. */
  private judged(observed: Observation, reply: Reply, note: RequestNote): void {
    const conformance = this.conformance!;
    const setCookie = reply.headers?.['set-cookie'];
    const setCookies = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
    const retryAfter = reply.headers?.['retry-after'];
    const isPoll = note.ctx?.isPoll === true;
    const sid = conformance.decided(observed, {
      status: reply.status,
      setCookies,
      isPoll,
      newCommand: note.ctx !== undefined && !isPoll,
      ran: reply.isResult === true || (reply.status === 202 && !isPoll),
      quota429: note.quota429 === true,
      ...(typeof retryAfter === 'string' ? { retryAfter } : {}),
    });
    if (sid !== undefined && reply.status === 202)
      reply.headers = {
        ...reply.headers,
        'set-cookie': [...setCookies, `${SESSION_COOKIE}=${sid}; Path=/; HttpOnly`],
      };
    // The pause is counted from now, before the 429 is written: the client cannot have it any
    // earlier, so a busy event loop can only make the rule more lenient, never invent a violation.
    if (reply.status === 429)
      conformance.refused429(
        observed.apiKey,
        typeof retryAfter === 'string' ? retryAfter : undefined,
      );
  }

  /** Steps 1–9 of the header comment. `ctx` is set once the request reached the command stage. */
  private async ticketing(
    req: IncomingMessage,
    url: URL,
    product: Product | undefined,
    body: Buffer,
    note: RequestNote = {},
  ): Promise<{ reply: Reply; ctx?: FaultContext }> {
    if (!product) return { reply: fault(404, 'UnknownProduct') };
    const apiKey = url.searchParams.get('apikey') ?? '';
    const key = this.keys.get(apiKey);
    if (!key) return { reply: fault(401, 'InvalidApiKey') };
    const dsn = url.searchParams.get('dsn') ?? '';
    if (!this.knownDsns.has(dsn.toLowerCase())) return { reply: fault(404, 'UnknownDsn') };
    if (key.dsns !== '*' && !key.dsns.has(dsn.toLowerCase()))
      return { reply: fault(401, 'DsnNotAllowed') };
    if (key.spec.products && !key.spec.products.includes(product))
      return { reply: fault(401, 'ProductNotAllowed') };

    const env = parseEnvelope(body);
    if (env.ok && String(env.command1.dsn ?? '').toLowerCase() !== dsn.toLowerCase())
      return { reply: fault(401, 'DsnMismatch') };

    const cmdSent = env.ok && typeof env.command1.cmd === 'string' ? env.command1.cmd : undefined;
    const cmd =
      cmdSent !== undefined && Object.hasOwn(COMMANDS, cmdSent.toLowerCase())
        ? (cmdSent.toLowerCase() as CommandName)
        : undefined;
    this.queue.runDue();
    const poll = cmd
      ? this.queue.find(parseCookies(req.headers.cookie), apiKey, product, body)
      : undefined;
    const ctx: FaultContext | undefined = cmd ? { cmd, isPoll: poll !== undefined } : undefined;
    note.ctx = ctx;

    const forced = ctx && this.faults.take('rateLimit', ctx);
    if (forced)
      return {
        reply: fault(429, 'QuotaMinute', { 'retry-after': String(forced.retryAfterSeconds ?? 1) }),
      };
    const verdict = key.quota.tryAcquire(this.clock.now());
    if (!verdict.ok) {
      note.quota429 = true;
      // Retry-After is what the caller waits in real time: whole seconds, at least 1.
      const seconds = Math.max(1, Math.ceil(this.clock.toRealMs(verdict.waitMs) / 1000));
      return { reply: fault(429, verdict.code, { 'retry-after': String(seconds) }) };
    }

    if (!env.ok)
      return this.refuse(
        env.header,
        HEADER_RESULT.malformed,
        'Malformed request: not JSON or no command1',
      );
    if (!cmd || !ctx)
      return this.refuse(
        env.header,
        HEADER_RESULT.unknownCommand,
        `Unknown command: ${String(env.command1.cmd ?? '')}`,
      );
    if (!productContains(product, COMMANDS[cmd].product))
      return { reply: fault(401, 'ProductNotAllowed') };
    const uid = env.command1.uid;
    if ((typeof uid !== 'string' && typeof uid !== 'number') || String(uid).trim() === '') {
      return this.refuse(env.header, HEADER_RESULT.missingUid, 'Missing uid');
    }

    if (poll) this.stats.polls++;
    else this.stats.command(cmd);
    if (this.faults.take('unavailable', ctx)) return { reply: fault(503, 'Unavailable'), ctx };

    if (poll) {
      if (this.queue.poll(poll.entry) === 'pending') return { reply: accepted(poll.entry), ctx };
      this.stats.delivered++;
      return { reply: { ...this.queue.deliver(poll.entry), isResult: true }, ctx };
    }

    const serviceMs = this.serviceTime[cmd] ?? this.serviceTime.default ?? 0;
    if (this.options.forceAsync || serviceMs >= this.options.asyncThresholdMs) {
      const now = this.clock.now();
      const entry = this.queue.enqueue({
        apiKey,
        product,
        body,
        cmd,
        acceptedAt: now,
        readyAt: now + serviceMs,
        ...(this.options.forceAsync ? { resultOnPoll: this.options.pollsToResult } : {}),
      });
      this.stats.queued++;
      return { reply: accepted(entry), ctx };
    }
    const realMs = this.clock.toRealMs(serviceMs);
    if (realMs >= 1) await sleep(realMs);
    return { reply: { ...this.execute(cmd, env.command1, env.header), isResult: true }, ctx };
  }

  private refuse(
    header: Record<string, unknown>,
    result: number,
    detail: string,
  ): { reply: Reply } {
    this.stats.headerErrors[String(result) as '1' | '2' | '3']++;
    return { reply: headerRefusal(header, result, detail) };
  }

  /** A queued command's turn (called by the queue at completion time): its body was valid when accepted. */
  private runQueued(entry: QueuedCommand): Reply {
    const env = parseEnvelope(entry.body) as Extract<Envelope, { ok: true }>;
    return this.execute(entry.cmd, env.command1, env.header);
  }

  /** Runs one command in the world and builds the response envelope. */
  private execute(
    cmd: CommandName,
    command1: Command1Request,
    header: Record<string, unknown>,
  ): Reply {
    this.stats.execution(cmd);
    let outcome;
    try {
      outcome = this.world.execute(cmd, command1);
    } catch (err) {
      // A world crash is a sandbox bug, not protocol behaviour: say so plainly.
      const message = err instanceof Error ? err.message : String(err);
      this.options.log?.(`sandbox: world failed on ${cmd}: ${message}`);
      return {
        status: 500,
        body: JSON.stringify({
          fault: {
            faultstring: `Sandbox world failed: ${message}`,
            detail: { errorcode: 'SandboxError' },
          },
        }),
      };
    }
    const out: Record<string, unknown> = { cmd: command1.cmd };
    if (command1.ref !== undefined) out.ref = command1.ref;
    out.result = outcome.result;
    out.sql_code = outcome.sql_code;
    if (outcome.error_detail !== undefined) out.error_detail = outcome.error_detail;
    if (outcome.error_desc !== undefined) out.error_desc = outcome.error_desc;
    for (const [k, v] of Object.entries(outcome.fields ?? {})) if (!(k in out)) out[k] = v;
    return {
      status: 200,
      body: JSON.stringify({
        command1: out,
        header: { ...header, ats_version: ATS_VERSION, result: 0 },
      }),
    };
  }

  /** Step 10: answer-shaping faults, then the answer. */
  private async shapeAndSend(res: ServerResponse, reply: Reply, ctx: FaultContext): Promise<void> {
    const slow = this.faults.take('slow', ctx);
    if (slow) await sleep(slow.delayMs ?? 1000);
    if (this.faults.take('dropConnection', ctx)) {
      res.socket?.destroy();
      return;
    }
    if (reply.isResult && reply.status === 200) {
      const broken = this.faults.take('brokenJson', ctx);
      if (broken) {
        reply = {
          ...reply,
          body:
            broken.body === 'html'
              ? '<html><body><h1>Server Error</h1></body></html>'
              : reply.body.slice(0, Math.max(1, Math.floor(reply.body.length / 2))),
        };
      }
    }
    this.answer(res, reply);
  }

  private answer(res: ServerResponse, reply: Reply): void {
    this.stats.status(reply.status);
    send(res, reply);
  }

  // ── Admin endpoints ───────────────────────────────────────────────────────────────────────

  private async admin(req: IncomingMessage, res: ServerResponse, what: string): Promise<void> {
    const body = (await readBody(req)) ?? Buffer.alloc(0);
    const json = (status: number, value: unknown) =>
      send(res, { status, body: JSON.stringify(value) });
    const input = (): unknown => (body.length ? JSON.parse(body.toString('utf8')) : {});
    const route = `${req.method} ${what}`;
    try {
      switch (route) {
        case 'GET stats':
          return json(200, this.snapshot());
        case 'GET info':
          return json(200, this.info());
        case 'POST reset':
          this.reset();
          return json(200, { ok: true });
        case 'GET faults':
          return json(200, { faults: this.faults.describe() });
        case 'POST faults':
          this.faults.set(input());
          return json(200, { faults: this.faults.describe() });
        case 'DELETE faults':
          this.faults.clear();
          return json(200, { faults: [] });
        case 'GET clock':
          return json(200, { now: this.clock.now(), timeScale: this.clock.timeScale });
        case 'POST clock': {
          const advanceMs = (input() as { advanceMs?: unknown }).advanceMs;
          if (typeof advanceMs !== 'number' || !Number.isFinite(advanceMs) || advanceMs < 0)
            return json(400, { error: 'advanceMs must be a non-negative number' });
          this.clock.advance(advanceMs);
          return json(200, { now: this.clock.now() });
        }
        default:
          return json(404, { error: `no admin endpoint ${route}` });
      }
    } catch (err) {
      if (err instanceof SyntaxError || err instanceof FaultError)
        return json(400, { error: err.message });
      throw err;
    }
  }
}

function accepted(entry: QueuedCommand): Reply {
  return {
    status: 202,
    body: '',
    headers: {
      'set-cookie': [
        `${POLL_COOKIES.commandId}=${entry.cid}; Path=/; HttpOnly`,
        `${POLL_COOKIES.queueToken}=${entry.qtkn}; Path=/; HttpOnly`,
      ],
    },
  };
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string | string[] | number> = {
    'content-length': Buffer.byteLength(reply.body),
    ...reply.headers,
  };
  if (reply.body.length > 0) headers['content-type'] = 'application/json; charset=utf-8';
  res.writeHead(reply.status, headers);
  res.end(reply.body);
}

export function createSandboxHttpServer(sandbox: Sandbox): Server {
  const server = createServer(sandbox.handle);
  server.keepAliveTimeout = 5_000;
  return server;
}
