/**
 * CSRF prevention: a GraphQL request a browser could send cross-site without a preflight (a GET,
 * or a POST whose content type is not JSON) must carry one of `requestHeaders`, which a
 * cross-site page cannot set without CORS allowing it. JSON POSTs (GraphiQL, curl with
 * content-type application/json) are not "simple" requests and pass. The GraphiQL page itself
 * (a GET asking for HTML) is not a GraphQL request.
 */
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Any of them makes a request non-simple (a cross-site page would need CORS to send it); the last two are what Apollo Client sends by itself (clientAwareness) or Apollo Server accepts. */
export const CSRF_HEADERS = [
  'x-graphql-yoga-csrf',
  'graphql-client-name',
  'apollo-require-preflight',
  'apollographql-client-name',
  'x-apollo-operation-name',
];

const NON_SIMPLE_TYPES = [
  'application/json',
  'application/graphql-response+json',
  'application/graphql+json',
];

export function useCsrfPrevention(opts: { endpoint: string; requestHeaders?: string[] }): Plugin {
  const headers = opts.requestHeaders ?? CSRF_HEADERS;
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== opts.endpoint) return;
      if (request.method === 'OPTIONS') return;
      if (request.method === 'GET' && (request.headers.get('accept') ?? '').includes('text/html'))
        return;
      const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
      const simple = request.method === 'GET' || !NON_SIMPLE_TYPES.includes(type);
      if (!simple || headers.some((h) => request.headers.has(h))) return;
      const error = new GraphQLError(
        request.method === 'GET'
          ? `A GET request needs one of the headers ${headers.join(', ')} (CSRF prevention), e.g. "graphql-client-name: <your app>".`
          : `This POST needs "content-type: application/json" or one of the headers ${headers.join(', ')} (CSRF prevention).`,
        { extensions: { code: 'CSRF_PREVENTED' } },
      );
      endResponse(
        new fetchAPI.Response(JSON.stringify({ errors: [error.toJSON()] }), {
          status: 403,
          headers: { 'content-type': 'application/json' },
        }),
      );
    },
  };
}
