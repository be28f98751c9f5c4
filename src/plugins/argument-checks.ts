/**
 * Argument checks before execution. A field whose definition carries
 * `extensions.checkArgs(args)` has it run on its coerced arguments for every place it appears in
 * the operation, before any resolver: a nested field's bad argument (`seats(first: 500)`) is
 * refused before its parent has cost an upstream call. A check throws (a GraphQLError with
 * extensions.code BAD_USER_INPUT); the operation then answers with those errors and no data.
 */
import {
  GraphQLError,
  Kind,
  TypeInfo,
  getArgumentValues,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

export type ArgumentCheck = (args: Record<string, unknown>) => void;

export function checkArguments(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | null | undefined,
  operationName?: string | null,
): GraphQLError[] {
  const errors: GraphQLError[] = [];
  const typeInfo = new TypeInfo(schema);
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      OperationDefinition(node) {
        // Only the operation being run (its fragments are visited on their own; a check there is harmless).
        if (operations.length > 1 && node.name?.value !== operationName) return false;
        return undefined;
      },
      Field(node) {
        const def = typeInfo.getFieldDef();
        const check = def?.extensions?.checkArgs as ArgumentCheck | undefined;
        if (!def || !check) return;
        try {
          check(getArgumentValues(def, node, variables ?? {}));
        } catch (e) {
          if (e instanceof GraphQLError || (e instanceof Error && e.name === 'GraphQLError')) {
            const g = e as GraphQLError;
            errors.push(new GraphQLError(g.message, { nodes: [node], extensions: g.extensions }));
          } else throw e;
        }
      },
    }),
  );
  return errors;
}

export function useArgumentChecks(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const errors = checkArguments(args.schema, args.document, args.variableValues as Record<string, unknown> | undefined, args.operationName);
      if (errors.length > 0) setResultAndStopExecution({ errors });
    },
  };
}
