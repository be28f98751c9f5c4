/**
 * Per-request DataLoaders: built fresh for every GraphQL operation (src/context.ts), so nothing is
 * shared between callers here — cross-request reuse is the cache layer's job (src/cache/). The
 * command loaders come from one factory (factory.ts): each is one spec, its batch and its
 * synchronous cached get built from the same request and select functions.
 */
import type DataLoader from 'dataloader';
import {
  customerQuery,
  eventDetails,
  eventPriceInfo,
  seatsSold,
} from '../archtics/commands/index.js';
import type {
  CartResult,
  CommandRunner,
  CustomerRecord,
  EventDetail,
  PriceCodeInfo,
  SeatBlock,
} from '../archtics/types.js';
import type { GatewayApi } from './api.js';
import { createAvailabilityLoaders, type AvailabilityLoaders } from './availability.js';
import { createCartLoader } from './carts.js';
import { eventKey } from './events.js';
import { commandLoader } from './factory.js';
import type { PeekingLoader } from './peeking.js';
import { seatsSoldKey, type SeatsSoldKey } from './seats-sold.js';

export type { GatewayApi } from './api.js';
export { InflightTracker } from './inflight.js';
export { eventKey } from './events.js';
export { commandLoader, type CommandLoaderSpec } from './factory.js';
export type { SeatsSoldKey } from './seats-sold.js';
export { isShared, share } from '../cache/shared.js';
export { PeekingLoader, failedItem, getAll, settledItems } from './peeking.js';

export interface CustomerLoaders {
  byId: PeekingLoader<number, CustomerRecord | null>;
  byEmail: PeekingLoader<string, CustomerRecord | null>;
}

export interface Loaders {
  // The loaders a cached read operation goes through most: get() answers from the cache at once.
  event: PeekingLoader<string, EventDetail | null>;
  customers: CustomerLoaders;
  seatsSold: PeekingLoader<SeatsSoldKey, SeatBlock[]>;
  priceInfo: PeekingLoader<string, PriceCodeInfo[]>;
  availability: AvailabilityLoaders;
  cart: DataLoader<number, CartResult | null>;
}

export interface LoaderOptions {
  /** Most names in one event_details call (config.eventBatchSize). */
  eventBatchSize: number;
  /** When the event batch is sent; default: when the operation's other commands have answered. */
  eventSchedule?: (dispatch: () => void) => void;
}

/** An event_details answer's events by name, built once per answer (cached answers are shared). */
const byName = new WeakMap<readonly EventDetail[], Map<string, EventDetail>>();
function eventsByName(events: readonly EventDetail[]): Map<string, EventDetail> {
  let map = byName.get(events);
  if (!map) byName.set(events, (map = new Map(events.map((e) => [eventKey(e.name), e]))));
  return map;
}

/**
 * `runner` and `api` are bound to the operation (its trace, signal, request id): the command
 * loaders run through `runner` (with its synchronous getFresh), the others through `api`.
 */
export function createLoaders(
  api: GatewayApi,
  runner: CommandRunner,
  opts: LoaderOptions,
): Loaders {
  const byId = commandLoader(runner, {
    command: customerQuery,
    key: String,
    request: (acctId: number) => ({ acctId }),
    // An unknown account parses as no customer (customer_query's not-found).
    select: (answer) => answer?.customer ?? null,
  });
  // A customer found by e-mail is primed into byId, so asking for one account both ways costs one call.
  const byEmail = commandLoader(runner, {
    command: customerQuery,
    key: (email: string) => email.trim().toLowerCase(),
    request: (email: string) => ({ email: email.trim() }),
    select: (answer) => answer?.customer ?? null,
    onLoaded: (customer) => {
      if (customer) byId.prime(customer.acctId, customer);
    },
  });
  // event_details: ONE call for all of an operation's names (split above eventBatchSize), matched
  // by name, never by position: a name the service does not return is null.
  const event = commandLoader(runner, {
    command: eventDetails,
    key: eventKey,
    many: {
      request: (names: readonly string[]) => ({ names: names.map(eventKey) }),
      maxBatchSize: opts.eventBatchSize,
      ...(opts.eventSchedule ? { schedule: opts.eventSchedule } : {}),
    },
    select: (answer, name) => eventsByName(answer.events).get(eventKey(name)) ?? null,
  });
  // No blocks parses as an empty list.
  const seatsSoldLoader = commandLoader(runner, {
    command: seatsSold,
    key: seatsSoldKey,
    request: ({ acctId, eventName }: SeatsSoldKey) => ({
      acctId,
      ...(eventName ? { eventNames: [eventKey(eventName)] } : {}),
    }),
    select: (answer) => answer.blocks,
  });
  const priceInfo = commandLoader(runner, {
    command: eventPriceInfo,
    key: eventKey,
    request: (name: string) => ({ eventName: eventKey(name) }),
    select: (answer) => answer.priceCodes,
  });
  return {
    event,
    customers: { byId, byEmail },
    seatsSold: seatsSoldLoader,
    priceInfo,
    availability: createAvailabilityLoaders(api),
    cart: createCartLoader(api),
  };
}
