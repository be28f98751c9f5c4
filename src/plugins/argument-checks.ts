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
  type FieldNode,
  type GraphQLField,
  type GraphQLSchema,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

export type ArgumentCheck = (args: Record<string, unknown>) => void;

interface CheckedField {
  def: GraphQLField<unknown, unknown>;
  node: FieldNode;
  check: ArgumentCheck;
}

/**
 * The fields of (schema, document, operation) that carry a check, found once: the walk over the
 * document with TypeInfo cost more than the checks themselves on every request, and yoga hands
 * the same DocumentNode for the same query text (its parse cache), so the plan is reused.
 */
const plans = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, CheckedField[]>>>();

function checkedFields(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName?: string | null,
): CheckedField[] {
  let bySchema = plans.get(schema);
  if (!bySchema) plans.set(schema, (bySchema = new WeakMap()));
  let byOperation = bySchema.get(document);
  if (!byOperation) bySchema.set(document, (byOperation = new Map()));
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const planKey = operations.length > 1 ? `op:${operationName ?? ''}` : '';
  const known = byOperation.get(planKey);
  if (known) return known;
  const fields: CheckedField[] = [];
  const typeInfo = new TypeInfo(schema);
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
        if (def && check) fields.push({ def, node, check });
      },
    }),
  );
  // Bounded: a client cycling operation names cannot grow this without limit.
  if (byOperation.size < 64) byOperation.set(planKey, fields);
  return fields;
}

export function checkArguments(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | null | undefined,
  operationName?: string | null,
): GraphQLError[] {
  const errors: GraphQLError[] = [];
  for (const { def, node, check } of checkedFields(schema, document, operationName)) {
    try {
      check(getArgumentValues(def, node, variables ?? {}));
    } catch (e) {
      if (e instanceof GraphQLError || (e instanceof Error && e.name === 'GraphQLError')) {
        const g = e as GraphQLError;
        errors.push(new GraphQLError(g.message, { nodes: [node], extensions: g.extensions }));
      } else throw e;
    }
  }
  return errors;
}

export function useArgumentChecks(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const errors = checkArguments(
        args.schema,
        args.document,
        args.variableValues as Record<string, unknown> | undefined,
        args.operationName,
      );
      if (errors.length > 0) setResultAndStopExecution({ errors });
    },
  };
}
