/**
 * Test helper: one sandbox per test file, and a small raw caller for its wire protocol.
 *
 *   const sb = useSandbox({ timeScale: 0.01 });
 *   const r = await sb.call({ command1: { cmd: 'ping' } });   // uid and dsn filled in
 *   expect(r.status).toBe(200); expect(r.json.command1.result).toBe(0);
 */
import { afterAll, beforeAll } from 'vitest';
import type { Product } from '../../src/protocol/wire.js';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../src/sandbox/index.js';

export const TEST_HEADER = {
  ver: 1,
  src_sys_type: 2,
  src_sys_name: 'testing',
  archtics_version: 'V999',
};

export interface SandboxCall {
  product?: Product | string;
  /** uid "user99" and the sandbox's dsn are added unless given (null removes them). */
  command1?: Record<string, unknown>;
  header?: Record<string, unknown>;
  /** Send exactly this body instead of an envelope. */
  raw?: string;
  apiKey?: string;
  dsn?: string;
  /** A Cookie header value, e.g. reply.cookieHeader of a 202. */
  cookie?: string;
}

export interface SandboxReply {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed body, undefined when empty or not JSON. */
  json: any;
  setCookies: string[];
  /** "CID=…; QTKN=…" from the Set-Cookie headers, ready to send back. */
  cookieHeader: string;
  /** The body sent (to repeat it byte for byte when polling). */
  sent: string;
}

export function envelope(
  command1: Record<string, unknown>,
  header: Record<string, unknown> = TEST_HEADER,
  dsn = 'apigee',
): string {
  const c1: Record<string, unknown> = { uid: 'user99', dsn, ...command1 };
  for (const [k, v] of Object.entries(c1)) if (v === null) delete c1[k];
  return JSON.stringify({ header, command1: c1 });
}

export async function callSandbox(
  sb: Pick<RunningSandbox, 'url' | 'apiKey' | 'dsn'>,
  call: SandboxCall,
): Promise<SandboxReply> {
  const dsn = call.dsn ?? sb.dsn;
  const body = call.raw ?? envelope(call.command1 ?? { cmd: 'ping' }, call.header, sb.dsn);
  const url = `${sb.url}/${call.product ?? 'sth-customer'}/ticketing_services.aspx?dsn=${encodeURIComponent(dsn)}&apikey=${encodeURIComponent(call.apiKey ?? sb.apiKey)}`;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (call.cookie) headers.cookie = call.cookie;
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  const setCookies = res.headers.getSetCookie();
  const cookieHeader = setCookies.map((c) => c.split(';')[0]).join('; ');
  return {
    status: res.status,
    headers: res.headers,
    text,
    json,
    setCookies,
    cookieHeader,
    sent: body,
  };
}

export async function admin(
  sb: Pick<RunningSandbox, 'url'>,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: any }> {
  const res = await fetch(`${sb.url}/__sandbox/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

export interface SandboxFixture {
  readonly sandbox: RunningSandbox;
  call(call: SandboxCall): Promise<SandboxReply>;
}

/** Starts one sandbox for the calling test file (beforeAll) and closes it afterwards. */
export function useSandbox(options: Partial<SandboxOptions> = {}): SandboxFixture {
  let running: RunningSandbox | undefined;
  beforeAll(async () => {
    running = await startSandbox(options);
  });
  afterAll(async () => {
    await running?.close();
  });
  return {
    get sandbox() {
      if (!running) throw new Error('sandbox not started yet (use it inside a test or hook)');
      return running;
    },
    call(call) {
      return callSandbox(this.sandbox, call);
    },
  };
}
