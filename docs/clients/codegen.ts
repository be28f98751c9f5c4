// graphql-codegen for a frontend of the Archtics gateway: typed documents (client preset) with
// the trusted-documents manifest the gateway's allow-list mode reads (GRAPHQL_TRUSTED_DOCUMENTS),
// scalar mappings, and Apollo's possibleTypes. Run with `graphql-codegen --config codegen.ts`.
import type { CodegenConfig } from '@graphql-codegen/cli';

export function codegenConfig(opts: { schema: string; documents: string[]; out: string }): CodegenConfig {
  return {
    // The live gateway (introspection) or the committed schema/schema.graphql.
    schema: opts.schema,
    documents: opts.documents,
    ignoreNoDocuments: false,
    generates: {
      [`${opts.out}/gql/`]: {
        preset: 'client',
        // Writes persisted-documents.json ({ "sha256:<hex>": "<document>" }) and puts the hash on
        // each document (__meta__.hash), for PersistedQueryLink's generateHash or a { documentId } fetch.
        presetConfig: { persistedDocuments: true, fragmentMasking: false },
        config: {
          // Date is "YYYY-MM-DD", DateTime ISO 8601 (both @specifiedBy in the schema); Money.amount is a
          // decimal string: never parse it into a float.
          scalars: { Date: 'string', DateTime: 'string' },
          enumsAsTypes: true,
          useTypeImports: true,
        },
      },
      // Apollo Client's InMemoryCache({ possibleTypes }): unions and interfaces of the schema.
      [`${opts.out}/possible-types.ts`]: { plugins: ['fragment-matcher'], config: { useExplicitTyping: true } },
    },
  };
}
