/**
 * What a client may see of an error. Our own GraphQLErrors (BAD_USER_INPUT, FORBIDDEN,
 * UNAUTHENTICATED, limits) pass as they are; a variable that cannot be coerced is BAD_USER_INPUT too. A typed upstream failure — anything with a
 * string `code` and an `extensions()` method, i.e. src/archtics/errors.ts — becomes a GraphQLError
 * with exactly those extensions and a fixed message per code (upstream texts stay in the logs).
 * Everything else is "Unexpected error." with code INTERNAL_SERVER_ERROR.
 */
import { GraphQLError } from 'graphql';
import type { Logger } from '../logger.js';
import { maskError as yogaMaskError, type YogaServerOptions } from 'graphql-yoga';

type MaskError = NonNullable<
  Exclude<YogaServerOptions<object, object>['maskedErrors'], boolean | undefined>['maskError']
>;

const MESSAGES: Record<string, string> = {
  UPSTREAM_UNAUTHORIZED: 'The ticketing service refused the gateway’s credentials.',
  UPSTREAM_SETUP_ERROR: 'The gateway is not set up correctly for the ticketing service.',
  RATE_LIMITED: 'The ticketing service’s call budget is used up for now; retry later.',
  UPSTREAM_UNAVAILABLE: 'The ticketing service is unavailable.',
  UPSTREAM_TIMEOUT: 'The ticketing service did not answer in time.',
  UPSTREAM_PROTOCOL_ERROR: 'The ticketing service sent an answer the gateway could not read.',
  UPSTREAM_COMMAND_ERROR: 'The ticketing service refused the command.',
  BAD_USER_INPUT:
    'An argument is not a value the ticketing service takes (too long, or characters its field does not allow).',
};

interface TypedUpstreamError {
  code: string;
  extensions(): Record<string, unknown>;
}

function isTypedUpstreamError(e: unknown): e is TypedUpstreamError {
  return (
    e instanceof Error &&
    typeof (e as { code?: unknown }).code === 'string' &&
    typeof (e as { extensions?: unknown }).extensions === 'function'
  );
}

function originalOf(error: unknown): unknown {
  let e = error;
  for (let i = 0; i < 5 && e instanceof GraphQLError && e.originalError; i++) e = e.originalError;
  return e;
}

/** maskError that also logs what it hides (the logger redacts secrets). */
export function createMaskError(logger?: Pick<Logger, 'error'>): MaskError {
  return (error, message, isDev) => {
    const masked = maskError(error, message, isDev);
    if ((masked as GraphQLError).extensions?.code === 'INTERNAL_SERVER_ERROR') {
      const original = originalOf(error);
      logger?.error(
        {
          err: original,
          path: error instanceof GraphQLError ? error.path : undefined,
          stack: original instanceof Error ? original.stack : undefined,
        },
        'unexpected error',
      );
    }
    return masked;
  };
}

/** graphql-js's variable coercion errors ('Variable "$a" got invalid value …') carry no code. */
const VARIABLE_ERROR = /^Variable "\$[^"]+" /;

export const maskError: MaskError = (error, message, isDev) => {
  if (
    error instanceof GraphQLError &&
    error.extensions?.code === undefined &&
    VARIABLE_ERROR.test(error.message)
  ) {
    return new GraphQLError(error.message, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      path: error.path,
      extensions: { ...error.extensions, code: 'BAD_USER_INPUT' },
    });
  }
  const original = originalOf(error);
  if (isTypedUpstreamError(original)) {
    const where = error instanceof GraphQLError ? error : undefined;
    const extensions = original.extensions();
    return new GraphQLError(MESSAGES[original.code] ?? 'The ticketing service failed.', {
      nodes: where?.nodes,
      source: where?.source,
      positions: where?.positions,
      path: where?.path,
      extensions,
    });
  }
  return yogaMaskError(error, message, isDev);
};
