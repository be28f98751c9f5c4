/**
 * The fingerprint of a request: sha256 of its normalized JSON (keys sorted at every depth). Secrets
 * (a card number, its CVV) are hashed on their own first with `secretDigest`, so that neither the
 * record nor anything derived from it carries them in clear.
 */
import { createHash } from 'node:crypto';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

export function fingerprint(normalized: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(normalized)))
    .digest('hex');
}

/** A one-way digest of a secret, salted by its purpose ("card", "cvv"). */
export function secretDigest(purpose: string, secret: string): string {
  return createHash('sha256').update(`${purpose}\u0000${secret}`).digest('hex');
}
