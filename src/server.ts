/**
 * The HTTP face: graphql-yoga with the schema, a fresh context per request, and one plugin per
 * concern (src/plugins/): request id, CSRF prevention, query limits, argument checks, error masking, readiness,
 * offline GraphiQL (extensions.upstream and /metrics come with the upstream stack's plugins). /health is liveness (no upstream call); /ready pings upstream.
 */
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { buildSchema } from '../schema/index.js';
import { buildSubgraphSchema } from '../schema/federation.js';
import { authenticate } from './auth.js';
import type { GatewayToken } from './config.js';
import { createContext, type ContextDeps, type GatewayContext } from './context.js';
import { useArgumentChecks } from './plugins/argument-checks.js';
import { useCsrfPrevention } from './plugins/csrf.js';
import { createMaskError } from './plugins/error-masking.js';
import { graphiqlOptions } from './plugins/graphiql.js';
import { useQueryLimits, type QueryLimits } from './plugins/limits.js';
import { useOperationLog } from './plugins/logging.js';
import { useUpstreamReadiness } from './plugins/readiness.js';
import { requestIdOf, useRequestId } from './plugins/request-id.js';

export const GRAPHQL_ENDPOINT = '/graphql';

export interface ServerOptions extends ContextDeps {
  tokens: readonly GatewayToken[];
  limits: QueryLimits;
  /** Readiness: true when the upstream answers (called at most every `readyTtlMs`). */
  ready: () => Promise<boolean>;
  readyTtlMs?: number;
  /** Serve the Apollo Federation v2 subgraph schema (GRAPHQL_FEDERATION=true). */
  federation?: boolean;
  /** More plugins, after the built-in ones (the upstream stack's: extensions.upstream/stale, /metrics). */
  plugins?: Plugin<GatewayContext>[];
}

export type GatewayYoga = YogaServerInstance<Record<string, unknown>, GatewayContext>;

export function createServer(opts: ServerOptions): GatewayYoga {
  return createYoga<Record<string, unknown>, GatewayContext>({
    schema: opts.federation ? buildSubgraphSchema() : buildSchema(),
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    healthCheckEndpoint: '/health',
    landingPage: false,
    batching: false,
    logging: false,
    ...graphiqlOptions(),
    maskedErrors: { maskError: createMaskError(opts.logger) },
    context: ({ request }) =>
      createContext(opts, {
        requestId: requestIdOf(request),
        auth: authenticate(request.headers, opts.tokens),
        signal: request.signal,
      }),
    plugins: [
      useRequestId(),
      useOperationLog({ logger: opts.logger }),
      useCsrfPrevention({ endpoint: GRAPHQL_ENDPOINT }),
      useUpstreamReadiness({ check: opts.ready, ttlMs: opts.readyTtlMs }),
      useQueryLimits(opts.limits),
      useArgumentChecks(),
      // @defer / @stream: a page renders an event at once and gets its slow (202-polled) parts later.
      useDeferStream(),
      ...(opts.plugins ?? []),
    ],
  });
}
