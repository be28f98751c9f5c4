/**
 * Events: event_details through the per-request event loader (one call per operation), the
 * search (event_search, then the page's details), price codes (event_price_info) and
 * availability (get_avail_seats summary and per seat).
 */
import type {
  EventDetail,
  EventSearchHit,
  PriceCodeInfo,
  SectionAvailabilityRow,
} from '../src/archtics/types.js';
import { isEventName } from '../src/archtics/inputs.js';
import type { GatewayContext } from '../src/context.js';
import { handleMaybePromise, type MaybePromise } from '@whatwg-node/promise-helpers';
import { eventKey, settledItems } from '../src/loaders/index.js';
import { badInput } from './errors.js';
import { checkField } from './validate.js';
import {
  checkPage,
  naturalCompare,
  paginate,
  type Connection,
  type ConnectionArgs,
  type CursorScheme,
  type Page,
} from './pagination.js';
import { seatCursors, seatsFromAvailRows, type SeatKey, type SeatShape } from './seats.js';

/** Upstream event names have at most 8 characters: a longer one names no event. */
const MAX_EVENT_NAME = 8;

/**
 * An event name: letters, digits and code punctuation, no list separator (comma), space, control
 * character or markup — else BAD_USER_INPUT. A name longer than 8 passes here and names no event
 * (null, no call); one longer than 64 is refused. The command itself refuses anything else
 * (src/archtics/inputs.ts); this answers early, per name, without failing a batch.
 */
export function checkEventName(name: string, arg = 'name'): string {
  const key = eventKey(name);
  if (key === '' || key.length > 64 || !/^[A-Z0-9._\-/+#]+$/.test(key))
    throw badInput(`"${arg}" is not an event name.`, { argument: arg });
  return key;
}

function loadEvent(key: string, ctx: GatewayContext): Promise<EventDetail | null> {
  return key.length > MAX_EVENT_NAME || !isEventName(key)
    ? Promise.resolve(null)
    : ctx.loaders.event.load(key);
}

export function eventByName(name: string, ctx: GatewayContext): Promise<EventDetail | null> {
  return loadEvent(checkEventName(name), ctx);
}

/** An event by name at once when this operation or the cache has it (see PeekingLoader), else its promise. */
export function eventNow(name: string, ctx: GatewayContext): MaybePromise<EventDetail | null> {
  const key = eventKey(name);
  return key.length > MAX_EVENT_NAME ? null : ctx.loaders.event.get(key);
}

export const MAX_EVENT_NAMES = 500;

/**
 * A bad name refuses the whole field before any call; then item by item: a refusal or failure of
 * the names not cached is an error at each of their paths (the item null), and cached items keep
 * their data.
 */
export function eventsByNames(
  names: readonly string[],
  ctx: GatewayContext,
): MaybePromise<EventDetail | null>[] {
  if (names.length > MAX_EVENT_NAMES)
    throw badInput(`"names" takes at most ${MAX_EVENT_NAMES} names.`, { argument: 'names' });
  const keys = names.map((n) => checkEventName(n, 'names'));
  return settledItems(keys.map((k) => eventNow(k, ctx)));
}

/** Loads events for node/nodes: strict about failures (an upstream fault fails the field). */
export function loadEvents(
  names: readonly string[],
  ctx: GatewayContext,
): Promise<(EventDetail | null)[]> {
  return Promise.all(names.map((n) => loadEvent(eventKey(n), ctx)));
}

/** At once (no promise) when the event is cached: see PeekingLoader. */
export function eventOfSeat(seat: SeatShape, ctx: GatewayContext): MaybePromise<EventDetail> {
  return handleMaybePromise(
    () => ctx.loaders.event.get(seat.eventName),
    (event) => {
      if (!event)
        throw new Error(`event_details does not know ${seat.eventName}, yet a seat names it`);
      return event;
    },
  );
}

/** "YYYY-MM-DD" + "HH:MM" → ISO date-time in the venue's local time (no offset). */
export function startsAt(e: EventDetail): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(e.date)) return null;
  const time = /^\d{2}:\d{2}$/.test(e.time) ? e.time : '00:00';
  return `${e.date}T${time}:00`;
}

// ── search ──────────────────────────────────────────────────────────────────────────────────

export interface SearchArgs extends ConnectionArgs {
  from?: string | null;
  to?: string | null;
  venue?: string | null;
  season?: string | null;
}

export interface SearchEdge {
  cursor: string;
  node: EventDetail;
  /** event_search's availability flag and hold classes for this event. */
  available: boolean;
  availClasses: string[];
}

