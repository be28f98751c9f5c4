/**
 * The HTTP face: graphql-yoga with the schema, a fresh context per request, and one plugin per
 * concern (src/plugins/): request id, authentication before anything is read, CSRF prevention,
 * /metrics authorization, malformed requests as short 4xx, a bounded parser and a byte-bounded
 * cache of validated documents, introspection policy, query limits, argument checks, error
 * masking, readiness, offline GraphiQL (extensions.upstream and /metrics come with the upstream
 * stack's plugins). /health is liveness (no upstream call); /ready pings upstream.
 */
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { buildSchema } from '../schema/index.js';
import { buildSubgraphSchema } from '../schema/federation.js';
import { authenticate } from './auth.js';
import type { ExposureConfig, GatewayToken, RequestLimits } from './config.js';
import { createContext, type ContextDeps, type GatewayContext } from './context.js';
import type { APQStore } from './plugins/apq-store.js';
import { useAPQ } from './plugins/apq.js';
import { useArgumentChecks } from './plugins/argument-checks.js';
import { useCompiledExecution } from './plugins/compiled-execution.js';
import { useCostHeader } from './plugins/cost-header.js';
import { useHttpCaching } from './plugins/http-caching.js';
import { useTrustedDocuments } from './plugins/trusted-documents.js';
import type { TrustedDocuments } from './trusted-documents.js';
import { useAuthentication } from './plugins/authentication.js';
import { useBoundedParser } from './plugins/bounded-parser.js';
import { corsOptions } from './plugins/cors.js';
import { useValidatedDocumentCache } from './plugins/document-cache.js';
import { useIntrospectionPolicy } from './plugins/introspection.js';
import { useMetricsAuthorization } from './plugins/metrics-authorization.js';
import { useRequestParseErrors } from './plugins/request-parsing.js';
import { useShortErrors } from './plugins/short-errors.js';
import { useUpstreamCost } from './plugins/upstream-cost.js';
import { useCsrfPrevention } from './plugins/csrf.js';
import { createMaskError } from './plugins/error-masking.js';
import { graphiqlOptions } from './plugins/graphiql.js';
import { useQueryLimits, type QueryLimits } from './plugins/limits.js';
import { useOperationLog } from './plugins/logging.js';
import { useUpstreamReadiness } from './plugins/readiness.js';
import { requestIdOf, useRequestId } from './plugins/request-id.js';

export const GRAPHQL_ENDPOINT = '/graphql';

/** A document is compiled when it comes back (src/plugins/compiled-execution.ts). */
export const DEFAULT_COMPILE_AFTER_USES = 2;

export interface ServerOptions extends ContextDeps {
  tokens: readonly GatewayToken[];
  limits: QueryLimits;
  /** Body size, tokens, nesting and the parse cache (default: src/config.ts's defaults). */
  requests?: RequestLimits;
  /** Most upstream calls an operation may be estimated to make (default 60). */
  maxUpstreamCalls?: number;
  /** GraphiQL, introspection, /metrics token, CORS (default: open, as with the sandbox). */
  exposure?: ExposureConfig;
  /** Readiness: true when the upstream answers (called at most every `readyTtlMs`). */
  ready: () => Promise<boolean>;
  readyTtlMs?: number;
  /** Serve the Apollo Federation v2 subgraph schema (GRAPHQL_FEDERATION=true). */
  federation?: boolean;
  /**
   * Persisted operations: APQ registrations kept in `apqStore` (none: APQ off), and trusted
   * documents; with `allowList` only those run (GraphiQL excepted).
   */
  persisted?: { apqStore?: APQStore; trustedDocuments?: TrustedDocuments; allowList?: boolean };
  /** Compile a query document on its n-th execution (0: never; default DEFAULT_COMPILE_AFTER_USES). */
  compileAfterUses?: number;
  /** More plugins, after the built-in ones (the upstream stack's: extensions.upstream/stale, /metrics). */
  plugins?: Plugin<GatewayContext>[];
}

export type GatewayYoga = YogaServerInstance<Record<string, unknown>, GatewayContext>;

export const DEFAULT_REQUEST_LIMITS: RequestLimits = {
  maxBodyBytes: 256 * 1024,
  maxTokens: 5_000,
  maxNesting: 64,
  parseCacheBytes: 16 * 1024 * 1024,
};
const OPEN_EXPOSURE: ExposureConfig = { graphiql: true, introspection: true, corsOrigins: [] };

