import { InvalidInputError, isEventName } from '../inputs.js';
import { compact, defineCommand, wireName, type FieldReader } from '../parse.js';
import type {
  CataloguePolicy,
  EventDetail,
  EventDetailsRequest,
  EventDetailsResult,
  ItemPolicy,
} from '../types.js';

/** Events per page of the unfiltered form (the service's default and most, reference §4). */
export const EVENT_PAGE_SIZE = 500;

/** One event of an event_details answer. */
export function parseEventDetail(e: FieldReader): EventDetail {
  return {
    name: e.name('event_name'),
    nameInet: e.optStr('event_name_inet'),
    description: e.str('event_description'),
    date: e.str('event_date'),
    time: e.str('event_time'),
    performer: e.optStr('performer'),
    organization: e.str('organization'),
    venueName: e.str('venue_name'),
    manifestName: e.str('manifest_name'),
    seasonName: e.str('season_name'),
    category: e.oneOf('event_category', ['E', 'P', 'O'] as const),
    durationMinutes: e.int('event_duration'),
    planType: e.oneOf('plan_type', ['S', 'N'] as const),
    totalEvents: e.int('total_events'),
    allowSingles: e.bool('allow_singles'),
    onsaleDate: e.optStr('event_onsale_date'),
    majorCategory: e.optStr('major_cat'),
    minorCategory: e.optStr('minor_cat'),
    archticsVenueId: e.str('archtics_venue_id'),
  };
}

/**
 * event_details: the one command that loads many events in one call. With `names` it sends a list
 * filter ("EVT01,EVT02", type "L"); without, it pages through all events (prev_event_name, count).
 * 5231 (no events) is an empty list; unknown names are simply absent from the answer.
 *
 * Cached event by event: each operation's loader batches the events IT needs into one list, so two
 * operations asking for [A, B] and [B, C] would share nothing if the list were the key. Every event
 * is an item (an unknown name a null one); a list is answered from the items, and only the missing
 * names go upstream. Only the list form is split; the paged "all events" form is cached whole.
 *
 * The catalogue: the unfiltered form returns every event (EVENT_PAGE_SIZE a page, the next page
 * after the last name, the answer being sorted by name), so the cache keeps all of them as one
 * entry and answers any list from it; a name it lacks (an event created since) goes by the filter.
 * Every caller shares events, so a hot catalogue or list is worth refreshing ahead.
 */
export const eventDetails = defineCommand<EventDetailsRequest, EventDetailsResult>(
  'event_details',
  {
    product: 'sth-customer',
    kind: 'read',
    failures: {},
    toFields(req) {
      // An empty list would read as "no filter" upstream and load every event: refuse it here.
      if (req.names && req.names.length === 0) {
        throw new RangeError(
          'event_details: names must not be empty (omit names to list all events)',
        );
      }
      // Each name on its own: joined, "EVENT01,EVENT02" would pass as two.
      if (req.names?.some((n) => !isEventName(wireName(n))))
        throw new InvalidInputError('event_details', 'event_filter');
      return compact({
        event_filter: req.names?.map(wireName).join(','),
        event_filter_type: req.names ? 'L' : undefined,
        prev_event_name: req.prevEventName === undefined ? undefined : wireName(req.prevEventName),
        count: req.count,
      });
    },
    noRow: { 5231: () => ({ count: 0, events: [] }) },
    parseOk(a) {
      const events = a.list('events').map(parseEventDetail);
      return { count: a.optInt('count') ?? events.length, events };
    },
    cache: {
      ttlMs: 10 * 60_000,
      shareMisses: true,
      refreshAhead: true,
      // The list filter is case-insensitive and the answer sorted by name: order and spacing are noise.
      keyFields(fields) {
        if (typeof fields.event_filter !== 'string') return fields;
        const names = [
          ...new Set(fields.event_filter.split(',').map(wireName).filter(Boolean)),
        ].sort();
        return { ...fields, event_filter: names.join(',') };
      },
      items: {
        ids(req) {
          if (!Array.isArray(req.names) || req.names.length === 0) return undefined;
          if (req.prevEventName !== undefined || req.count !== undefined) return undefined; // paging: not a plain list
          if (!req.names.every((n) => typeof n === 'string' && n.trim() !== '')) return undefined;
          return [...new Set(req.names.map(wireName))];
        },
        request: (req, names) => ({ ...req, names }),
        split(res, names) {
          const byName = new Map(res.events.map((e) => [wireName(e.name), e]));
          return new Map(names.map((n) => [n, byName.get(n) ?? null]));
        },
        assemble(names, items) {
          const events = names.map((n) => items.get(n)).filter((e): e is EventDetail => e != null);
          events.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
          return { count: events.length, events };
        },
      } satisfies ItemPolicy<EventDetailsRequest, EventDetailsResult, EventDetail>,
      catalogue: {
        page: (after): EventDetailsRequest =>
          after === undefined
            ? { count: EVENT_PAGE_SIZE }
            : { prevEventName: after, count: EVENT_PAGE_SIZE },
        read(res) {
          const entries = res.events.map((e): [string, EventDetail] => [wireName(e.name), e]);
          return {
            entries,
            ...(res.events.length >= EVENT_PAGE_SIZE
              ? { next: entries[entries.length - 1][0] }
              : {}),
          };
        },
      } satisfies CataloguePolicy<EventDetailsResult, EventDetail>,
    },
  },
);
