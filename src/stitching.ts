/**
 * Schema stitching: a ready subschema config for `@graphql-tools/stitch` users who want our Event
 * and Customer merged into their own types.
 *
 *   import { stitchSchemas } from '@graphql-tools/stitch';
 *   import { createStitchingSubschema } from 'archtics-graphql-gateway/stitching';
 *   const gateway = stitchSchemas({
 *     subschemas: [await createStitchingSubschema({ url: 'http://127.0.0.1:4000/graphql', headers: { authorization: 'Bearer …' } }), crm],
 *   });
 *
 * The schema is introspected from the gateway (one request) and built with YOUR copy of `graphql`
 * (a peer dependency), so the stitcher never meets a type from another copy ("Cannot use
 * GraphQLObjectType from another module or realm"). Where introspection is off it is built from the
 * SDL the package ships (schema/schema.graphql), or pass `schema`.
 *
 * Merged types (their schema declares a stub with the key field, e.g. `type Customer { acctId: Int! }`):
 * - Event by `name`, through `events(names:)` with batch delegation: every Event of one stitched
 *   operation becomes ONE `events(names: [...])` field, hence one event_details upstream.
 * - Customer by `acctId`, through `customer(acctId:)`. The subschema batches its requests
 *   (`batch: true`), so N customers of one operation are N aliased fields of ONE GraphQL request,
 *   deduplicated by the per-request loaders (the upstream has no multi-account customer_query:
 *   one customer_query per distinct account).
 *
 * This module imports nothing from @graphql-tools at run time (types only): the caller's own
 * @graphql-tools/stitch does the stitching. Nor does it import the gateway's own schema.
 */
import type { stitchSchemas } from '@graphql-tools/stitch';
import { existsSync, readFileSync } from 'node:fs';
import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  parse,
  print,
  type ExecutionResult,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';

/** Where yoga serves GraphQL (src/server.ts GRAPHQL_ENDPOINT). */
const ENDPOINT = '/graphql';

/** What `stitchSchemas({ subschemas })` accepts, minus a bare schema. */
export type StitchingSubschemaConfig = Exclude<
  NonNullable<Parameters<typeof stitchSchemas>[0]['subschemas']>[number],
  GraphQLSchema
>;
export type StitchingExecutor = NonNullable<StitchingSubschemaConfig['executor']>;

/** The `fetch` of a yoga instance (in process) or any fetch-compatible function. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string },
) => Response | Promise<Response>;

export interface StitchingSubschemaOptions {
  /** Your own executor for our /graphql (e.g. @graphql-tools/executor-http). Wins over yoga/url. */
  executor?: StitchingExecutor;
  /** A gateway's yoga (createGateway().yoga): requests go through yoga.fetch, no socket. */
  yoga?: { fetch: FetchLike };
  /** Our endpoint over HTTP, e.g. http://127.0.0.1:4000/graphql (global fetch). */
  url?: string;
  /**
   * Headers for every request to us, or a function of the stitched operation's context (e.g. to
   * forward the caller's Authorization). content-type is always JSON (CSRF prevention).
   */
  headers?: Record<string, string> | ((context: unknown) => Record<string, string> | undefined);
  /** Our schema as the stitcher should see it (default: introspected from the gateway). */
  schema?: GraphQLSchema;
  /** Most event names in one `events(names:)` field (the field takes at most 500). */
  maxEventBatch?: number;
}

/** A minimal fetch executor: one JSON POST per (batched) request. */
export function createFetchExecutor(
  fetchFn: FetchLike,
  url: string,
  headers?: StitchingSubschemaOptions['headers'],
): StitchingExecutor {
  const executor = async (request: {
    document: Parameters<typeof print>[0];
    variables?: Record<string, unknown>;
    operationName?: string;
    context?: unknown;
  }): Promise<ExecutionResult> => {
    const extra =
      typeof headers === 'function' ? (headers(request.context) ?? {}) : (headers ?? {});
    const res = await fetchFn(url, {
      method: 'POST',
      headers: {
        accept: 'application/graphql-response+json, application/json',
        ...extra,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        query: print(request.document),
        variables: request.variables ?? {},
        operationName: request.operationName,
      }),
    });
    const text = await res.text();
    try {
      return JSON.parse(text) as ExecutionResult;
    } catch {
      return {
        errors: [
          { message: `Archtics gateway answered HTTP ${res.status} without a GraphQL result.` },
        ],
      } as unknown as ExecutionResult;
    }
  };
  return executor as unknown as StitchingExecutor;
}

/** Our schema, introspected through `executor` and built with the caller's `graphql`. */
export async function introspectGatewaySchema(executor: StitchingExecutor): Promise<GraphQLSchema> {
  const run = executor as unknown as (request: {
    document: ReturnType<typeof parse>;
    variables: Record<string, unknown>;
  }) => Promise<ExecutionResult>;
  const result = await run({
    document: parse(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true })),
    variables: {},
  });
  if (result.data) return buildClientSchema(result.data as unknown as IntrospectionQuery);
  // Introspection is off (GRAPHQL_INTROSPECTION; the default against a real service): the SDL
  // this package ships (schema/schema.graphql, next to src/ in the repository, to dist/ in the package).
  for (const path of ['../schema/schema.graphql', '../../schema/schema.graphql']) {
    const file = new URL(path, import.meta.url);
    if (existsSync(file)) return buildSchema(readFileSync(file, 'utf8'));
  }
  throw new Error(
    `createStitchingSubschema: the gateway did not answer introspection (${result.errors?.[0]?.message ?? 'no data'}); pass { schema } instead`,
  );
}

export async function createStitchingSubschema(
  opts: StitchingSubschemaOptions,
): Promise<StitchingSubschemaConfig> {
  const executor =
    opts.executor ??
    (opts.yoga
      ? createFetchExecutor(
          (u, init) => opts.yoga!.fetch(u, init),
          `http://127.0.0.1${ENDPOINT}`,
          opts.headers,
        )
      : opts.url
        ? createFetchExecutor((u, init) => fetch(u, init), opts.url, opts.headers)
        : undefined);
  if (!executor) throw new Error('createStitchingSubschema: pass one of executor, yoga or url');
  const maxEventBatch = Math.min(Math.max(1, opts.maxEventBatch ?? 500), 500);

  return {
    schema: opts.schema ?? (await introspectGatewaySchema(executor)),
    executor,
    // Root fields delegated in the same tick travel as ONE request (aliased fields).
    batch: true,
    merge: {
      Event: {
        selectionSet: '{ name }',
        fieldName: 'events',
        key: ({ name }: { name: string }) => name,
        argsFromKeys: (names: readonly string[]) => ({ names }),
        dataLoaderOptions: { maxBatchSize: maxEventBatch },
      },
      Customer: {
        selectionSet: '{ acctId }',
        fieldName: 'customer',
        args: ({ acctId }: { acctId: number }) => ({ acctId }),
      },
    },
  };
}
