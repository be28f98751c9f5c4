/**
 * Real processes for the tests that kill them: the gateway as a child (`node --import tsx
 * src/main.ts`, configured by env, exactly as `npm start` runs it) and a redis-server the test
 * owns on a free port (`--save ''`: a restart comes back empty). Everything listens on 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { redisReachable } from '../../src/redis.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(
  cond: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs: number,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

export class GatewayProcess {
  readonly lines: LogLine[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
  ) {
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  /** Starts `node --import tsx src/main.ts` with `env` (plus PORT, HOST) and waits until it listens. */
  static async start(env: Record<string, string>, timeoutMs = 60_000): Promise<GatewayProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        ...env,
        PORT: String(port),
        HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const gw = new GatewayProcess(child, `http://127.0.0.1:${port}`);
    let buffered = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const line of parts) {
        if (!line.trim()) continue;
        try {
          gw.lines.push(JSON.parse(line) as LogLine);
        } catch {
          gw.lines.push({ level: 30, msg: line });
        }
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => gw.stderr.push(chunk));
    let exitedEarly = false;
    void gw.exited.then(() => (exitedEarly = true));
    await waitFor(
      () => exitedEarly || gw.lines.some((l) => l.msg?.startsWith('GraphQL gateway listening')),
      'the gateway to listen',
      timeoutMs,
    );
    if (exitedEarly)
      throw new Error(
        `gateway exited at start: ${gw.stderr.join('')}${gw.lines.map((l) => l.msg).join('\n')}`,
      );
    return gw;
  }

  /** POSTs one GraphQL operation; resolves with the JSON body (or rejects on a socket error). */
  async exec<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<{
    status: number;
    data?: T;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
  }> {
    const res = await fetch(`${this.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, ...((await res.json()) as object) };
  }

  async metrics(): Promise<string> {
    return (await fetch(`${this.url}/metrics`)).text();
  }

  /** The value of one metric line (`name{labels}` exactly as exposed), or undefined. */
  async metric(series: string): Promise<number | undefined> {
    const line = (await this.metrics()).split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  }

  logged(msg: string | RegExp): LogLine[] {
    return this.lines.filter((l) =>
      typeof msg === 'string' ? l.msg === msg : msg.test(l.msg ?? ''),
    );
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

export class RedisServer {
  private child?: ChildProcess;
  readonly url: string;

  private constructor(readonly port: number) {
    this.url = `redis://127.0.0.1:${port}`;
  }

  /** A redis-server of the test's own, without persistence: a restart comes back empty. */
  static async start(port?: number): Promise<RedisServer> {
    const server = new RedisServer(port ?? (await freePort()));
    await server.up();
    return server;
  }

  async up(): Promise<void> {
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    await waitFor(() => redisReachable(this.url, 300), `redis-server on ${this.port}`, 10_000);
  }

  /** Kills it (SIGKILL: an outage, not a polite shutdown) and waits until it is gone. */
  async down(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  }
}
