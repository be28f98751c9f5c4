/**
 * HTTP caching of the public catalogue, so a CDN or a browser can answer repeated reads without us:
 *
 * - a GET query whose root fields read only public data (events, their availability and price
 *   codes: `publicRootFields`) and that succeeded gets `Cache-Control: public, max-age=<seconds
 *   until the first read it used goes stale>` (`private` when bearer tokens are on: a shared cache
 *   must not hand it to callers without one) and a weak `ETag` of its data; `If-None-Match` with
 *   that tag answers 304 with no body. The answer is built again to compare (from the command
 *   cache: no upstream call while it is fresh).
 * - everything else the GraphQL endpoint answers — per-account data, mutations, errors, refusals —
 *   is `private, no-store`.
 *
 * How long an answer stays fresh comes from the command cache (context.provenance.freshUntil);
 * without it (cache off) a public answer is `no-cache`: stored, but revalidated every time.
 */
import { createHash } from 'node:crypto';
import { getOperationAST, Kind, parse, type DocumentNode, type SelectionSetNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';

export interface HttpCachingOptions {
  endpoint: string;
  /** Query fields whose whole subtree is public (default: event, events, searchEvents). */
  publicRootFields?: readonly string[];
  /** Bearer tokens are configured: public answers are `private` (browser caches only). */
  authenticated?: boolean;
  /** Longest max-age given, in seconds (default 600). */
  maxAgeSeconds?: number;
  now?: () => number;
}

interface ProvenanceContext {
  request?: Request;
  provenance?: { freshUntil: number };
}

export const DEFAULT_PUBLIC_ROOT_FIELDS = ['event', 'events', 'searchEvents'] as const;
export const NO_STORE = 'private, no-store';

/** True when every root field of the operation is public (fragments on Query followed). */
export function readsOnlyPublic(
  document: DocumentNode,
  operationName: string | null | undefined,
  publicFields: ReadonlySet<string>,
): boolean {
  const op = getOperationAST(document, operationName);
  if (!op || op.operation !== 'query') return false;
  const fragments = new Map(
    document.definitions.flatMap((d) =>
      d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [],
    ),
  );
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode): boolean =>
    set.selections.every((s) => {
      if (s.kind === Kind.FIELD)
        return s.name.value === '__typename' || publicFields.has(s.name.value);
      if (s.kind === Kind.INLINE_FRAGMENT) return walk(s.selectionSet);
      if (seen.has(s.name.value)) return true;
      seen.add(s.name.value);
      const f = fragments.get(s.name.value);
      return f !== undefined && walk(f.selectionSet);
    });
  return walk(op.selectionSet);
}

/** A weak tag of what the answer says (data and errors; extensions.upstream differs per request). */
export function etagOf(result: { data?: unknown; errors?: unknown }): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([result.data ?? null, result.errors ?? null]))
    .digest('base64url');
  return `W/"${digest.slice(0, 32)}"`;
}

/** If-None-Match matches (weak comparison, lists and `*`). */
export function etagMatches(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = (t: string) => t.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => t.trim() === '*' || opaque(t) === opaque(etag));
}

export function useHttpCaching(opts: HttpCachingOptions): Plugin {
  const publicFields = new Set(opts.publicRootFields ?? DEFAULT_PUBLIC_ROOT_FIELDS);
  const maxAge = opts.maxAgeSeconds ?? 600;
  const now = opts.now ?? Date.now;
  const scope = opts.authenticated ? 'private' : 'public';
  /** GET requests whose document reads only public data (decided before the response cache may answer). */
  const publicGets = new WeakSet<Request>();
  /** Their contexts, once executed (provenance: how long the answer stays fresh). */
  const contexts = new WeakMap<Request, ProvenanceContext>();
  const headersOf = new WeakMap<Request, Record<string, string>>();
  /** Decisions by document text: GET documents repeat (persisted, CDN-keyed). */
  const decided = new LRUCache<string, boolean>({
    max: 1000,
    maxSize: 5e6,
    sizeCalculation: (_v, k) => k.length + 1,
  });
  const isPublic = (query: string, operationName: string | undefined): boolean => {
    const key = `${operationName ?? ''}\u0000${query}`;
    let answer = decided.get(key);
    if (answer === undefined) {
      try {
        answer = readsOnlyPublic(parse(query, { maxTokens: 10_000 }), operationName, publicFields);
      } catch {
        answer = false;
      }
      decided.set(key, answer);
    }
    return answer;
  };

  return {
    onParams({ request, params }) {
      if (request.method === 'GET' && params.query && isPublic(params.query, params.operationName))
        publicGets.add(request);
    },
    onExecute({ args }) {
      const ctx = args.contextValue as ProvenanceContext;
      if (ctx.request && publicGets.has(ctx.request)) contexts.set(ctx.request, ctx);
    },
    onResultProcess({ request, result, setResultProcessor }) {
      if (
        !publicGets.has(request) ||
        Array.isArray(result) ||
        isAsyncIterable(result) ||
        result.errors?.length ||
        !result.data
      )
        return;
      // Executed here: fresh as long as its reads; answered by the response cache: revalidate.
      const freshUntil = contexts.get(request)?.provenance?.freshUntil;
      const seconds =
        freshUntil === undefined
          ? undefined
          : Math.max(0, Math.min(maxAge, Math.floor((freshUntil - now()) / 1000)));
      const cacheControl =
        seconds === undefined
          ? `${scope}, no-cache`
          : seconds > 0
            ? `${scope}, max-age=${seconds}`
            : NO_STORE;
      if (cacheControl === NO_STORE) return;
      const etag = etagOf(result);
      const headers = { 'cache-control': cacheControl, etag, vary: 'Accept, Authorization' };
      headersOf.set(request, headers);
      if (etagMatches(request.headers.get('if-none-match'), etag)) {
        setResultProcessor(
          (_r, fetchAPI) => new fetchAPI.Response(null, { status: 304, headers }),
          'application/json',
        );
      }
    },
    onResponse({ request, response }) {
      if (
        response.status === 304 ||
        response.headers.has('cache-control') ||
        new URL(request.url).pathname !== opts.endpoint
      )
        return;
      const headers = headersOf.get(request);
      if (!headers) {
        response.headers.set('cache-control', NO_STORE);
        return;
      }
      // The response cache's ETag (its key) stands: it answers If-None-Match with it before execution.
      for (const [name, value] of Object.entries(headers))
        if (name !== 'etag' || !response.headers.has('etag')) response.headers.set(name, value);
    },
  };
}
