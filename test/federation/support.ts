/**
 * Federation and stitching tests: the real gateway (createGateway, the real command client) in
 * process against a sandbox on 127.0.0.1, with helpers to post GraphQL through yoga.fetch and to
 * read how many of each command the sandbox received.
 */
import { createGateway, type Gateway, type GatewayOptions } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { testWorld } from '../support/worlds.js';

export interface GatewayUnderTest {
  sandbox: RunningSandbox;
  gateway: Gateway;
  config: Config;
  /** POSTs one JSON GraphQL request through yoga.fetch (no socket); returns the parsed body. */
  post(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLBody>;
  /** commands[name] at the sandbox now (0 when never received). */
  commands(name: string): number;
  close(): Promise<void>;
}

export interface GraphQLBody {
  data?: any;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  extensions?: Record<string, unknown>;
}

export async function startGateway(
  /** Settings, or settings made from the sandbox (a token bound to one of its world's accounts). */
  env: Record<string, string> | ((sandbox: RunningSandbox) => Record<string, string>) = {},
  extra: Pick<GatewayOptions, 'wrapRunner'> = {},
): Promise<GatewayUnderTest> {
  const sandbox = await startSandbox({ host: '127.0.0.1', ...testWorld() });
  const config = loadConfig({
    ARCHTICS_BASE_URL: sandbox.url,
    ARCHTICS_API_KEY: sandbox.apiKey,
    ARCHTICS_DSN: sandbox.dsn,
    LOG_LEVEL: 'silent',
    ...(typeof env === 'function' ? env(sandbox) : env),
  });
  // No cross-request cache unless the test asks for one (identity wrapRunner): every load in a
  // test reaches the sandbox, so its counters show what one operation costs.
  const gateway = await createGateway({
    config,
    wrapRunner: extra.wrapRunner ?? ((runner) => runner),
  });
  return {
    sandbox,
    gateway,
    config,
    async post(query, variables = {}, headers = {}) {
      const res = await gateway.yoga.fetch('http://127.0.0.1/graphql', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          ...headers,
        },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as GraphQLBody;
    },
    commands: (name) => sandbox.stats().commands[name] ?? 0,
    async close() {
      await gateway.close();
      await sandbox.close();
    },
  };
}
