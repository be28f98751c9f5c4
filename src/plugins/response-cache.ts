/**
 * The response cache: whole answers of read operations, above the command cache, built on yoga's
 * response-cache plugin (envelop's useResponseCache: a hit is answered in onParams, before parse,
 * validation, context and execution). What this file adds to it:
 *
 * - Scope: the key is the document, operation name, variables and the caller. The plugin's
 *   `session` runs before our context factory, so it reads the bearer token itself: one scope per
 *   token when tokens are configured (an account-bound token never shares an entry with another
 *   token), one shared scope when the gateway is open (every caller may then read everything). A
 *   request whose token is refused skips the cache and gets its 401 from the context factory.
 * - Lifetime: at most until the first of the command answers it was built from goes stale
 *   (ctx.provenance, filled in by the command cache: an uncached read, e.g. ping, makes it
 *   uncacheable), never when a stale answer was served, never with errors (the plugin's default),
 *   at most `maxTtlMs`; `Query.upstream` (the live budget) is never cached.
 * - Invalidation: an answer is stored under the invalidation tags of its reads, and the command
 *   cache's writes evict those tags here too (src/app.ts wires store.invalidate). The plugin's own
 *   entity invalidation by mutation results is not used: tags also cover writes that failed or
 *   whose outcome is unknown.
 * - Coalescing: identical misses (same key) wait for the first one's execution and take its
 *   stored answer; if it stored none (errors, stale, uncacheable) they execute themselves.
 * - Cost report: a hit answers `extensions.upstream` with calls 0, `responseCacheHit: true` and the
 *   budget as it is now. The stored answer never keeps the report of the operation that built it,
 *   and a hit's extensions are a new object (the in-process store hands out one shared object).
 */
import { handleMaybePromise, type MaybePromise } from '@whatwg-node/promise-helpers';
import { useResponseCache, type Cache } from '@graphql-yoga/plugin-response-cache';
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { createHash } from 'node:crypto';
import type { Provenance, UpstreamTrace } from '../archtics/types.js';
import { authenticate } from '../auth.js';
import { canonicalJson } from '../cache/key.js';
import type { ResponseStore } from '../cache/response-store.js';
import type { GatewayToken } from '../config.js';
import type { QuotaSnapshot } from '../quota/types.js';
import { responseCacheHitReport } from './upstream-extensions.js';

/** The plugin's mark on an answer it served from the cache. */
const SERVED = Symbol.for('servedFromResponseCache');
/** The one scope of an open gateway (no tokens configured). */
const OPEN_SCOPE = 'open';
/** Per-operation extensions: never stored, never replayed. */
const PER_OPERATION = new Set(['upstream', 'stale']);

export interface ResponseCacheOptions {
  store: ResponseStore;
  /** The gateway's bearer tokens (config.tokens); empty = open. */
  tokens: readonly GatewayToken[];
  /** Longest an answer is kept, whatever its reads allow (ms). */
  maxTtlMs: number;
  /** Epoch ms on the command cache's clock (Provenance's times). Default Date.now. */
  now?: () => number;
  /** The budget for a hit's report: at once when the limiter is in process, else a promise. */
  quota: () => MaybePromise<QuotaSnapshot>;
}

interface OperationContext {
  provenance?: Provenance;
  trace?: UpstreamTrace;
}

type Result = ExecutionResult & { extensions?: Record<string, unknown> };

/** True for an answer this plugin served from the cache (no execution): the operation log reads it. */
export function isResponseCacheHit(result: unknown): boolean {
  return (
    typeof result === 'object' &&
    result !== null &&
    (result as Record<symbol, unknown>)[SERVED] === true
  );
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as Promise<T> | undefined)?.then === 'function';
}

/** The answer as stored: without the per-operation reports. */
function storable(result: Result): Result {
  if (!result.extensions) return result;
  const kept = Object.entries(result.extensions).filter(([k]) => !PER_OPERATION.has(k));
  const { extensions: _dropped, ...rest } = result;
  return kept.length > 0 ? { ...rest, extensions: Object.fromEntries(kept) } : rest;
}

/**
 * The JSON of a stored answer's data, once per stored object: the in-process store hands out the
 * same frozen object on every hit (a Redis hit is a new object each time, serialized each time).
 */
