/**
 * The trusted-documents manifest (GRAPHQL_TRUSTED_DOCUMENTS): the JSON file graphql-codegen's
 * client preset writes with `persistedDocuments: true`, `{ "sha256:<hex>": "<document>" }`, where
 * <hex> is the SHA-256 of that exact text. Read and checked at start (src/config.ts); served by
 * src/plugins/trusted-documents.ts.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Trusted documents by bare hex id. */
export type TrustedDocuments = ReadonlyMap<string, string>;

const ID = /^(?:sha256:)?([0-9a-f]{64})$/;

/** The bare hex of "sha256:<hex>" or "<hex>"; undefined for anything else. */
export function documentHash(id: unknown): string | undefined {
  return typeof id === 'string' ? ID.exec(id.toLowerCase())?.[1] : undefined;
}

/** Parses a manifest; every id must be the SHA-256 of its document (a mismatch names the id). */
export function parseTrustedDocuments(manifest: unknown): TrustedDocuments {
  if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest)) {
    throw new Error('the manifest must be a JSON object of "sha256:<hex>": "<document>"');
  }
  const docs = new Map<string, string>();
  for (const [id, document] of Object.entries(manifest)) {
    const hash = documentHash(id);
    if (!hash || typeof document !== 'string')
      throw new Error(`entry "${id.slice(0, 80)}" is not "sha256:<64 hex>": "<document>"`);
    if (sha256Hex(document) !== hash)
      throw new Error(`entry "${id}": the document's SHA-256 is ${sha256Hex(document)}`);
    docs.set(hash, document);
  }
  return docs;
}

export function loadTrustedDocuments(path: string): TrustedDocuments {
  return parseTrustedDocuments(JSON.parse(readFileSync(path, 'utf8')));
}
