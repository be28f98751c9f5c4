/**
 * GRAPHQL_INTROSPECTION=false: `__schema` and `__type` are refused (graphql's
 * NoSchemaIntrospectionCustomRule; `__typename` still works) and validation errors lose their
 * "Did you mean …?" hints, which would otherwise spell out the schema a field at a time.
 * On by default with the embedded sandbox, off against a real service (src/config.ts).
 */
import { GraphQLError, NoSchemaIntrospectionCustomRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export function withoutHints<E extends Error>(error: E): E | GraphQLError {
  if (!(error instanceof GraphQLError)) return error;
  const message = error.message.replace(/\s*Did you mean[^?]*\?/g, '');
  if (message === error.message) return error;
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: error.extensions,
  });
}

export function useIntrospectionPolicy(opts: { introspection: boolean }): Plugin {
  if (opts.introspection) return {};
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
      return ({ result, setResult }) => {
        if (result.length > 0) setResult(result.map(withoutHints));
      };
    },
  };
}
