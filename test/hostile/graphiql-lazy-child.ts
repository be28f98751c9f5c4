/**
 * The process of graphiql-lazy.test.ts: records every module specifier resolved (module.registerHooks),
 * starts a gateway with GraphiQL on, and reports whether GraphiQL's renderer was loaded before and
 * after the first page view.
 */
import { registerHooks } from 'node:module';

const resolved = new Set<string>();
registerHooks({
  resolve(specifier, context, nextResolve) {
    resolved.add(specifier);
    return nextResolve(specifier, context);
  },
});
const RENDERER = '@graphql-yoga/render-graphiql';

const { createGateway } = await import('../../src/app.js');
const { loadConfig } = await import('../../src/config.js');
const { startSandbox } = await import('../../src/sandbox/index.js');
const sb = await startSandbox({ port: 0 });
const gateway = await createGateway({
  config: loadConfig({
    ARCHTICS_BASE_URL: sb.url,
    ARCHTICS_API_KEY: sb.apiKey,
    ARCHTICS_DSN: sb.dsn,
    GRAPHIQL: 'true',
    LOG_LEVEL: 'silent',
  }),
});
const atStart = resolved.has(RENDERER);
const page = await gateway.yoga.fetch('http://gateway.test/graphql', {
  headers: { accept: 'text/html' },
});
const html = await page.text();
process.send!({
  atStart,
  afterPage: resolved.has(RENDERER),
  status: page.status,
  isGraphiQL: html.includes('Archtics GraphQL gateway') && html.includes('<html'),
});
await gateway.close();
await sb.close();
process.disconnect();
