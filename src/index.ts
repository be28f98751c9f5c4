/**
 * The package's main entry (`import { createGateway, loadConfig } from 'archtics-graphql-gateway'`):
 * the gateway factory, its configuration, and the server pieces to mount it yourself.
 *
 *   const gateway = await createGateway({ config: loadConfig(process.env) });
 *   http.createServer(gateway.yoga).listen(4000);     // or gateway.yoga.fetch(request) in process
 *
 * Other entries: 'archtics-graphql-gateway/stitching' (a subschema config for
 * @graphql-tools/stitch), '/subgraph' (the Apollo Federation v2 subgraph schema and SDL),
 * '/sandbox' (the embedded Archtics sandbox, for your tests). `graphql` is a peer dependency: the
 * gateway builds its schema with your copy.
 */
export { createGateway, type Gateway, type GatewayOptions } from './app.js';
export { ConfigError, DEFAULT_TTL_MS, loadConfig, type Config } from './config.js';
export { GRAPHQL_ENDPOINT, type GatewayYoga } from './server.js';
export { COST_HEADER, parseCostHeader } from './plugins/cost-header.js';
export type { UpstreamReport } from './plugins/upstream-extensions.js';
