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

/** Runs an armor rule with its reports re-coded: "Syntax Error: …" becomes a coded limit error. */
function coded(rule: (ctx: ValidationContext) => object, code: string, limit: Record<string, number>): ValidationRule {
  return (ctx) => {
    const recoding = Object.create(ctx) as ValidationContext;
    recoding.reportError = (error: GraphQLError) =>
      ctx.reportError(
        new GraphQLError(error.message.replace(/^Syntax Error:\s*/, ''), {
          nodes: error.nodes,
          extensions: { code, ...limit, http: { status: 400 } },
        }),
      );
    return rule(recoding) as ReturnType<ValidationRule>;
  };
}

export function queryLimitRules(limits: QueryLimits): ValidationRule[] {
  return [
    coded(maxDepthRule({ n: limits.maxDepth, exposeLimits: true, propagateOnRejection: true }), 'QUERY_TOO_DEEP', { maxDepth: limits.maxDepth }),
    coded(maxAliasesRule({ n: limits.maxAliases, exposeLimits: true, propagateOnRejection: true }), 'TOO_MANY_ALIASES', { maxAliases: limits.maxAliases }),
    coded(costLimitRule({ maxCost: limits.maxCost, exposeLimits: true, propagateOnRejection: true }), 'QUERY_TOO_COSTLY', { maxCost: limits.maxCost }),
  ];
}

export function useQueryLimits(limits: QueryLimits): Plugin {
  const rules = queryLimitRules(limits);
  return {
    onValidate({ addValidationRule }) {
      for (const rule of rules) addValidationRule(rule);
    },
  };
}
