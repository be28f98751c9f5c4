import { compact, defineCommand, wireName } from '../parse.js';
import type { EventSearchRequest, EventSearchResult } from '../types.js';

/** event_search: events in a date range; 5212 (no events) is an empty list. */
export const eventSearch = defineCommand<EventSearchRequest, EventSearchResult>('event_search', {
  product: 'sth-customer',
  kind: 'read',
  failures: { 5211: 'badInput' },
  toFields: (req) =>
    compact({
      start_date: req.startDate,
      end_date: req.endDate,
      site_name: req.siteName,
      venue_name: req.venueName,
      season_name: req.seasonName,
      hold_classes: req.holdClasses?.map(wireName),
      num_seats: req.numSeats,
    }),
  noRow: { 5212: () => ({ holdClasses: [], events: [] }) },
  parseOk: (a) => ({
    holdClasses: a.strList('hold_classes').map(wireName),
    events: a.list('events').map((e) => ({
      eventName: e.name('event_name'),
      available: e.bool('availability'),
      availClasses: e.strList('avail_class').map(wireName),
    })),
  }),
  // Every caller shares a date window's answer: worth refreshing ahead while it is read.
  cache: { ttlMs: 5 * 60_000, shareMisses: true, refreshAhead: true },
});
