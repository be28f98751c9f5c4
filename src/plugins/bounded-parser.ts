/**
 * A parser that cannot be made to use unbounded time, memory or stack. Before graphql-js builds
 * anything, one pass of its own lexer (iterative) counts the document's tokens and the nesting of
 * `{`, `[` and `(`: more than `maxTokens` tokens or deeper than `maxNesting` is refused at once,
 * so the recursive-descent parser never sees a document that could overflow its stack
 * (20 000 nested braces, 5 000-deep list literals) or build a 470 MB AST (a million `__typename`s).
 * graphql's own `maxTokens` stays on as a second guard.
 *
 * graphql-armor's max-tokens counts tokens through a Proxy on every lexer call and does not bound
 * nesting, so this is our own (20 lines over graphql's Lexer).
 *
 * Syntax errors keep their position but lose any quoted piece of the document: an error never
 * echoes the input back.
 */
import {
  GraphQLError,
  Lexer,
  parse,
  Source,
  TokenKind,
  type DocumentNode,
  type ParseOptions,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

export interface ParserLimits {
  maxTokens: number;
  maxNesting: number;
}

function refused(message: string, code: string, limit: Record<string, number>): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...limit, http: { status: 400 } } });
}

/** A syntax error without the document's text: quoted tokens and the source excerpt are dropped. */
function syntaxError(e: GraphQLError): GraphQLError {
  const message = e.message
    .replace(/\s*"(?:[^"\\]|\\.)*"/g, '')
    .replace(/\s*"[^\n]*$/, '')
    .slice(0, 200);
  return new GraphQLError(message, {
    positions: e.positions,
    extensions: { code: 'GRAPHQL_PARSE_FAILED', http: { status: 400 } },
  });
}

/** Throws unless the document has at most maxTokens tokens and nests at most maxNesting deep. */
export function checkDocumentSize(source: Source, limits: ParserLimits): void {
  const lexer = new Lexer(source);
  let tokens = 0;
  let depth = 0;
  for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
    if (++tokens > limits.maxTokens) {
      throw refused(`The document has more than ${limits.maxTokens} tokens.`, 'QUERY_TOO_LARGE', {
        maxTokens: limits.maxTokens,
      });
    }
    const kind = token.kind;
    if (kind === TokenKind.BRACE_L || kind === TokenKind.BRACKET_L || kind === TokenKind.PAREN_L) {
      if (++depth > limits.maxNesting) {
        throw refused(
          `The document nests deeper than ${limits.maxNesting} levels.`,
          'QUERY_TOO_DEEP',
          { maxNesting: limits.maxNesting },
        );
      }
    } else if (
      kind === TokenKind.BRACE_R ||
      kind === TokenKind.BRACKET_R ||
      kind === TokenKind.PAREN_R
    ) {
      depth--;
    }
  }
}

export function parseBounded(
  source: string | Source,
  limits: ParserLimits,
  options?: ParseOptions,
): DocumentNode {
  const src = typeof source === 'string' ? new Source(source) : source;
  try {
    checkDocumentSize(src, limits);
    return parse(src, { ...options, maxTokens: limits.maxTokens });
  } catch (e) {
    if (e instanceof GraphQLError && e.extensions.code === undefined) throw syntaxError(e);
    if (e instanceof RangeError)
      throw refused('The document nests too deep to parse.', 'QUERY_TOO_DEEP', {
        maxNesting: limits.maxNesting,
      });
    throw e;
  }
}

export function useBoundedParser(limits: ParserLimits): Plugin {
  const parseFn = (source: string | Source, options?: ParseOptions) =>
    parseBounded(source, limits, options);
  return {
    onParse({ setParseFn }) {
      setParseFn(parseFn);
    },
  };
}
