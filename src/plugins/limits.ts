/**
 * Depth, alias and cost limits (graphql-armor's validation rules), refused before any resolver
 * runs, each with a clear message and its own extensions.code and limit.
 */
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
}

/** Reports an armor rejection ("Syntax Error: …") as a coded limit error instead of throwing it. */
function reportCoded(code: string, limit: Record<string, number>) {
  return {
    propagateOnRejection: false,
    exposeLimits: true,
    onReject: [
      (ctx: ValidationContext | null, error: GraphQLError) =>
        ctx?.reportError(
          new GraphQLError(error.message.replace(/^Syntax Error:\s*/, ''), {
            extensions: { code, ...limit, http: { status: 400 } },
          }),
        ),
    ],
  };
}

export function queryLimitRules(limits: QueryLimits): ValidationRule[] {
  return [
    maxDepthRule({
      n: limits.maxDepth,
      ...reportCoded('QUERY_TOO_DEEP', { maxDepth: limits.maxDepth }),
    }),
    maxAliasesRule({
      n: limits.maxAliases,
      ...reportCoded('TOO_MANY_ALIASES', { maxAliases: limits.maxAliases }),
    }),
    costLimitRule({
      maxCost: limits.maxCost,
      ...reportCoded('QUERY_TOO_COSTLY', { maxCost: limits.maxCost }),
    }),
  ] as unknown as ValidationRule[];
}

export function useQueryLimits(limits: QueryLimits): Plugin {
  const rules = queryLimitRules(limits);
  return {
    onValidate({ addValidationRule }) {
      for (const rule of rules) addValidationRule(rule);
    },
  };
}
