/**
 * The gateway process of memory.test.ts, run with --max-old-space-size=512: two real HTTP
 * gateways (tokens on) over one sandbox — one with the default body limit, one with the limit
 * raised to 16 MB so that a 10 MB document is read and reaches the parser. Sends
 * { ready: { default, raised } } over IPC once listening, then answers each "report" with its
 * peak RSS and the sandbox's POST count. The test process sends the documents.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGateway } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startSandbox } from '../../src/sandbox/index.js';

export const MEMORY_TEST_TOKEN = 'memory-test-token-0123';

let peakRss = 0;
const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
setInterval(sample, 10).unref();

const sb = await startSandbox({ port: 0, ratePerMinute: 100_000, ratePerDay: 10_000_000 });
const urls: Record<string, string> = {};
for (const [label, bodyLimit] of [
  ['default', undefined],
  ['raised', String(16 * 1024 * 1024)],
] as const) {
  const config = loadConfig({
    ARCHTICS_BASE_URL: sb.url,
    ARCHTICS_API_KEY: sb.apiKey,
    ARCHTICS_DSN: sb.dsn,
    LOG_LEVEL: 'silent',
    GATEWAY_TOKENS: JSON.stringify([{ token: MEMORY_TEST_TOKEN, scopes: ['read'] }]),
    ...(bodyLimit ? { GRAPHQL_MAX_BODY_BYTES: bodyLimit } : {}),
  });
  const gateway = await createGateway({ config, logger: createLogger({ level: 'silent' }) });
  const server = createServer(gateway.yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  urls[label] = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

process.on('message', (m) => {
  if (m !== 'report') return;
  sample();
  void fetch(`${sb.url}/__sandbox/stats`)
    .then((r) => r.json() as Promise<{ posts: number }>)
    .then(({ posts }) => process.send!({ peakRssMb: Math.round(peakRss / 1048576), posts }));
});
process.on('disconnect', () => process.exit(0));
process.send!({ ready: urls });
