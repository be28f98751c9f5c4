/**
 * Events: event_search (date window with availability per hold class) and event_details (the
 * batch command: a list of names, or every event paged by name).
 */
import { type Command1Request } from '../../protocol/wire.js';
import { RESULT_CODES } from '../reference.js';
import { addDaysIso, dateOf, fail, int, isIsoDate, ok, str, upper } from './format.js';
import type { EventInfo } from './seed.js';
import { freeBySection, type WorldState } from './state.js';
import type { Outcome } from './types.js';
import { SECTION_COUNT } from './venue.js';

/** Default event_search window: today .. today + 90 days on the world clock. */
export const SEARCH_WINDOW_DAYS = 90;
export const DETAILS_DEFAULT_COUNT = 500;

function sameText(a: string, b: unknown): boolean {
  const s = str(b);
  return s === undefined || a.toUpperCase() === s.toUpperCase();
}

/** Names from "A, B" or ["A","B"], upper-cased, empties dropped. */
export function nameList(v: unknown): string[] | undefined {
  const parts = typeof v === 'string' ? v.split(',') : Array.isArray(v) ? v : undefined;
  if (!parts) return undefined;
  const names = parts.map((p) => upper(p)).filter((p): p is string => !!p);
  return names.length ? names : undefined;
}

export function eventSearch(state: WorldState, c: Command1Request): Outcome {
  const bad = (why: string) => fail(RESULT_CODES.eventSearchBadInput, why);
  const today = dateOf(state.clock.now());
  let start = today;
  let end = addDaysIso(today, SEARCH_WINDOW_DAYS);
  if (c.start_date !== undefined && c.start_date !== '') {
    const s = typeof c.start_date === 'string' ? c.start_date.trim() : '';
    if (!isIsoDate(s)) return bad(`Invalid start_date: expected YYYY-MM-DD`);
    start = s;
  }
  if (c.end_date !== undefined && c.end_date !== '') {
    const e = typeof c.end_date === 'string' ? c.end_date.trim() : '';
    if (!isIsoDate(e)) return bad(`Invalid end_date: expected YYYY-MM-DD`);
    end = e;
  }
  if (end < start) return bad('end_date is before start_date');
  let numSeats = 1;
  if (c.num_seats !== undefined && c.num_seats !== '') {
    const n = int(c.num_seats);
    if (n === undefined || n < 1) return bad('Invalid num_seats');
    numSeats = n;
  }
  let classes = [...state.data.venue.holdClasses];
  if (c.hold_classes !== undefined) {
    const list = nameList(c.hold_classes);
    if (!list && !(Array.isArray(c.hold_classes) && c.hold_classes.length === 0))
      return bad('Invalid hold_classes');
    if (list) classes = [...new Set(list)];
  }

  const hits = state.data.events
    .filter(
      (e) =>
        e.date >= start &&
        e.date <= end &&
        sameText(e.venueName, c.venue_name) &&
        sameText(e.seasonName, c.season_name),
    )
    .sort(
      (a, b) =>
        a.date.localeCompare(b.date) ||
        a.time.localeCompare(b.time) ||
        a.name.localeCompare(b.name),
    );
  if (hits.length === 0)
    return fail(RESULT_CODES.eventSearchNoEvents, 'No events found', { noRow: true });

  const events = hits.map((e) => {
    const free = freeByClass(state, e);
    const availClass = classes.filter((hc) => (free.get(hc) ?? 0) >= numSeats);
    return { event_name: e.name, availability: availClass.length ? 1 : 0, avail_class: availClass };
  });
  return ok({ hold_classes: classes, events });
}

function freeByClass(state: WorldState, ev: EventInfo): Map<string, number> {
  const free = freeBySection(state, ev);
  const out = new Map<string, number>();
  for (let s = 0; s < SECTION_COUNT; s++) {
    const hc = state.data.venue.holdClassOf(s);
    out.set(hc, (out.get(hc) ?? 0) + free[s]);
  }
  return out;
}

export function eventDetails(state: WorldState, c: Command1Request): Outcome {
  const names = nameList(c.event_filter);
  const prev = upper(c.prev_event_name);
  const n = int(c.count);
  const count = n !== undefined && n > 0 ? n : DETAILS_DEFAULT_COUNT;

  let list: EventInfo[];
  if (names) {
    const wanted = new Set(names);
    list = state.data.events.filter((e) => wanted.has(e.name)); // data.events is sorted by name
  } else {
    list = state.data.events;
  }
  if (prev !== undefined) list = list.filter((e) => e.name > prev);
  list = list.slice(0, count);
  if (list.length === 0)
    return fail(RESULT_CODES.eventDetailsNoEvents, 'No events found', { noRow: true });
  return ok({ count: list.length, events: list.map(eventDetail) });
}

export function eventDetail(e: EventInfo): Record<string, unknown> {
  const d: Record<string, unknown> = { event_name: e.name };
  if (e.nameInet) d.event_name_inet = e.nameInet;
  d.event_description = e.description;
  d.event_date = e.date;
  d.event_time = e.time;
  if (e.performer) d.performer = e.performer;
  d.organization = e.organization;
  d.venue_name = e.venueName;
  d.manifest_name = e.manifestName;
  d.season_name = e.seasonName;
  d.event_category = e.category;
  d.event_duration = e.duration;
  d.plan_type = e.planType;
  d.total_events = e.totalEvents;
  d.allow_singles = e.allowSingles;
  if (e.onsaleDate) d.event_onsale_date = e.onsaleDate;
  if (e.majorCat) d.major_cat = e.majorCat;
  if (e.minorCat) d.minor_cat = e.minorCat;
  d.archtics_venue_id = e.archticsVenueId;
  return d;
}
