/**
 * Malformed requests are 4xx with a fixed, short message. Yoga's request parsers throw a bare
 * SyntaxError for bad JSON in a GET's `variables` or `extensions` (which became a 500), and put
 * the JSON parser's message — an excerpt of the body — into extensions.originalError (a 10 MB
 * garbage body gave a 10 MB answer). This wraps whichever parser yoga picked: every failure is
 * replaced by an error that names what was wrong and quotes nothing of the request.
 */
import { handleMaybePromise } from '@whatwg-node/promise-helpers';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

function badRequest(message: string, status = 400, code = 'BAD_REQUEST'): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status } } });
}

/** The replacement for one parser failure (exported for tests). */
export function requestParseError(error: unknown, method: string): GraphQLError {
  if (error instanceof GraphQLError) {
    const status = (error.extensions.http as { status?: number } | undefined)?.status ?? 400;
    if (status === 413)
      return badRequest('The request body is too large.', 413, 'REQUEST_ENTITY_TOO_LARGE');
    if (/invalid JSON/i.test(error.message))
      return badRequest('The request body is not valid JSON.');
    if (/Content-Length/i.test(error.message))
      return badRequest('The Content-Length header is not valid.');
    if (
      status >= 400 &&
      status < 500 &&
      error.message.length <= 120 &&
      !error.message.includes('"')
    )
      return badRequest(error.message, status);
    return badRequest(
      'The request could not be read as a GraphQL request.',
      status >= 400 && status < 500 ? status : 400,
    );
  }
  if (error instanceof SyntaxError) {
    return badRequest(
      method === 'GET'
        ? 'The "variables" or "extensions" parameter is not valid JSON.'
        : 'The request is not valid JSON.',
    );
  }
  if (error instanceof URIError) return badRequest('The request URL is not correctly encoded.');
  // A stream that broke off or a body that is not text: still the client's request, not our bug.
  return badRequest('The request could not be read.');
}

export function useRequestParseErrors(): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser }) {
      if (!requestParser) return;
      const fail = (error: unknown): never => {
        throw requestParseError(error, request.method);
      };
      setRequestParser((req) =>
        handleMaybePromise(
          () => requestParser(req),
          (parsed) => parsed,
          fail,
        ),
      );
    },
  };
}
