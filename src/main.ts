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
  config = {
    ...config,
    archtics: {
      ...config.archtics,
      baseUrl: started.url,
      apiKey: started.apiKey,
      dsn: started.dsn,
    },
  };
  logger.info(`ARCHTICS_BASE_URL unset: running against the embedded sandbox at ${started.url}`);
}

if (config.tokens.length === 0) {
  logger.warn(
    'GATEWAY_TOKENS is not set: authorization is OFF — every caller may read, hold, buy and pay for any account. Set GATEWAY_TOKENS before exposing this gateway.',
  );
} else {
  logger.info(
    `${config.tokens.length} bearer token(s) configured: a request without a valid token is refused (UNAUTHENTICATED)`,
  );
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
logger.info(
  `GraphQL gateway listening: GraphiQL at http://${host}:${port}${GRAPHQL_ENDPOINT} (health /health, readiness /ready), Node ${process.version}`,
);

/**
 * Shutdown that finishes writes (SIGTERM, SIGINT): refuse new requests (503, /ready too) and stop
 * accepting connections; give reads SHUTDOWN_GRACE_MS, then cut them; let mutations — a payment
 * polled to its outcome — run up to SHUTDOWN_WRITES_MS (default: the polling horizon). Every
 * keyed write that finished meanwhile is logged with its outcome, every one still unknown with its
 * idempotency key. Then the stores, the client and the embedded sandbox close; exit 0.
 * A second signal exits at once (1), logging what it abandons.
 */
let stopping = false;
function reportWrites(): void {
  for (const w of gateway.drain.finishedWhileDraining()) {
    logger.info(
      {
        idempotencyKey: w.idempotencyKey,
        write: w.what,
        orderNum: w.orderNum,
        state: w.state,
        outcome: w.outcome,
      },
      'shutdown: write finished',
    );
  }
  for (const w of gateway.drain.writes()) {
    logger.error(
      {
        idempotencyKey: w.idempotencyKey,
        write: w.what,
        orderNum: w.orderNum,
        state: w.state,
        requestId: w.requestId,
      },
      'shutdown: write outcome unknown at exit — retry with its idempotency key to settle it by reading',
    );
  }
  for (const r of gateway.drain.requests(['mutation'])) {
    logger.error(
      { requestId: r.requestId, operationName: r.operationName },
      'shutdown: mutation still running at exit',
    );
  }
}

/**
 * Lets the last responses reach their clients: a mutation's outcome is decided before its answer
 * is written, so connections are closed as they fall idle, and cut only after `ms`.
 */
async function closeConnections(ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    server.closeIdleConnections();
    const open = await new Promise<number>((resolve) =>
      server.getConnections((err, count) => resolve(err ? 0 : count)),
    );
    if (open === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  server.closeAllConnections();
}

async function shutdown(signal: string): Promise<void> {
  if (stopping) {
    logger.error(`${signal} again: exiting now`);
    reportWrites();
    logger.flush?.();
    process.exit(1);
  }
  stopping = true;
  const { graceMs, writesMs } = config.shutdown;
  logger.info(
    { graceMs, writesMs },
    `${signal}: draining — new requests refused, reads get the grace, accepted writes run to their outcome`,
  );
  gateway.drain.start();
  server.close();
  server.closeIdleConnections();
  // A safety net only: everything below is bounded on its own.
  setTimeout(
    () => {
      logger.error('shutdown did not finish in time');
      reportWrites();
      process.exit(1);
    },
    graceMs + writesMs + 15_000,
  ).unref();

  const readsDone = await gateway.drain.idle(['query', 'unknown', 'subscription'], graceMs);
  if (!readsDone) {
    const cut = gateway.drain.requests(['query', 'unknown', 'subscription']);
    logger.warn({ requests: cut.length }, 'shutdown: reads past the grace are cut');
    for (const r of cut) r.cut?.();
  }
  const writes = gateway.drain.writes().length + gateway.drain.requests(['mutation']).length;
  if (writes > 0) logger.info({ writes }, 'shutdown: waiting for writes to reach their outcome');
  await gateway.drain.idle(['mutation'], writesMs);
  reportWrites();
  await closeConnections(2_000);
  await gateway.close();
  await sandbox?.close();
  logger.info('shutdown complete');
  logger.flush?.();
  process.exit(0);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => void shutdown(signal));
