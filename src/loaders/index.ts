/**
 * Per-request DataLoaders: built fresh for every GraphQL operation (src/context.ts), so nothing is
 * shared between callers here — cross-request reuse is the cache layer's job (src/cache/).
 */
import type DataLoader from 'dataloader';
import { customerQuery, eventDetails, eventPriceInfo, seatsSold } from '../archtics/commands/index.js';
import { newTrace, type CartResult, type CustomerRecord, type EventDetail, type PriceCodeInfo, type SeatBlock } from '../archtics/types.js';
import type { GatewayApi } from './api.js';
import { createAvailabilityLoaders, type AvailabilityLoaders } from './availability.js';
import { createCartLoader } from './carts.js';
import { createCustomerLoaders } from './customers.js';
import { createEventLoader, eventKey } from './events.js';
import { PeekingLoader } from './peeking.js';
import { createPriceInfoLoader } from './prices.js';
import { createSeatsSoldLoader, seatsSoldKey, type SeatsSoldKey } from './seats-sold.js';

export type { GatewayApi } from './api.js';
export { InflightTracker } from './inflight.js';
export { eventKey } from './events.js';
export type { SeatsSoldKey } from './seats-sold.js';
export { PeekingLoader, andThen, failedItem, getAll, type MaybePromise } from './peeking.js';

export interface CustomerLoaders {
  byId: PeekingLoader<number, CustomerRecord | null>;
  byEmail: DataLoader<string, CustomerRecord | null, string>;
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

export function createLoaders(api: GatewayApi, opts: LoaderOptions): Loaders {
  // Peeks transform the cached answer exactly as the loaders' batch functions do.
  // A customer found by e-mail is primed into the peeking byId, so both ways agree in one operation.
  const customers = createCustomerLoaders(api, { prime: (acctId, c) => byId.prime(acctId, c) });
  const byId: PeekingLoader<number, CustomerRecord | null> = new PeekingLoader<number, CustomerRecord | null>(
    customers.byId,
    String,
    (acctId) => {
      const hit = api.peek(customerQuery, { acctId });
      return hit && { value: hit.value?.customer ?? null };
    },
  );
  // event_details: the loader sends ONE call for all of an operation's names, so it counts as one
  // cache hit however many names are peeked; the names after the first count on a scratch trace.
  let eventHitCounted = false;
  const event = new PeekingLoader<string, EventDetail | null>(
    createEventLoader(api, { batchSize: opts.eventBatchSize, schedule: opts.eventSchedule }),
    eventKey,
    (name) => {
      const key = eventKey(name);
      const hit = api.peek(eventDetails, { names: [key] }, eventHitCounted ? { trace: newTrace() } : undefined);
      if (!hit) return undefined;
      eventHitCounted = true;
      return { value: hit.value.events.find((e) => eventKey(e.name) === key) ?? null };
    },
  );
  return {
    event,
    customers: { byId, byEmail: customers.byEmail },
    seatsSold: new PeekingLoader(createSeatsSoldLoader(api), seatsSoldKey, ({ acctId, eventName }) => {
      const hit = api.peek(seatsSold, { acctId, ...(eventName ? { eventNames: [eventName.trim().toUpperCase()] } : {}) });
      return hit && { value: hit.value.blocks };
    }),
    priceInfo: new PeekingLoader(createPriceInfoLoader(api), eventKey, (name) => {
      const hit = api.peek(eventPriceInfo, { eventName: eventKey(name) });
      return hit && { value: hit.value.priceCodes };
    }),
    availability: createAvailabilityLoaders(api),
    cart: createCartLoader(api),
  };
}
