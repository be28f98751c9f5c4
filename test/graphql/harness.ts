/**
 * Test harness: the real sandbox in-process and a gateway (createGateway) pointed at it. Operations
 * go through yoga.fetch; upstream call counts are read from the sandbox's own /__sandbox/stats.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type DocumentNode, type GraphQLFormattedError } from 'graphql';
import { afterAll, beforeAll } from 'vitest';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createMemoryStores } from '../../src/store/index.js';
import {
  startSandbox,
  type RunningSandbox,
  type SandboxOptions,
  type SandboxStats,
} from '../../src/sandbox/index.js';
import { generate, type WorldName } from '../../src/sandbox/world/seed.js';
import { testWorld } from '../support/worlds.js';

export interface GqlResult<R> {
  status: number;
  headers: Headers;
  data?: R | null;
  errors?: GraphQLFormattedError[];
  extensions?: Record<string, unknown>;
  text: string;
}

/** Generous budgets: these tests count calls, they do not test the limiter. */
export const HIGH_LIMITS = {
  ARCHTICS_RATE_PER_MINUTE: '100000',
  ARCHTICS_RATE_PER_DAY: '10000000',
} as const;

export function gatewayConfig(
  sb: Pick<RunningSandbox, 'url' | 'apiKey' | 'dsn'>,
  env: Record<string, string> = {},
): Config {
  return loadConfig({
    ARCHTICS_BASE_URL: sb.url,
    ARCHTICS_API_KEY: sb.apiKey,
    ARCHTICS_DSN: sb.dsn,
    LOG_LEVEL: 'silent',
    ...HIGH_LIMITS,
    ...env,
  });
}

export async function startTestSandbox(
  options: Partial<SandboxOptions> = {},
): Promise<RunningSandbox> {
  return startSandbox({
    port: 0,
    ratePerMinute: 100_000,
    ratePerDay: 10_000_000,
    ...testWorld(),
    ...options,
  });
}

export class TestGateway {
  private constructor(
    readonly gateway: Gateway,
    readonly sandbox: Pick<RunningSandbox, 'url'>,
  ) {}

  static async start(
    sb: Pick<RunningSandbox, 'url' | 'apiKey' | 'dsn'>,
    env: Record<string, string> = {},
    extra: Partial<GatewayOptions> = {},
  ): Promise<TestGateway> {
    const config = gatewayConfig(sb, env);
    // No cross-request cache unless asked: these tests count what ONE operation costs upstream.
    const gateway = await createGateway({
      config,
      logger: createLogger({
        level: process.env.TEST_GATEWAY_LOG === '1' ? 'error' : 'silent',
        destination: process.stderr,
      }),
      cache: false,
      // Records in this process: a test that needs the durable store passes its own.
      stores: createMemoryStores(),
      ...extra,
    });
    return new TestGateway(gateway, sb);
  }

  /** Runs one operation through yoga.fetch (POST JSON). */
  async exec<R, V>(
    doc: TypedDocumentNode<R, V> | DocumentNode | string,
    variables?: V,
    headers: Record<string, string> = {},
  ): Promise<GqlResult<R>> {
    const query = typeof doc === 'string' ? doc : print(doc);
    const res = await this.gateway.yoga.fetch('http://127.0.0.1/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    const text = await res.text();
    const body = JSON.parse(text) as {
      data?: R | null;
      errors?: GraphQLFormattedError[];
      extensions?: Record<string, unknown>;
    };
    return { status: res.status, headers: res.headers, text, ...body };
  }

  fetch(path: string, init?: RequestInit): Promise<Response> {
    return Promise.resolve(this.gateway.yoga.fetch(new Request(`http://127.0.0.1${path}`, init)));
  }

  close(): Promise<void> {
    return this.gateway.close();
  }
}

/**
 * One sandbox and one gateway for a test file: started before its tests, closed after them.
 * Tests read `env.sb` and `env.gw` (set once beforeAll has run).
 */
export function useSandboxedGateway(
  opts: { sandbox?: Partial<SandboxOptions>; env?: Record<string, string> } = {},
): {
  readonly sb: RunningSandbox;
  readonly gw: TestGateway;
} {
  const env = {} as { sb: RunningSandbox; gw: TestGateway };
  beforeAll(async () => {
    env.sb = await startTestSandbox(opts.sandbox);
    env.gw = await TestGateway.start(env.sb, opts.env);
  });
  afterAll(async () => {
    await env.gw?.close();
    await env.sb?.close();
  });
  return env;
}

/** The sandbox's own counters, over HTTP. */
export async function sandboxStats(sb: Pick<RunningSandbox, 'url'>): Promise<SandboxStats> {
  const res = await fetch(`${sb.url}/__sandbox/stats`);
  return (await res.json()) as SandboxStats;
}

/** Seeded state again and counters zeroed. */
export async function resetSandbox(sb: Pick<RunningSandbox, 'url'>): Promise<void> {
  const res = await fetch(`${sb.url}/__sandbox/reset`, { method: 'POST' });
  if (!res.ok) throw new Error(`reset: ${res.status}`);
}

export async function setFaults(sb: Pick<RunningSandbox, 'url'>, faults: unknown[]): Promise<void> {
  const res = await fetch(`${sb.url}/__sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ faults }),
  });
  if (!res.ok) throw new Error(`faults: ${res.status} ${await res.text()}`);
}

/** Season-ticket holders of the sandbox's seeded world, in id order (seed and world are in its samples). */
export function seasonTicketHolders(sb: Pick<RunningSandbox, 'world'>): number[] {
  const { seed, world } = sb.world.samples as { seed: number; world?: WorldName };
  return [
    ...new Set(generate(Number(seed), world ?? 'default').seasonBlocks.map((b) => b.acctId)),
  ].sort((a, b) => a - b);
}

export const globalId = (type: string, key: string | number): string =>
  Buffer.from(`${type}:${key}`, 'utf8').toString('base64');

export function codes(r: { errors?: readonly GraphQLFormattedError[] }): unknown[] {
  return (r.errors ?? []).map((e) => e.extensions?.code);
}
