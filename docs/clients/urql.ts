// urql for the Archtics gateway: persisted queries over GET (CDN-friendly), and a client-name
// header, which the gateway's CSRF check asks of every GET (urql's defaults would get HTTP 403).
import { Client, fetchExchange, type OperationResult } from '@urql/core';
import { persistedExchange } from '@urql/exchange-persisted';

export function createUrqlClient(opts: { url: string; headers?: Record<string, string>; onCost?: (cost: string) => void }) {
  return new Client({
    url: opts.url,
    // Queries as GET while the URL stays short (mutations stay POST).
    preferGetMethod: 'within-url-limit',
    fetchOptions: { headers: { 'graphql-client-name': 'box-office', ...opts.headers } },
    // The cost report travels as x-upstream-cost on every response (and in result.extensions).
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      const cost = response.headers.get('x-upstream-cost');
      if (cost) opts.onCost?.(cost);
      return response;
    },
    exchanges: [
      // Sends the SHA-256 first; the query only when the gateway answers PersistedQueryNotFound.
      persistedExchange({ preferGetForPersistedQueries: 'within-url-limit' }),
      fetchExchange,
    ],
  });
}

/** The upstream cost of one result, from extensions.upstream (also in the header). */
export const upstreamCost = (result: OperationResult) => result.extensions?.upstream as { calls: number; cacheHits: number } | undefined;
