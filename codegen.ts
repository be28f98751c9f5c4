/**
 * npm run codegen: typed documents for the operations the tests send (test/operations/*.graphql),
 * checked against the committed schema/schema.graphql, written to test/gql/ (committed); and
 * Apollo's possibleTypes for the client recipe (docs/clients/generated/, committed).
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['test/operations/*.graphql'],
  emitLegacyCommonJSImports: false,
  ignoreNoDocuments: false,
  generates: {
    'test/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { Date: 'string', DateTime: 'string' },
        enumsAsTypes: true,
        useTypeImports: true,
      },
    },
    'docs/clients/generated/possible-types.ts': {
      plugins: ['fragment-matcher'],
      config: { useExplicitTyping: true },
    },
  },
};

export default config;
