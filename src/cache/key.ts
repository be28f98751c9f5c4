/**
 * Cache keys: command name + a canonical form of the command1 fields the request becomes on the
 * wire (def.toFields), as the command's policy canonicalises them (def.cache.keyFields). Keying on the wire form, not the typed request, means two defs of one
 * command (a summary and a per-seat form of one wire command) can never share an entry, and every
 * normalisation the defs already do (upper-cased event names, omitted empties) merges keys for free.
 * Object keys are sorted at every depth and undefined members dropped.
 *
 * The fields are hashed: keys stay short in Redis, and a PIN sent with a read never appears in a
 * key (the same PIN maps to the same key, a wrong PIN to another one, so the cache never answers
 * for a PIN it has not seen succeed).
 */
import { createHash } from 'node:crypto';
import type { CommandContext, CommandDef } from '../archtics/types.js';

/** JSON with sorted object keys; undefined members and functions dropped (as JSON.stringify does). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortDeep(value));
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortDeep(v)));
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined && typeof v !== 'function') out[k] = sortDeep(v);
    }
    return out;
  }
  return value;
}

/** `<command>:<sha256 of the canonical wire fields, 32 hex>`. */
export function keyOfFields(command: string, fields: Record<string, unknown>): string {
  const canonical = canonicalJson(fields);
  return `${command}:${createHash('sha256').update(canonical).digest('hex').slice(0, 32)}`;
}

/** The key of one item of a multi-item command. */
export const itemKey = (command: string, id: string): string => `${command}:item:${id}`;

/** The key of a typed request; undefined when the def refuses the request (the inner runner will say why). */
export function cacheKey<Req>(
  def: CommandDef<Req, unknown>,
  req: Req,
  ctx: CommandContext,
): string | undefined {
  let fields: Record<string, unknown>;
  try {
    fields = def.toFields(req, ctx);
  } catch {
    return undefined;
  }
  return keyOfFields(def.name, def.cache?.keyFields ? def.cache.keyFields(fields) : fields);
}
