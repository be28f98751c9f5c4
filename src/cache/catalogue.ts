/**
 * Catalogued reads: a multi-item command whose unfiltered form returns the whole collection, page
 * by page, is cached as ONE entry, so that any item costs no call while that entry is fresh. An
 * item the catalogue lacks (say, one created since) falls back to the filtered call. The command's
 * definition says whether and how (def.cache.catalogue); the cache only pages through it and
 * indexes the items.
 */
import type { CataloguePolicy } from '../archtics/types.js';

/** Pages fetched at most for one catalogue (a bound on a runaway cursor). */
export const MAX_CATALOGUE_PAGES = 50;

/** A catalogue as cached: items by id, in the service's order. JSON-safe (it travels to Redis). */
export interface CatalogueValue<Item = unknown> {
  ids: string[];
  items: Item[];
}

/** L1/L2 key of a command's catalogue. */
export const catalogueKey = (command: string): string => `${command}:catalogue`;

const indexes = new WeakMap<object, Map<string, unknown>>();

/** id → item of a (frozen, shared) catalogue value; built once per value. */
export function catalogueIndex<Item>(value: CatalogueValue<Item>): ReadonlyMap<string, Item> {
  let index = indexes.get(value);
  if (!index) {
    index = new Map(value.ids.map((id, i) => [id, value.items[i]]));
    indexes.set(value, index);
  }
  return index as ReadonlyMap<string, Item>;
}

/**
 * Every page of the catalogue through `run` (one call per page, in order). Throws what `run`
 * throws: a catalogue is whole or not at all.
 */
export async function fetchCatalogue<Res, Item>(
  policy: CataloguePolicy<Res, Item>,
  run: (req: unknown) => Promise<Res>,
): Promise<CatalogueValue<Item>> {
  const ids: string[] = [];
  const items: Item[] = [];
  const seen = new Set<string>();
  let after: string | undefined;
  for (let page = 0; page < MAX_CATALOGUE_PAGES; page++) {
    const { entries, next } = policy.read(await run(policy.page(after)));
    for (const [id, item] of entries) {
      if (seen.has(id)) continue;
      seen.add(id);
      ids.push(id);
      items.push(item);
    }
    // A cursor that does not move would loop: stop there.
    if (next === undefined || next === after) break;
    after = next;
  }
  return { ids, items };
}
