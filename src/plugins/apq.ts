/**
 * Automatic persisted queries, as Apollo's PersistedQueryLink and urql's persistedExchange speak
 * them (and as @graphql-yoga/plugin-apq answers; its peer dependencies conflict with codegen's, so
 * it cannot be installed here):
 *
 *   { extensions: { persistedQuery: { version: 1, sha256Hash } } }           hash only
 *     known   → executed as the registered document
 *     unknown → HTTP 404, "PersistedQueryNotFound" / PERSISTED_QUERY_NOT_FOUND: the client resends
 *               with the query, which registers it
 *   { query, extensions: { persistedQuery: { version: 1, sha256Hash } } }    registration
 *     sha256(query) ≠ hash → HTTP 400, "PersistedQueryMismatch" / PERSISTED_QUERY_MISMATCH
 *
 * Nothing reaches the upstream before the document is known. A store outage (Redis) reads as
 * "unknown" and a failed registration still executes: clients fall back to sending the query.
 */
import { createHash } from 'node:crypto';
import { createGraphQLError, type GraphQLParams, type Plugin } from 'graphql-yoga';
import type { APQStore } from './apq-store.js';

export interface APQOptions {
  store: APQStore;
  /** Told about store failures (the request goes on without the store). */
  onStoreError?: (error: unknown) => void;
}

interface PersistedQueryExtension {
  version: 1;
  sha256Hash: string;
}

export function persistedQueryExtension(
  extensions: Record<string, unknown> | undefined,
): PersistedQueryExtension | undefined {
  const pq = extensions?.persistedQuery as Partial<PersistedQueryExtension> | undefined;
  return pq && typeof pq === 'object' && pq.version === 1 && typeof pq.sha256Hash === 'string'
    ? (pq as PersistedQueryExtension)
    : undefined;
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

const HASH = /^[0-9a-f]{64}$/;

export function useAPQ(opts: APQOptions): Plugin {
  const { store } = opts;
  const quietly = async <T>(work: () => Promise<T> | T, fallback: T): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      opts.onStoreError?.(error);
      return fallback;
    }
  };
  const resolve = async (
    params: GraphQLParams,
    setParams: (p: GraphQLParams) => void,
    pq: PersistedQueryExtension,
  ): Promise<void> => {
    const hash = pq.sha256Hash.toLowerCase();
    if (!HASH.test(hash)) {
      throw createGraphQLError(
        'persistedQuery.sha256Hash must be 64 hexadecimal digits (the SHA-256 of the query).',
        {
          extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
        },
      );
    }
    if (params.query == null) {
      const query = await quietly(() => store.get(hash), undefined);
      if (query === undefined) {
        throw createGraphQLError('PersistedQueryNotFound', {
          extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 404 } },
        });
      }
      setParams({ ...params, query });
      return;
    }
    if (sha256Hex(params.query) !== hash) {
      throw createGraphQLError('PersistedQueryMismatch', {
        extensions: { code: 'PERSISTED_QUERY_MISMATCH', http: { status: 400 } },
      });
    }
    await quietly(() => store.set(hash, params.query!), false);
  };
  return {
    // Synchronous for a request without the extension: no promise on the common path.
    onParams({ params, setParams }) {
      const pq = persistedQueryExtension(params.extensions);
      return pq ? resolve(params, setParams, pq) : undefined;
    },
  };
}
