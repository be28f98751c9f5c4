/**
 * Trusted documents: operations registered ahead of time, sent by id. The manifest is the file
 * graphql-codegen's client preset writes with `persistedDocuments: true`
 * (`{ "sha256:<hex>": "query … { … }" }`, the hash of that exact text). A request names one with
 * `documentId` ("sha256:<hex>" or the bare hex) or, as Apollo's PersistedQueryLink sends it,
 * `extensions.persistedQuery.sha256Hash`.
 *
 * With GRAPHQL_TRUSTED_DOCUMENTS set the gateway runs in allow-list mode: any other document is
 * refused before parsing, so it costs no upstream call — except from the gateway's own GraphiQL
 * page while GraphiQL is enabled (a same-origin Referer on the GraphQL endpoint; a convenience for
 * people, not a security boundary: turn GraphiQL off where the allow-list must be strict).
 * Served by @graphql-yoga/plugin-persisted-operations.
 */
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import { documentHash, type TrustedDocuments } from '../trusted-documents.js';
import { persistedQueryExtension } from './apq.js';

export interface TrustedDocumentsOptions {
  documents: TrustedDocuments;
  /** true: only trusted documents run (GRAPHQL_TRUSTED_DOCUMENTS); false: they run beside any other. */
  allowList: boolean;
  /** The endpoint whose GraphiQL page may still send any document in allow-list mode; unset: none may. */
  graphiqlEndpoint?: string;
}

/** True when the request comes from the GraphiQL page served at `endpoint` on this origin. */
function fromGraphiQL(request: Request, endpoint: string): boolean {
  const referer = request.headers.get('referer');
  if (!referer) return false;
  try {
    const from = new URL(referer);
    return from.origin === new URL(request.url).origin && from.pathname === endpoint;
  } catch {
    return false;
  }
}

export function useTrustedDocuments(opts: TrustedDocumentsOptions): Plugin {
  const { documents, allowList, graphiqlEndpoint } = opts;
  return usePersistedOperations({
    getPersistedOperation: (id) => documents.get(documentHash(id) ?? '') ?? null,
    extractPersistedOperationId: (params: GraphQLParams & { documentId?: unknown }, request) => {
      if (params.documentId != null) return String(params.documentId);
      // Yoga's GET parser keeps only query, variables, operationName and extensions.
      const fromUrl =
        request.method === 'GET' ? new URL(request.url).searchParams.get('documentId') : null;
      if (fromUrl) return fromUrl;
      // Outside allow-list mode useAPQ (src/plugins/apq.ts) runs first and has set the query of a
      // hash it knows; an unknown one gets here only with APQ off, and is then looked up in the manifest.
      return persistedQueryExtension(params.extensions)?.sha256Hash ?? null;
    },
    allowArbitraryOperations: allowList
      ? graphiqlEndpoint
        ? (request) => fromGraphiQL(request, graphiqlEndpoint)
        : false
      : true,
    customErrors: {
      // The message Apollo's and urql's links look for.
      notFound: {
        message: 'PersistedQueryNotFound',
        extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST', http: { status: 404 } },
      },
      persistedQueryOnly: {
        message:
          'This gateway runs only its trusted documents: send a registered documentId (or persistedQuery hash) without a query.',
        extensions: { code: 'PERSISTED_QUERY_ONLY', http: { status: 403 } },
      },
      keyNotFound: {
        message: 'Send a query, or a documentId of a trusted document.',
        extensions: { code: 'PERSISTED_QUERY_ID_REQUIRED', http: { status: 400 } },
      },
    },
  });
}
