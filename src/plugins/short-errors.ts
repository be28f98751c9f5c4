/**
 * The last word on every error a client sees. No message quotes more than a few characters of
 * the request (graphql-js and yoga quote names, variable values and parameter keys:
 * `Cannot query field "<200 KB>"`, `Variable "$x" got invalid value "<the value>"`), and no
 * error carries an `originalError` or stack. A refused request (errors and no `data`: bad
 * parameters, syntax, limits, validation, variables) is a 4xx whatever the Accept header: yoga
 * answers those 200 to `Accept: application/json`, as the GraphQL-over-HTTP spec allows, but a
 * refusal should not look like success to a proxy, a log or a rate limiter.
 */
import type { ExecutionResult, GraphQLFormattedError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const MAX_QUOTED = 40;
const MAX_MESSAGE = 300;

export function shortMessage(message: string): string {
  const quotedShort = message.replace(/"((?:[^"\\]|\\.)*)"/g, (whole, inner: string) =>
    inner.length > MAX_QUOTED ? '"…"' : whole,
  );
  return quotedShort.length > MAX_MESSAGE ? `${quotedShort.slice(0, MAX_MESSAGE)}…` : quotedShort;
}

function shortError(error: GraphQLFormattedError): GraphQLFormattedError {
  const extensions = error.extensions as Record<string, unknown> | undefined;
  const message = shortMessage(error.message);
  const leaky = extensions && ('originalError' in extensions || 'stacktrace' in extensions);
  if (message === error.message && !leaky) return error;
  const clean = leaky
    ? Object.fromEntries(
        Object.entries(extensions).filter(([k]) => k !== 'originalError' && k !== 'stacktrace'),
      )
    : extensions;
  return { ...error, message, ...(clean ? { extensions: clean } : {}) };
}

type HttpExtension = { status?: number; spec?: boolean; headers?: Record<string, string> };

/** The status of a refused request: the highest 4xx its errors ask for, else 400; undefined if not refused. */
function refusalStatus(result: ExecutionResult): number | undefined {
  if ('data' in result || !result.errors?.length) return undefined;
  let status = 400;
  for (const error of result.errors) {
    const wanted = (error.extensions?.http as HttpExtension | undefined)?.status;
    if (wanted === undefined) continue;
    if (wanted >= 500) return undefined;
    if (wanted > status) status = wanted;
  }
  return status;
}

function shortResult(result: ExecutionResult): ExecutionResult {
  const errors = result.errors as readonly GraphQLFormattedError[] | undefined;
  if (!errors?.length) return result;
  const short = errors.map(shortError);
  const status = refusalStatus(result);
  const shortened = short.every((e, i) => e === errors[i])
    ? result
    : ({ ...result, errors: short } as unknown as ExecutionResult);
  if (status === undefined) return shortened;
  const http = (result.extensions?.http ?? {}) as HttpExtension;
  return {
    ...shortened,
    extensions: {
      ...result.extensions,
      http: { ...http, status: Math.max(http.status ?? 0, status) },
    },
  };
}

export function useShortErrors(): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result)) setResult(result.map(shortResult));
      else if (!(Symbol.asyncIterator in (result as object)))
        setResult(shortResult(result as ExecutionResult));
    },
  };
}
