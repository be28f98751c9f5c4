/**
 * Authentication before anything else: with GATEWAY_TOKENS set, a GraphQL request without a
 * known bearer token is answered 401 in onRequest — before its body is read, parsed, validated
 * or cached — so an anonymous caller costs a header lookup and nothing more. CORS preflights
 * (OPTIONS) and, when GraphiQL is enabled, the GraphiQL page itself (a GET asking for HTML, with
 * no data in it) pass; every operation still needs the token. The context reads the caller again
 * with `authenticate` (constant-time, no I/O): yoga may hand the context a copy of the request.
 */
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { authenticate } from '../auth.js';
import type { GatewayToken } from '../config.js';

export interface AuthenticationOptions {
  endpoint: string;
  tokens: readonly GatewayToken[];
  /** GraphiQL is served: let its HTML page through without a token. */
  graphiql: boolean;
}

/** A GraphQL-over-HTTP error answer with a fixed message (nothing of the request in it). */
export function errorResponse(
  fetchAPI: { Response: typeof Response },
  status: number,
  message: string,
  code: string,
  headers: Record<string, string> = {},
): Response {
  return new fetchAPI.Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

export function useAuthentication(opts: AuthenticationOptions): Plugin {
  if (opts.tokens.length === 0) return {};
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== opts.endpoint || request.method === 'OPTIONS') return;
      if (
        opts.graphiql &&
        request.method === 'GET' &&
        (request.headers.get('accept') ?? '').includes('text/html')
      )
        return;
      try {
        authenticate(request.headers, opts.tokens);
      } catch (e) {
        const message = e instanceof GraphQLError ? e.message : 'Unknown bearer token.';
        endResponse(
          errorResponse(fetchAPI, 401, message, 'UNAUTHENTICATED', {
            'www-authenticate': 'Bearer',
          }),
        );
      }
    },
  };
}
