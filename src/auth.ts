/**
 * Who is calling: ctx.auth, computed once per request from the Authorization header and
 * config.tokens. With no tokens configured (the sandbox default) every caller has every scope.
 * The schema's scope-auth plugin reads only this object, so richer checks (token expiry, hashed
 * tokens, per-token quotas) replace `authenticate` without touching the schema.
 */
import { GraphQLError } from 'graphql';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { GatewayToken, Scope } from './config.js';

export type { Scope };

export interface AuthInfo {
  /** What the caller may do: read (queries), hold (holds and carts), buy (checkout, payment, print). */
  scopes: readonly Scope[];
  /** When set, the caller may act for this account only. */
  acctId?: number;
  /** False when tokens are off and the caller is anonymous. */
  authenticated: boolean;
  /**
   * Who owns what this caller creates (its carts): "acct:<id>" for an account-bound token (all
   * tokens of one account share its carts), "token:<digest>" for another token, "anonymous" when
   * tokens are off. Never the token itself.
   */
  caller: string;
  /**
   * Whose fair share of the upstream budget this request draws on (src/quota/fair.ts):
   * "token:<digest>" per token (account-bound or not), or with tokens off "addr:<digest>" of the
   * client's socket address (never a header: anyone can write one). Undefined when there is none
   * (an in-process request): planned first come, first served, as everything was before shares.
   */
  budgetCaller?: string;
}

/** A token's identity for records and shares: a digest, so no store or log ever holds the token. */
export function tokenDigest(token: string): string {
  return createHash('sha256')
    .update(`archtics-gateway-caller:${token}`)
    .digest('base64url')
    .slice(0, 22);
}

export const ALL_SCOPES: readonly Scope[] = ['read', 'hold', 'buy'];

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code: 'UNAUTHENTICATED',
      http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } },
    },
  });
}

/**
 * Bearer token lookup. Throws GraphQLError UNAUTHENTICATED (HTTP 401) when tokens are configured
 * and the header is missing, malformed or names no token.
 */
export function authenticate(
  headers: Pick<Headers, 'get'>,
  tokens: readonly GatewayToken[],
  clientAddress?: string,
): AuthInfo {
  if (tokens.length === 0) {
    const budgetCaller = addressCaller(clientAddress);
    return {
      scopes: ALL_SCOPES,
      authenticated: false,
      caller: 'anonymous',
      ...(budgetCaller ? { budgetCaller } : {}),
    };
  }
  const header = headers.get('authorization');
  if (!header) throw unauthenticated('Missing bearer token: send "Authorization: Bearer <token>".');
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw unauthenticated('Malformed Authorization header: expected "Bearer <token>".');
  const presented = m[1];
  const match = tokens.find((t) => sameToken(t.token, presented));
  if (!match) throw unauthenticated('Unknown bearer token.');
  const digest = tokenDigest(match.token);
  const caller = match.acctId !== undefined ? `acct:${match.acctId}` : `token:${digest}`;
  return {
    scopes: match.scopes,
    ...(match.acctId !== undefined ? { acctId: match.acctId } : {}),
    authenticated: true,
    caller,
    budgetCaller: `token:${digest}`,
  };
}

/** With tokens off, a client's share is its address's: digested, so no store or log keeps the address. */
export function addressCaller(address: string | undefined): string | undefined {
  if (!address) return undefined;
  // An IPv4 client on a dual-stack socket reads "::ffff:1.2.3.4": one client, one share.
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  return `addr:${createHash('sha256').update(`archtics-gateway-address:${plain}`).digest('base64url').slice(0, 22)}`;
}
