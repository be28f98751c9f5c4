/**
 * The naive baseline of suite 1: the dashboard's shape as a plain graphql-js schema whose
 * resolvers call the command API wherever a field needs upstream data — no DataLoader, no cache,
 * no batching. That is the N+1 pattern a first GraphQL layer over Archtics would have:
 *   nodes → one customer_query per customer, Customer.seats → one seats_sold per customer,
 *   Seat.event → one event_details per seat, Event.priceCodes → one event_price_info per event
 *   object (one per seat).
 * It answers the same data as the gateway (ids, seat order), so the two answers can be compared.
 */
import { buildSchema, graphql, type ExecutionResult } from 'graphql';
import type { ArchticsApi } from '../src/archtics/commands/index.js';
import { compareSeatKeys, formatSeatKey, seatsFromBlocks } from '../resolvers/seats.js';

/** The dashboard's shape, without loaders or cache: also the bare yoga baseline's schema (suite 2). */
export const DASHBOARD_SDL = /* GraphQL */ `
  type Query {
    nodes(ids: [ID!]!): [Node]!
  }
  interface Node {
    id: ID!
  }
  type Customer implements Node {
    id: ID!
    acctId: Int!
    firstName: String
    seats(first: Int): SeatConnection!
  }
  type SeatConnection {
    edges: [SeatEdge!]!
  }
  type SeatEdge {
    node: Seat!
  }
  type Seat implements Node {
    id: ID!
    section: String!
    row: String!
    number: Int!
    event: Event!
  }
  type Event {
    name: String!
    date: String
    venue: String
    priceCodes: [PriceCode!]!
  }
  type PriceCode {
    code: String!
  }
`;

const schema = buildSchema(DASHBOARD_SDL);

const globalId = (type: string, key: string | number) =>
  Buffer.from(`${type}:${key}`, 'utf8').toString('base64');

function decodeCustomer(id: string): number {
  const m = /^Customer:(\d+)$/.exec(Buffer.from(id, 'base64').toString('utf8'));
  if (!m) throw new Error(`not a customer id: ${id}`);
  return Number(m[1]);
}

/**
 * graphql-js's default resolver calls a function-valued property with (args, context, info), so
 * each object below carries its own upstream-calling resolvers.
 */
function eventObject(api: ArchticsApi, name: string) {
  return async () => {
    const { events } = await api.eventDetails({ names: [name] });
    const e = events[0];
    if (!e) throw new Error(`no event ${name}`);
    return {
      name: e.name,
      date: e.date || null,
      venue: e.venueName ?? null,
      priceCodes: async () =>
        (await api.eventPriceInfo({ eventName: e.name })).priceCodes.map((p) => ({ code: p.code })),
    };
  };
}

function customerObject(api: ArchticsApi, acctId: number) {
  return async () => {
    const found = await api.customerQuery({ acctId });
    const c = found?.customer;
    if (!c) return null;
    return {
      __typename: 'Customer',
      id: globalId('Customer', c.acctId),
      acctId: c.acctId,
      firstName: c.firstName ?? null,
      seats: async ({ first }: { first?: number }) => {
        const { blocks } = await api.seatsSold({ acctId: c.acctId });
        const seats = seatsFromBlocks(blocks).sort(compareSeatKeys);
        return {
          edges: seats.slice(0, first ?? seats.length).map((s) => ({
            node: {
              __typename: 'Seat',
              id: globalId('Seat', formatSeatKey(s)),
              section: s.section,
              row: s.row,
              number: s.number,
              event: eventObject(api, s.eventName),
            },
          })),
        };
      },
    };
  };
}

export function runNaive(
  api: ArchticsApi,
  query: string,
  variables: Record<string, unknown>,
): Promise<ExecutionResult> {
  const rootValue = {
    nodes: ({ ids }: { ids: string[] }) =>
      ids.map((id) => customerObject(api, decodeCustomer(id))()),
  };
  return graphql({ schema, source: query, rootValue, variableValues: variables });
}
