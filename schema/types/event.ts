/** Event (event_details) and the queries that return events: event, events, searchEvents. */
import {
  eventDetails,
  eventPriceInfo,
  eventSearch,
  getAvailSeats,
} from '../../src/archtics/commands/index.js';
import {
  availability,
  checkAvailArgs,
  checkEventName,
  availableSeats,
  checkAvailableSeatsArgs,
  checkSearchArgs,
  eventByName,
  eventNow,
  eventsByNames,
  loadEvents,
  priceCodes,
  searchEvents,
  startsAt,
} from '../../resolvers/events.js';
import { brandable, builder, syncNode } from '../builder.js';
import {
  EventRef,
  PriceCodeRef,
  SeatConnectionRef,
  SeatRef,
  SectionAvailabilityRef,
} from './refs.js';

export const EventCategoryEnum = builder.enumType('EventCategory', {
  description: 'Kind of event in Archtics.',
  values: {
    EVENT: { value: 'E', description: 'A single event.' },
    PACKAGE: { value: 'P', description: 'A package (plan) of events.' },
    OTHER: { value: 'O', description: 'Anything else (parking, merchandise, …).' },
  } as const,
});

builder.node(EventRef, {
  description: 'An event of the season (event_details). Its global id is built from its name.',
  // Checked like every event name: "Event:EVENT01,EVENT02" or a 10 000-character name is BAD_USER_INPUT, not a POST.
  extensions: syncNode(
    (e: { name: string }) => e.name,
    (name: string, ctx) => eventNow(name, ctx),
  ),
  id: { resolve: (e) => e.name, parse: (id) => checkEventName(id, 'id') },
  loadMany: async (names, ctx) => brandable(await loadEvents(names, ctx)),
  fields: (t) => ({
    name: t.exposeString('name', {
      description: 'Archtics event name, upper case, at most 8 characters, e.g. "EVENT01".',
    }),
    description: t.exposeString('description', {
      nullable: true,
      description: 'Human-readable title of the event.',
    }),
    date: t.field({
      type: 'Date',
      nullable: true,
      description: 'Day of the event (venue local).',
      resolve: (e) => e.date || null,
    }),
    time: t.string({
      nullable: true,
      description: 'Start time "HH:MM" (venue local).',
      resolve: (e) => e.time || null,
    }),
    startsAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Date and start time, venue-local, without a zone.',
      resolve: startsAt,
    }),
    venue: t.exposeString('venueName', { nullable: true, description: 'Name of the venue.' }),
    season: t.exposeString('seasonName', {
      nullable: true,
      description: 'Season the event belongs to.',
    }),
    performer: t.exposeString('performer', {
      nullable: true,
      description: 'Performer or opponent, when the event has one.',
    }),
    organization: t.exposeString('organization', {
      nullable: true,
      description: 'Organization putting on the event.',
    }),
    category: t.expose('category', {
      type: EventCategoryEnum,
      description: 'Single event, package or other.',
    }),
    durationMinutes: t.exposeInt('durationMinutes', { description: 'Expected length in minutes.' }),
    onsaleDate: t.field({
      type: 'Date',
      nullable: true,
      description: 'Day sales open, when set.',
      resolve: (e) =>
        e.onsaleDate && /^\d{4}-\d{2}-\d{2}$/.test(e.onsaleDate) ? e.onsaleDate : null,
    }),
    allowSingles: t.exposeBoolean('allowSingles', {
      description: 'Whether single seats (leaving one seat alone in a row) may be sold.',
    }),
    priceCodes: t.field({
      type: [PriceCodeRef],
      nullable: true,
      extensions: { upstream: eventPriceInfo.name },
      description:
        'Price codes of the event with their ticket types and prices (event_price_info).',
      resolve: (e, _args, ctx) => priceCodes(e, ctx),
    }),
    availability: t.field({
      type: [SectionAvailabilityRef],
      nullable: true,
      description: 'Seats still available, per section (get_avail_seats, summary).',
      args: {
        section: t.arg.string({ description: 'Only this section.' }),
        priceCode: t.arg.string({ description: 'Only seats at this price code.' }),
      },
      extensions: { checkArgs: checkAvailArgs, upstream: getAvailSeats.name },
      resolve: (e, args, ctx) => availability(e, args, ctx),
    }),
    availableSeats: t.connection(
      {
        type: SeatRef,
        description: 'The available seats themselves, one per seat (get_avail_seats, per seat).',
        nullable: true,
        args: {
          section: t.arg.string({ description: 'Only this section.' }),
          priceCode: t.arg.string({ description: 'Only seats at this price code.' }),
        },
        extensions: { checkArgs: checkAvailableSeatsArgs, upstream: getAvailSeats.name },
        resolve: (e, args, ctx) => availableSeats(e, args, ctx),
      },
      SeatConnectionRef,
    ),
  }),
});

export const EventConnectionRef = builder.connectionObject(
  {
    type: EventRef,
    name: 'EventConnection',
    description: 'A page of events, in date and start-time order (then name).',
  },
  {
    name: 'EventEdge',
    description: 'An event found by a search, and its cursor.',
    fields: (t) => ({
      available: t.boolean({
        description: 'Whether the search found seats available for it.',
        resolve: (edge) => (edge as { available?: boolean }).available ?? false,
      }),
      availClasses: t.stringList({
        description: 'Hold classes with availability (event_search).',
        resolve: (edge) => (edge as { availClasses?: string[] }).availClasses ?? [],
      }),
    }),
  },
);

builder.queryFields((t) => ({
  event: t.field({
    type: EventRef,
    nullable: true,
    extensions: { upstream: eventDetails.name },
    description:
      'One event by name (case-insensitive); null when no such event. Batched with every other event load of the operation into one event_details call.',
    args: { name: t.arg.string({ required: true, description: 'Event name, e.g. "EVENT01".' }) },
    resolve: (_root, { name }, ctx) => eventByName(name, ctx),
  }),
  events: t.field({
    type: [EventRef],
    nullable: { list: true, items: true },
    extensions: { upstream: eventDetails.name },
    description:
      'Events by name, in the order asked; null for each unknown name. One event_details call for all of them.',
    args: {
      names: t.arg.stringList({ required: true, description: 'Event names (at most 500).' }),
    },
    resolve: (_root, { names }, ctx) => eventsByNames(names, ctx),
  }),
  searchEvents: t.connection(
    {
      type: EventRef,
      description:
        'Events between two dates (event_search) in date and start-time order, with their details (event_details: one call per 100 events found).',
      nullable: true,
      args: {
        from: t.arg({ type: 'Date', description: 'First day (default: today, per the service).' }),
        to: t.arg({
          type: 'Date',
          description: 'Last day (default: today + 90 days, per the service).',
        }),
        venue: t.arg.string({ description: 'Only events at this venue.' }),
        season: t.arg.string({ description: 'Only events of this season.' }),
      },
      extensions: { checkArgs: checkSearchArgs, upstream: eventSearch.name },
      resolve: (_root, args, ctx) => searchEvents(args, ctx) as never,
    },
    EventConnectionRef,
  ),
}));