const dataJson = new WeakMap<object, string>();
function dataJsonOf(result: Result): string {
  const data = result.data;
  if (data === null || typeof data !== 'object') return JSON.stringify(data ?? null);
  let json = dataJson.get(data);
  if (json === undefined) dataJson.set(data, (json = JSON.stringify(data)));
  return json;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- it reads only what it declares of the context
export function useGatewayResponseCache(opts: ResponseCacheOptions): Plugin<any> {
  const now = opts.now ?? Date.now;
  const keyOf = new WeakMap<Request, string>();
  const admitted = new WeakMap<Request, boolean>();
  /** key → the first identical operation's execution, while it runs. */
  const inflight = new Map<string, Promise<void>>();
  /**
   * What the answer about to be stored was built from. The plugin calls onTtl (which sees the
   * context) and then, synchronously, cache.set (which does not): onTtl leaves it here for set.
   */
  let staged: { tags: string[]; startedAt: number } | undefined;

  /** A configured token that authenticates; everyone when the gateway is open. */
  const enabled = (request: Request): boolean => {
    let ok = admitted.get(request);
    if (ok === undefined) {
      try {
        authenticate(request.headers, opts.tokens);
        ok = true;
      } catch {
        ok = false;
      }
      admitted.set(request, ok);
    }
    return ok;
  };

  const session = (request: Request): string => {
    // Open: one scope for everyone, named rather than null — the plugin reads a null session as
    // "maybe public" and checks every entity of every answer for a PRIVATE scope (we set none).
    if (opts.tokens.length === 0) return OPEN_SCOPE;
    // The token itself never leaves this function: the scope is a digest of it.
    return `token:${sha256(`response-cache\u0000${request.headers.get('authorization')?.trim() ?? ''}`).slice(0, 32)}`;
  };

  const cache: Cache = {
    get: (key) => opts.store.get(key) as ReturnType<Cache['get']>,
    set(key, result, _entities, ttl) {
      const from = staged;
      staged = undefined;
      if (!from || !(ttl > 0)) return;
      const stored = opts.store.set(key, storable(result as Result) as Record<string, unknown>, {
        ttlMs: ttl,
        ...from,
      });
      if (isPromise(stored)) void stored;
    },
    invalidate() {
      // Unused: answers are evicted by the command cache's write tags (see the header).
    },
  };

  const onTtl = ({ ttl, context }: { ttl: number; context: unknown }): number => {
    staged = undefined;
    const { provenance, trace } = context as OperationContext;
    if (!provenance || (trace?.staleServes ?? 0) > 0) return 0;
    const life = Math.floor(Math.min(ttl, opts.maxTtlMs, provenance.freshUntil - now()));
    if (!(life > 0)) return 0;
    staged = { tags: [...provenance.tags], startedAt: provenance.startedAt };
    return life;
  };

  const hit = (result: Record<string, unknown>): Result =>
    ({ ...result, [SERVED]: true }) as Result;

  return {
    onPluginInit({ addPlugin }) {
      addPlugin(
        useResponseCache({
          session,
          enabled: (request) => enabled(request),
          cache,
          ttl: opts.maxTtlMs,
          ttlPerSchemaCoordinate: { 'Query.upstream': 0 },
          // Entities are not needed (tags do the invalidating): only __typename is added to documents.
          idFields: [],
          invalidateViaMutation: true,
          includeExtensionMetadata: false,
          buildResponseCacheKey: ({
            documentString,
            variableValues,
            operationName,
            sessionId,
            request,
          }) => {
            const key = sha256(
              [
                documentString,
                operationName ?? '',
                canonicalJson(variableValues ?? {}),
                sessionId ?? '',
              ].join('|'),
            );
            keyOf.set(request, key);
            return key;
          },
          onTtl,
        }),
      );
    },
    onParams({ request, paramsHandler, setParamsHandler }) {
      setParamsHandler((payload) => {
        const key = keyOf.get(request);
        if (key === undefined || !enabled(request)) return paramsHandler(payload);
        const first = inflight.get(key);
        if (first) {
          return first.then(async () => {
            const stored = await opts.store.get(key);
            return stored ? hit(stored) : paramsHandler(payload);
          });
        }
        let release!: () => void;
        const done = new Promise<void>((resolve) => (release = resolve));
        inflight.set(key, done);
        const finish = () => {
          if (inflight.get(key) === done) inflight.delete(key);
          release();
        };
        try {
          const result = paramsHandler(payload);
          if (!isPromise(result)) {
            finish();
            return result;
          }
          return result.finally(finish);
        } catch (error) {
          finish();
          throw error;
        }
      });
    },
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result) || !(result as Record<symbol, unknown>)[SERVED]) return;
      const served = result as Result;
      const data = dataJsonOf(served);
      const answer = (snapshot: QuotaSnapshot | undefined) =>
        setResult({
          ...served,
          extensions: { ...served.extensions, upstream: responseCacheHitReport(snapshot) },
          // yoga serializes with a result's own `stringify` when it has one (called with the result
          // minus its internals): the stored data is serialized once, only the report each time.
          stringify: (out: Result) =>
            `{"data":${data}${out.extensions ? `,"extensions":${JSON.stringify(out.extensions)}` : ''}}`,
        } as Result);
      // A budget store outage must not fail an answer that is ready.
      return handleMaybePromise(opts.quota, answer, () => answer(undefined));
    },
  };
}