export function createServer(opts: ServerOptions): GatewayYoga {
  const requests = opts.requests ?? DEFAULT_REQUEST_LIMITS;
  const exposure = opts.exposure ?? OPEN_EXPOSURE;
  const contextDeps: ContextDeps = { ...opts, maxCallsPerOperation: opts.maxUpstreamCalls ?? 60 };
  return createYoga<Record<string, unknown>, GatewayContext>({
    schema: opts.federation ? buildSubgraphSchema() : buildSchema(),
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    healthCheckEndpoint: '/health',
    landingPage: false,
    batching: false,
    // Trusted documents are sent as { documentId } (src/plugins/trusted-documents.ts).
    extraParamNames: ['documentId'],
    logging: false,
    ...graphiqlOptions(exposure.graphiql),
    cors: corsOptions(exposure.corsOrigins),
    maxRequestBodySize: requests.maxBodyBytes,
    // Replaced by useValidatedDocumentCache: yoga's keeps refused documents and has no byte bound.
    parserAndValidationCache: false,
    maskedErrors: { maskError: createMaskError(opts.logger) },
    context: (initial) =>
      createContext(contextDeps, {
        requestId: requestIdOf(initial.request),
        auth: authenticate(initial.request.headers, opts.tokens, clientAddressOf(initial)),
        signal: initial.request.signal,
      }),
    plugins: [
      useRequestId(),
      useAuthentication({
        endpoint: GRAPHQL_ENDPOINT,
        tokens: opts.tokens,
        graphiql: exposure.graphiql,
      }),
      useMetricsAuthorization({
        tokens: opts.tokens,
        ...(exposure.metricsToken ? { metricsToken: exposure.metricsToken } : {}),
      }),
      useOperationLog({ logger: opts.logger }),
      useCsrfPrevention({ endpoint: GRAPHQL_ENDPOINT }),
      useRequestParseErrors(),
      useShortErrors(),
      useValidatedDocumentCache({ maxBytes: requests.parseCacheBytes }),
      useBoundedParser({ maxTokens: requests.maxTokens, maxNesting: requests.maxNesting }),
      useIntrospectionPolicy({ introspection: exposure.introspection }),
      useUpstreamReadiness({ check: opts.ready, ttlMs: opts.readyTtlMs }),
      // Persisted operations first among the document plugins: they supply the document the others check.
      ...persistedOperations(opts.persisted, exposure.graphiql),
      useQueryLimits(opts.limits),
      useArgumentChecks(),
      useUpstreamCost({
        maxCalls: opts.maxUpstreamCalls ?? 60,
        eventBatchSize: opts.eventBatchSize,
      }),
      // @defer / @stream: a page renders an event at once and gets its slow (202-polled) parts later.
      useDeferStream(),
      useCompiledExecution({ afterUses: opts.compileAfterUses ?? DEFAULT_COMPILE_AFTER_USES }),
      ...(opts.plugins ?? []),
      // Response headers: HTTP caching of public GETs (Cache-Control, ETag, 304) and the cost report.
      useHttpCaching({ endpoint: GRAPHQL_ENDPOINT, authenticated: opts.tokens.length > 0 }),
      useCostHeader(),
    ],
  });
}

/**
 * The client's address as the socket saw it (node:http's `req`, which yoga puts in the server
 * context), never a header such as X-Forwarded-For: anyone can write one. Behind a proxy every
 * client has the proxy's address — with tokens on, shares are per token instead.
 */
export function clientAddressOf(serverContext: Record<string, unknown>): string | undefined {
  const req = serverContext.req as { socket?: { remoteAddress?: unknown } } | undefined;
  const address = req?.socket?.remoteAddress;
  return typeof address === 'string' && address !== '' ? address : undefined;
}

function persistedOperations(opts: ServerOptions['persisted'] = {}, graphiql: boolean): Plugin[] {
  const allowList = opts.allowList ?? false;
  return [
    // In allow-list mode nothing may register a document: APQ hashes are looked up in the manifest.
    ...(opts.apqStore && !allowList ? [useAPQ({ store: opts.apqStore })] : []),
    useTrustedDocuments({
      documents: opts.trustedDocuments ?? new Map(),
      allowList,
      ...(graphiql ? { graphiqlEndpoint: GRAPHQL_ENDPOINT } : {}),
    }),
  ];
}
