/**
 * Test helper: the real gateway (createGateway, the real command client) against a sandbox started
 * for the test, optionally behind a real node:http server on 127.0.0.1.
 *
 *   const gw = await startSandboxedGateway({ sandbox: { serviceTimeMs: { get_avail_seats: 1500 } } });
 *   const res = await gw.gateway.yoga.fetch('http://gateway/graphql', { … });
 *   await gw.close();
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../src/sandbox/index.js';

export interface SandboxedGateway {
  sandbox: RunningSandbox;
  gateway: Gateway;
  config: Config;
  /** POSTs a JSON GraphQL request through yoga.fetch (no socket). */
  post(body: { query: string; variables?: Record<string, unknown>; operationName?: string }, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

export interface SandboxedGatewayOptions {
  sandbox?: Partial<SandboxOptions>;
  /** Environment for loadConfig on top of the sandbox's URL, key and DSN. */
  env?: Record<string, string>;
  /** The key the gateway sends (default the sandbox's). */
  gatewayApiKey?: string;
  logger?: GatewayOptions['logger'];
}

export async function startSandboxedGateway(opts: SandboxedGatewayOptions = {}): Promise<SandboxedGateway> {
  const sandbox = await startSandbox(opts.sandbox);
  const config = loadConfig({
    ARCHTICS_BASE_URL: sandbox.url,
    ARCHTICS_API_KEY: opts.gatewayApiKey ?? sandbox.apiKey,
    ARCHTICS_DSN: sandbox.dsn,
    LOG_LEVEL: 'silent',
    ...opts.env,
  });
  const gateway = await createGateway({ config, ...(opts.logger ? { logger: opts.logger } : {}) });
  return {
    sandbox,
    gateway,
    config,
    post: async (body, headers = {}) =>
      gateway.yoga.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
        body: JSON.stringify(body),
      }),
    async close() {
      await gateway.close();
      await sandbox.close();
    },
  };
}

/** Serves yoga on a real node:http server at 127.0.0.1 (free port). */
export async function listenOnLoopback(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
