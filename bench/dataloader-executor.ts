/**
 * The cold-path baseline (suite 7): the dashboard's shape (DASHBOARD_SDL) on plain graphql-js with
 * the DataLoaders a competent engineer writes in an hour — one per command, built per operation,
 * DataLoader's default per-tick batching, each batch function sending its keys' calls at once and
 * answering them together — over the same command client (no cache, no budget gate). Answering a
 * whole batch together puts the next level's loads in one tick, so the 25-holder dashboard makes
 * the same 56 POSTs as the gateway: 25 customer_query, 25 seats_sold, ONE event_details, one
 * event_price_info per distinct event.
 */
import DataLoader from 'dataloader';
import { createSchema, createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { ArchticsApi } from '../src/archtics/commands/index.js';
import type {
  CustomerRecord,
  EventDetail,
  PriceCodeInfo,
  SeatBlock,
} from '../src/archtics/types.js';
import { compareSeatKeys, formatSeatKey, seatsFromBlocks } from '../resolvers/seats.js';
import { DASHBOARD_SDL } from './naive-executor.js';

const globalId = (type: string, key: string | number) =>
  Buffer.from(`${type}:${key}`, 'utf8').toString('base64');

function decodeCustomer(id: string): number {
  const m = /^Customer:(\d+)$/.exec(Buffer.from(id, 'base64').toString('utf8'));
  if (!m) throw new Error(`not a customer id: ${id}`);
  return Number(m[1]);
}

interface Loaders {
  customer: DataLoader<number, CustomerRecord | null>;
  seats: DataLoader<number, SeatBlock[]>;
  event: DataLoader<string, EventDetail | null>;
  prices: DataLoader<string, PriceCodeInfo[]>;
}

function loadersFor(api: ArchticsApi): Loaders {
  return {
    customer: new DataLoader((ids) =>
      Promise.all(
        ids.map(async (acctId) => (await api.customerQuery({ acctId }))?.customer ?? null),
      ),
    ),
    seats: new DataLoader((ids) =>
      Promise.all(ids.map(async (acctId) => (await api.seatsSold({ acctId })).blocks)),
    ),
    event: new DataLoader(async (names) => {
      const { events } = await api.eventDetails({ names: [...names] });
      const byName = new Map(events.map((e) => [e.name.toUpperCase(), e]));
      return names.map((n) => byName.get(n.toUpperCase()) ?? null);
    }),
    prices: new DataLoader((names) =>
      Promise.all(
        names.map(async (eventName) => (await api.eventPriceInfo({ eventName })).priceCodes),
      ),
    ),
  };
}

function customerObject(loaders: Loaders, c: CustomerRecord) {
  return {
    __typename: 'Customer',
    id: globalId('Customer', c.acctId),
    acctId: c.acctId,
    firstName: c.firstName ?? null,
    seats: async ({ first }: { first?: number }) => {
      const seats = seatsFromBlocks(await loaders.seats.load(c.acctId)).sort(compareSeatKeys);
      return {
        edges: seats.slice(0, first ?? seats.length).map((s) => ({
          node: {
            __typename: 'Seat',
            id: globalId('Seat', formatSeatKey(s)),
            section: s.section,
            row: s.row,
            number: s.number,
            event: async () => {
              const e = await loaders.event.load(s.eventName);
              if (!e) throw new Error(`no event ${s.eventName}`);
              return {
                name: e.name,
                date: e.date || null,
                venue: e.venueName ?? null,
                priceCodes: async () =>
                  (await loaders.prices.load(e.name)).map((p) => ({ code: p.code })),
              };
            },
          },
        })),
      };
    },
  };
}

/** A bare graphql-yoga server over the same command API: fresh loaders per operation. */
export function createDataLoaderYoga(
  api: ArchticsApi,
): YogaServerInstance<Record<string, unknown>, { loaders: Loaders }> {
  return createYoga<Record<string, unknown>, { loaders: Loaders }>({
    schema: createSchema<Record<string, unknown> & { loaders: Loaders }>({
      typeDefs: DASHBOARD_SDL,
      resolvers: {
        Query: {
          nodes: (_root: unknown, { ids }: { ids: string[] }, ctx: { loaders: Loaders }) =>
            ids.map(async (id) => {
              const c = await ctx.loaders.customer.load(decodeCustomer(id));
              return c && customerObject(ctx.loaders, c);
            }),
        },
      },
    }),
    context: () => ({ loaders: loadersFor(api) }),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    logging: false,
  });
}
