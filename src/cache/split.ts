/**
 * Per-item caching of event_details, the one command that loads many events in one call.
 *
 * Each operation's loader batches the events IT needs into one list, so two operations asking for
 * [A, B] and [B, C] would share nothing if the list were the key. Instead every event is cached on
 * its own (an unknown name as null); a list is answered from the items, and only the missing names
 * go upstream — in one call, however many operations miss them at once (per-item flights).
 *
 * Only the list form is split; the paged "all events" form (no names) is cached whole.
 */
import type { EventDetail, EventDetailsRequest, EventDetailsResult } from '../archtics/types.js';

export const itemName = (name: string): string => name.trim().toUpperCase();

/** L1/L2 key of one event. */
export const eventItemKey = (name: string): string => `event_details:item:${itemName(name)}`;

/** The names of a splittable event_details request, de-duplicated and upper-cased; undefined when not splittable. */
export function splitNames(command: string, req: unknown): string[] | undefined {
  if (command !== 'event_details') return undefined;
  const r = req as EventDetailsRequest | undefined;
  if (!r || !Array.isArray(r.names) || r.names.length === 0) return undefined;
  if (r.prevEventName !== undefined || r.count !== undefined) return undefined; // paging: not a plain list
  if (!r.names.every((n) => typeof n === 'string' && n.trim() !== '')) return undefined;
  return [...new Set(r.names.map(itemName))];
}

/** The request for just these names. */
export function subRequest(req: EventDetailsRequest, names: string[]): EventDetailsRequest {
  return { ...req, names };
}

/** Each asked name's event from an answer; a name the service left out is null (unknown). */
export function itemsOf(res: EventDetailsResult, names: readonly string[]): Map<string, EventDetail | null> {
  const byName = new Map(res.events.map((e) => [itemName(e.name), e]));
  return new Map(names.map((n) => [n, byName.get(n) ?? null]));
}

/** The answer to a list request, as the service would give it: found events sorted by name. */
export function assemble(names: readonly string[], items: ReadonlyMap<string, EventDetail | null>): EventDetailsResult {
  const events = names.map((n) => items.get(n)).filter((e): e is EventDetail => e != null);
  events.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { count: events.length, events };
}
