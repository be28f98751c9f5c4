/**
 * The shell examples of the documentation still match the public API: every GraphQL document sent
 * with `gql '…'` or `curl … -d '…'` in README.md and docs/**\/*.md parses, validates against the
 * committed schema/schema.graphql, and its variables coerce to the declared input types.
 */
import { buildSchema, parse, validate, type OperationDefinitionNode } from 'graphql';
import { getVariableValues } from 'graphql/execution/values.js';
import { describe, expect, it } from 'vitest';
import { documentationFiles, read } from './markdown.js';

// @defer and @stream come from yoga's plugin, not from the schema file.
const schema = buildSchema(
  read('schema/schema.graphql') +
    '\ndirective @defer(label: String, if: Boolean! = true) on FRAGMENT_SPREAD | INLINE_FRAGMENT' +
    '\ndirective @stream(label: String, if: Boolean! = true, initialCount: Int = 0) on FIELD\n',
);

/** JSON bodies of `gql '{…}'` and `-d '{"query"…}'` in the shell blocks of a page. */
function shellBodies(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/^```(?:sh|bash)\n([\s\S]*?)^```/gm)].map((m) =>
    m[1].replace(/\\\n\s*/g, ' '),
  );
  return blocks.flatMap((b) =>
    [...b.matchAll(/(?:\bgql|\s-d) '(\{"query"[^']*\})'/g)].map((m) => m[1]),
  );
}

const pages = documentationFiles().map((file) => ({ file, bodies: shellBodies(read(file)) }));

describe('shell examples', () => {
  it('the README has its examples (so an empty match cannot pass)', () => {
    expect(pages.find((p) => p.file === 'README.md')!.bodies.length).toBeGreaterThanOrEqual(10);
  });

  for (const { file, bodies } of pages.filter((p) => p.bodies.length > 0)) {
    it(`${file}: every document validates against schema/schema.graphql with its variables`, () => {
      const problems: string[] = [];
      for (const body of bodies) {
        const { query, variables } = JSON.parse(body) as {
          query: string;
          variables?: Record<string, unknown>;
        };
        const document = parse(query);
        const errors = validate(schema, document).map((e) => e.message);
        const operation = document.definitions.find(
          (d): d is OperationDefinitionNode => d.kind === 'OperationDefinition',
        )!;
        const coerced = getVariableValues(
          schema,
          operation.variableDefinitions ?? [],
          variables ?? {},
        );
        errors.push(...(coerced.errors ?? []).map((e) => e.message));
        if (errors.length) problems.push(`${query.slice(0, 60)}…: ${errors.join('; ')}`);
      }
      expect(problems).toEqual([]);
    });
  }
});