interface SearchRow {
  hit: EventSearchHit;
  event: EventDetail;
}

/** When an event starts, for ordering: "YYYY-MM-DDTHH:MM"; undated events sort last. */
function startKey(e: EventDetail): string {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(e.date) ? e.date : '9999-12-31';
  const time = /^\d{2}:\d{2}$/.test(e.time) ? e.time : '99:99';
  return `${date}T${time}`;
}

/** Results in date and time order (then name): "<date>T<time>|<NAME>" is the key and the cursor. */
const searchCursors: CursorScheme<SearchRow, string> = {
  kind: 'EventCursor',
  keyOf: (r) => `${startKey(r.event)}|${eventKey(r.event.name)}`,
  format: (k) => k,
  parse: (t) => (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}\|\S+$/.test(t) ? t : undefined),
  compare: (a, b) => {
    const [sa, na] = [a.slice(0, 16), a.slice(17)];
    const [sb, nb] = [b.slice(0, 16), b.slice(17)];
    return sa < sb ? -1 : sa > sb ? 1 : naturalCompare(na, nb);
  },
};

/** searchEvents arguments, checked before execution (extensions.checkArgs) and again here. */
export function checkSearchArgs(args: SearchArgs): Page<string> {
  const page = checkPage(args, searchCursors);
  if (args.from && args.to && args.from > args.to)
    throw badInput('"from" must not be after "to".', { argument: 'from' });
  return page;
}

export async function searchEvents(
  args: SearchArgs,
  ctx: GatewayContext,
): Promise<{ edges: SearchEdge[]; pageInfo: Connection<EventDetail>['pageInfo'] }> {
  const page = checkSearchArgs(args);
  const found = await ctx.api.eventSearch({
    ...(args.from ? { startDate: args.from } : {}),
    ...(args.to ? { endDate: args.to } : {}),
    ...(args.venue ? { venueName: args.venue } : {}),
    ...(args.season ? { seasonName: args.season } : {}),
  });
  // event_search answers names only; ordering by date and time needs every found event's details
  // (one event_details per EVENT_BATCH_SIZE names, cached event by event, so later pages cost none).
  const events = await Promise.all(found.events.map((h) => ctx.loaders.event.load(h.eventName)));
  // An event the search lists but event_details does not know is left out.
  const rows = found.events.flatMap((hit, i): SearchRow[] =>
    events[i] ? [{ hit, event: events[i] }] : [],
  );
  const conn = paginate(rows, page, searchCursors);
  const edges = conn.edges.map((e): SearchEdge => ({
    cursor: e.cursor,
    node: e.node.event,
    available: e.node.hit.available,
    availClasses: e.node.hit.availClasses,
  }));
  return { edges, pageInfo: conn.pageInfo };
}

// ── prices and availability ───────────────────────────────────────────────────────────────

export function priceCodes(event: EventDetail, ctx: GatewayContext): MaybePromise<PriceCodeInfo[]> {
  return ctx.loaders.priceInfo.get(event.name);
}

export interface AvailArgs {
  section?: string | null;
  priceCode?: string | null;
}

/** Section and price code, checked by their wire fields' rules before any call. */
export function checkAvailArgs(args: AvailArgs): void {
  checkField(args.section, 'section', 'section_name');
  checkField(args.priceCode, 'priceCode', 'price_code');
}

function availRequest(event: EventDetail, args: AvailArgs) {
  checkAvailArgs(args);
  return {
    eventName: event.name,
    ...(args.section ? { section: args.section } : {}),
    ...(args.priceCode ? { priceCode: args.priceCode } : {}),
  };
}

export function availability(
  event: EventDetail,
  args: AvailArgs,
  ctx: GatewayContext,
): Promise<SectionAvailabilityRow[]> {
  return ctx.loaders.availability.summary.load(availRequest(event, args));
}

/** Event.availableSeats arguments, checked before execution (extensions.checkArgs) and again here. */
export function checkAvailableSeatsArgs(args: ConnectionArgs & AvailArgs): Page<SeatKey> {
  checkAvailArgs(args);
  return checkPage(args, seatCursors);
}

export async function availableSeats(
  event: EventDetail,
  args: AvailArgs & ConnectionArgs,
  ctx: GatewayContext,
): Promise<Connection<SeatShape>> {
  const page = checkAvailableSeatsArgs(args);
  const rows = await ctx.loaders.availability.seats.load(availRequest(event, args));
  return paginate(seatsFromAvailRows(event.name, rows), page, seatCursors);
}
