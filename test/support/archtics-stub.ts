/**
 * A small programmable stand-in for the Archtics service, on node:http at 127.0.0.1:0, for the
 * command client's transport tests. Not the sandbox: it knows nothing about commands; each test
 * says what to answer. It records every request (raw body bytes, cookies, query, and the time on
 * an injected clock) so tests assert on what really went over the wire.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Clock } from '../../src/clock.js';

export interface StubRequest {
  index: number;
  method: string;
  /** Path without the query, e.g. /sth-customer/ticketing_services.aspx */
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  /** The parsed body, when it is JSON. */
  json?: { header?: Record<string, unknown>; command1?: Record<string, unknown> } & Record<
    string,
    unknown
  >;
  cookies: Record<string, string>;
  /** `now()` of the injected clock when the request arrived. */
  at: number;
}

export type StubReply =
  | { status: number; headers?: Record<string, string | string[]>; body?: string }
  /** Read the request, then destroy the socket without answering. */
  | { drop: true }
  /** Never answer (the socket is closed by close()). */
  | { hang: true }
  /** Send a 200 whose declared length is longer than `cut`, then destroy the socket. */
  | { cut: string }
  /** Send a 200's headers and `stall` of its body, then nothing more (closed by close()). */
  | { stall: string };

export type StubHandler = (req: StubRequest) => StubReply | Promise<StubReply>;

export interface ArchticsStub {
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  requests: StubRequest[];
  /** Replace the handler. */
  handle(handler: StubHandler): void;
  /** Answer the next requests with these replies in order (then fall back to the handler). */
  queue(...replies: StubReply[]): void;
  close(): Promise<void>;
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

export async function startArchticsStub(
  opts: { handler?: StubHandler; clock?: Pick<Clock, 'now'> } = {},
): Promise<ArchticsStub> {
  let handler: StubHandler = opts.handler ?? ((req) => okAnswer(req));
  const queued: StubReply[] = [];
  const requests: StubRequest[] = [];
  const sockets = new Set<Socket>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://stub');
        const rawBody = Buffer.concat(chunks).toString('utf8');
        let json: StubRequest['json'];
        try {
          json = JSON.parse(rawBody);
        } catch {
          json = undefined;
        }
        const record: StubRequest = {
          index: requests.length,
          method: req.method ?? '',
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers: req.headers,
          rawBody,
          ...(json !== undefined ? { json } : {}),
          cookies: parseCookies(req.headers.cookie),
          at: opts.clock ? opts.clock.now() : Date.now(),
        };
        requests.push(record);
        const reply = queued.length > 0 ? queued.shift()! : await handler(record);
        if ('drop' in reply) {
          req.socket.destroy();
        } else if ('hang' in reply) {
          // Leave it open; close() destroys it.
        } else if ('stall' in reply) {
          res.writeHead(200, {
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(reply.stall) + 100),
          });
          res.write(reply.stall);
        } else if ('cut' in reply) {
          res.writeHead(200, {
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(reply.cut) + 100),
          });
          res.write(reply.cut);
          setTimeout(() => req.socket.destroy(), 10);
        } else {
          res.writeHead(reply.status, {
            'content-type': 'application/json',
            ...(reply.headers ?? {}),
          });
          res.end(reply.body ?? '');
        }
      })();
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    handle(h) {
      handler = h;
    },
    queue(...replies) {
      queued.push(...replies);
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ── Replies ───────────────────────────────────────────────────────────────────────────────────

/** A 200 envelope echoing the request's cmd/ref and header, with `output` in command1. */
export function okAnswer(
  req: StubRequest,
  output: Record<string, unknown> = {},
  opts: { headerResult?: number; omitCommand1?: boolean } = {},
): StubReply {
  const c1 = req.json?.command1 ?? {};
  const body: Record<string, unknown> = {
    ...(opts.omitCommand1
      ? {}
      : {
          command1: {
            cmd: c1.cmd,
            ...(c1.ref !== undefined ? { ref: c1.ref } : {}),
            result: 0,
            sql_code: 0,
            ...output,
          },
        }),
    header: { ...(req.json?.header ?? {}), ats_version: '4.23.3', result: opts.headerResult ?? 0 },
  };
  return { status: 200, body: JSON.stringify(body) };
}

/** A 401/404/429/503 with the protocol's fault body. */
export function fault(
  status: number,
  errorcode: string,
  opts: { faultstring?: string; retryAfterSeconds?: number } = {},
): StubReply {
  return {
    status,
    headers:
      opts.retryAfterSeconds !== undefined ? { 'retry-after': String(opts.retryAfterSeconds) } : {},
    body: JSON.stringify({
      fault: { faultstring: opts.faultstring ?? `${errorcode} fault`, detail: { errorcode } },
    }),
  };
}

/**
 * The service's polling behaviour (reference §3): the first POST is accepted (202 + CID, QTKN and
 * an extra SID cookie); a POST carrying those cookies and the identical body gets 202 `pending`
 * more times, then the 200 from `result`. A POST without the cookies is a NEW command: the stub
 * answers 400 and counts it in `newCommands` (for a write that would mean executing it twice).
 */
export function pollingProgram(opts: {
  pending: number;
  result?: (req: StubRequest) => StubReply;
  /** Cookies that must come back on every poll besides CID and QTKN. */
  extraCookies?: Record<string, string>;
}): StubHandler & { newCommands: number; bodyMismatches: number } {
  const extra = opts.extraCookies ?? { SID: 'sess-42' };
  let accepted:
    { cid: string; qtkn: string; body: string; left: number; done: boolean } | undefined;
  const state = { newCommands: 0, bodyMismatches: 0 };
  const handler = ((req: StubRequest): StubReply => {
    const c = req.cookies;
    if (accepted && !accepted.done && c.CID === accepted.cid && c.QTKN === accepted.qtkn) {
      if (Object.entries(extra).some(([k, v]) => c[k] !== v))
        return {
          status: 400,
          body: '{"fault":{"faultstring":"missing cookie","detail":{"errorcode":"MissingCookie"}}}',
        };
      if (req.rawBody !== accepted.body) {
        state.bodyMismatches++;
        return {
          status: 400,
          body: '{"fault":{"faultstring":"body differs","detail":{"errorcode":"BodyMismatch"}}}',
        };
      }
      if (accepted.left > 0) {
        accepted.left--;
        return { status: 202 };
      }
      accepted.done = true;
      return opts.result ? opts.result(req) : okAnswer(req);
    }
    state.newCommands++;
    if (accepted)
      return {
        status: 400,
        body: '{"fault":{"faultstring":"new command","detail":{"errorcode":"UnexpectedNewCommand"}}}',
      };
    accepted = {
      cid: 'cmd-7781',
      qtkn: 'q-19',
      body: req.rawBody,
      left: opts.pending,
      done: false,
    };
    return {
      status: 202,
      headers: {
        'set-cookie': [
          `CID=${accepted.cid}; Path=/; HttpOnly`,
          `QTKN=${accepted.qtkn}; Path=/; HttpOnly`,
          ...Object.entries(extra).map(([k, v]) => `${k}=${v}; Path=/`),
        ],
      },
    };
  }) as StubHandler & { newCommands: number; bodyMismatches: number };
  Object.defineProperty(handler, 'newCommands', { get: () => state.newCommands });
  Object.defineProperty(handler, 'bodyMismatches', { get: () => state.bodyMismatches });
  return handler;
}

/** A port on 127.0.0.1 with nothing listening (connection refused). */
export async function refusedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
