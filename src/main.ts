/**
 * npm start: the gateway on HOST:PORT (default 127.0.0.1:4000). Without ARCHTICS_BASE_URL it
 * starts the embedded sandbox in-process on a free port and runs against it.
 */
import type { AddressInfo } from 'node:net';
import type { Config } from './config.js';

// graphql-js decides once, when it is first imported, whether to run its development-mode checks
// (an instanceOf that inspects class names on every type check, ~4% of a cached operation's CPU):
// only NODE_ENV=production turns them off. A server is production unless told otherwise
// (NODE_ENV=development keeps them), so this is set before anything imports graphql — which is why
// the imports below are dynamic: static imports would be evaluated before this line.
process.env.NODE_ENV ??= 'production';

const { createServer: createHttpServer } = await import('node:http');
const { createGateway } = await import('./app.js');
const { ConfigError, loadConfig } = await import('./config.js');
const { createLogger } = await import('./logger.js');
const { GRAPHQL_ENDPOINT } = await import('./server.js');

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`Configuration error: ${err.message}`);
    process.exit(1);
  }
  throw err;
}

const logger = createLogger({ level: config.logLevel, secrets: [config.archtics.apiKey] });

let sandbox: { url: string; close(): Promise<void> } | undefined;
if (config.embeddedSandbox) {
  const { startSandbox } = await import('./sandbox/index.js');
  const started = await startSandbox({
    host: '127.0.0.1',
    // A free port unless asked: `npm run sandbox` may already hold 4100.
    port: config.sandbox.portSet ? config.sandbox.port : 0,
    apiKey: config.sandbox.apiKey,
    dsn: config.sandbox.dsn,
    ratePerMinute: config.sandbox.ratePerMinute,
    ratePerDay: config.sandbox.ratePerDay,
    seed: config.sandbox.seed,
    timeScale: config.sandbox.timeScale,
    strict: config.sandbox.strict,
    forceAsync: config.sandbox.async === 'always',
    pollsToResult: config.sandbox.pollsToResult,
    world: config.sandbox.world,
    log: (line) => logger.warn({ sandbox: true }, line),
  });
  sandbox = started;
  config = { ...config, archtics: { ...config.archtics, baseUrl: started.url, apiKey: started.apiKey, dsn: started.dsn } };
  logger.info(`ARCHTICS_BASE_URL unset: running against the embedded sandbox at ${started.url}`);
}

if (config.tokens.length === 0) {
  logger.warn('GATEWAY_TOKENS is not set: authorization is OFF — every caller may read, hold, buy and pay for any account. Set GATEWAY_TOKENS before exposing this gateway.');
} else {
  logger.info(`${config.tokens.length} bearer token(s) configured: a request without a valid token is refused (UNAUTHENTICATED)`);
}

const gateway = await createGateway({ config, logger });
const server = createHttpServer(gateway.yoga);

await new Promise<void>((resolve, reject) => {
  server.once('error', reject);
  server.listen(config.port, config.host, () => {
    server.off('error', reject);
    resolve();
  });
});
const { port } = server.address() as AddressInfo;
const host = config.host.includes(':') ? `[${config.host}]` : config.host;
logger.info(`GraphQL gateway listening: GraphiQL at http://${host}:${port}${GRAPHQL_ENDPOINT} (health /health, readiness /ready), Node ${process.version}`);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info(`${signal}: shutting down`);
  const forced = setTimeout(() => process.exit(1), 10_000);
  forced.unref();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await gateway.close();
  await sandbox?.close();
  logger.flush?.();
  process.exit(0);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void shutdown(signal));
