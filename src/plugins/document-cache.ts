/**
 * The parse/validation cache, bounded in bytes, that keeps only documents that validated. Yoga's
 * own (parserAndValidationCache, turned off in src/server.ts) holds 1 024 entries of any size and
 * caches refused documents too: distinct 10 MB documents filled the heap until the process died.
 *
 * A document enters the cache only once validation has passed with the server's rules (they are
 * the same for every request of one server), keyed by its source text, sized by an estimate of
 * its AST's heap (`AST_BYTES_PER_CHAR` per source character). A cached document skips both
 * parsing and validation. A refused one is parsed again next time, and costs no memory here.
 */
import type { DocumentNode, Source } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';

/** Heap of a parsed AST per character of source, rounded up (measured: 40–90, most for short names in many aliases). */
export const AST_BYTES_PER_CHAR = 100;

export function astBytes(source: string): number {
  return 512 + source.length * AST_BYTES_PER_CHAR;
}

export interface DocumentCacheOptions {
  /** Bytes the cache may keep (by the estimate above); 0 = no cache. */
  maxBytes: number;
}

export function useValidatedDocumentCache(opts: DocumentCacheOptions): Plugin {
  if (opts.maxBytes <= 0) return {};
  const documents = new LRUCache<string, DocumentNode>({
    maxSize: opts.maxBytes,
    sizeCalculation: (_doc, source) => astBytes(source),
  });
  // Parsed here but not yet validated: the source text it came from.
  const pending = new WeakMap<DocumentNode, string>();
  const validated = new WeakSet<DocumentNode>();
  return {
    onParse({ params, setParsedDocument }) {
      const source =
        typeof params.source === 'string' ? params.source : (params.source as Source).body;
      const cached = documents.get(source);
      if (cached) {
        setParsedDocument(cached);
        return undefined;
      }
      return ({ result }) => {
        if (result && !(result instanceof Error)) pending.set(result as DocumentNode, source);
      };
    },
    onValidate({ params, setResult }) {
      const document = params.documentAST;
      if (validated.has(document)) {
        setResult([]);
        return undefined;
      }
      return ({ result }) => {
        const source = pending.get(document);
        if (source === undefined || result.length > 0) return;
        pending.delete(document);
        validated.add(document);
        documents.set(source, document);
      };
    },
  };
}
