/**
 * The server process of suites 2 and 6 (started by bench/overhead.ts and bench/response-cache.ts,
 * so that the load generator and the servers under test do not share one event loop). It serves,
 * each on its own node:http server at 127.0.0.1:
 *   A — the whole gateway as `npm start` builds it (createGateway with its defaults: budget gate,
 *       cross-request cache, metrics, every plugin; the real client and a sandbox behind it) but
 *       with the response cache OFF, warmed so that the dashboard operation is fully cached in the
 *       command cache: every command of it is an L1 hit, no upstream call — the execution path;
 *   B — a bare graphql-yoga server with an SDL of the same shape answering the same data from
 *       memory (plain objects, default resolvers);
 *   C — the gateway with its defaults (response cache ON, in process), warmed: the dashboard is a
 *       response-cache hit;
 *   D — B plus the same response-cache plugin (@graphql-yoga/plugin-response-cache, in-memory),
 *       warmed;
 *   E — A with compiled execution off (GRAPHQL_COMPILE_AFTER_USES=0): every operation interpreted
 *       by graphql-js, as B's are.
 * Prints one JSON line {gateway, bare, cached, bareCached, body, …} and runs until stdin closes.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useResponseCache } from '@graphql-yoga/plugin-response-cache';
import { createSchema, createYoga } from 'graphql-yoga';
import { createGateway } from '../src/app.js';
import { startSandbox } from '../src/sandbox/index.js';
import {
  BENCH_SEED,
  NO_LIMIT,
  configFor,
  dashboardBody,
  gqlFetch,
  seatHolders,
  silentLogger,
} from './harness.js';
import { DASHBOARD_SDL } from './naive-executor.js';

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const sb = await startSandbox({ seed: BENCH_SEED, ...NO_LIMIT });
const config = configFor(sb, NO_LIMIT);
const gateway = await createGateway({ config, logger: silentLogger, responseCache: false });
const a = await listen(gateway.yoga);
const cachingGateway = await createGateway({ config, logger: silentLogger });
const interpretingGateway = await createGateway({
  config: { ...config, compileAfterUses: 0 },
  logger: silentLogger,
  responseCache: false,
});
const e = await listen(interpretingGateway.yoga);
const c = await listen(cachingGateway.yoga);

const body = dashboardBody(seatHolders(25), 10);
// Warm: the first run fills the cache; the second must be served without an upstream call.
await gqlFetch(fetch, a.url, body);
const warm = await gqlFetch(fetch, a.url, body);
await gqlFetch(fetch, e.url, body);
const interpretedWarm = await gqlFetch(fetch, e.url, body);
const data = warm.json?.data;

const bareSchema = createSchema({
  typeDefs: DASHBOARD_SDL,
  resolvers: {
    Node: { __resolveType: (obj: { seats?: unknown }) => (obj.seats ? 'Customer' : 'Seat') },
    Query: { nodes: () => data.nodes },
  },
});
const bareYoga = createYoga({
  schema: bareSchema,
  graphqlEndpoint: '/graphql',
  landingPage: false,
  logging: false,
});
const b = await listen(bareYoga);
const bare = await gqlFetch(fetch, b.url, body);

const bareCachedYoga = createYoga({
  schema: bareSchema,
  graphqlEndpoint: '/graphql',
  landingPage: false,
  logging: false,
  plugins: [useResponseCache({ session: () => null })],
});
const d = await listen(bareCachedYoga);
await gqlFetch(fetch, d.url, body);
const bareCached = await gqlFetch(fetch, d.url, body);

await gqlFetch(fetch, c.url, body);
const cachedWarm = await gqlFetch(fetch, c.url, body);

process.stdout.write(
  JSON.stringify({
    gateway: a.url,
    bare: b.url,
    cached: c.url,
    bareCached: d.url,
    interpreted: e.url,
    interpretedSameAnswer: JSON.stringify(interpretedWarm.json?.data) === JSON.stringify(data),
    body,
    cachedReport: cachedWarm.json?.extensions?.upstream ?? null,
    cachedSameAnswer:
      JSON.stringify(cachedWarm.json?.data) === JSON.stringify(data) &&
      JSON.stringify(bareCached.json?.data) === JSON.stringify(data),
    cachedCalls: warm.json?.extensions?.upstream ?? null,
    gatewayErrors: warm.json?.errors ?? null,
    sameAnswer: JSON.stringify(bare.json?.data) === JSON.stringify(data),
    cacheStats: gateway.upstream.cache?.stats() ?? null,
  }) + '\n',
);

async function shutdown(): Promise<void> {
  await a.close();
  await b.close();
  await c.close();
  await d.close();
  await e.close();
  await gateway.close();
  await interpretingGateway.close();
  await cachingGateway.close();
  await sb.close();
  process.exit(0);
}
process.stdin.on('end', () => void shutdown());
process.stdin.on('close', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
process.stdin.resume();
