/**
 * Per-request DataLoaders: built fresh for every GraphQL operation (src/context.ts), so nothing is
 * shared between callers here — cross-request reuse is the cache layer's job (src/cache/).
 */
import type DataLoader from 'dataloader';
import type { CartResult, EventDetail, PriceCodeInfo, SeatBlock } from '../archtics/types.js';
import type { GatewayApi } from './api.js';
import { createAvailabilityLoaders, type AvailabilityLoaders } from './availability.js';
import { createCartLoader } from './carts.js';
import { createCustomerLoaders, type CustomerLoaders } from './customers.js';
import { createEventLoader } from './events.js';
import { createPriceInfoLoader } from './prices.js';
import { createSeatsSoldLoader, type SeatsSoldKey } from './seats-sold.js';

export type { GatewayApi } from './api.js';
export { InflightTracker } from './inflight.js';
export { eventKey } from './events.js';
export type { SeatsSoldKey } from './seats-sold.js';

export interface Loaders {
  event: DataLoader<string, EventDetail | null, string>;
  customers: CustomerLoaders;
  seatsSold: DataLoader<SeatsSoldKey, SeatBlock[], string>;
  priceInfo: DataLoader<string, PriceCodeInfo[], string>;
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
  return {
    event: createEventLoader(api, { batchSize: opts.eventBatchSize, schedule: opts.eventSchedule }),
    customers: createCustomerLoaders(api),
    seatsSold: createSeatsSoldLoader(api),
    priceInfo: createPriceInfoLoader(api),
    availability: createAvailabilityLoaders(api),
    cart: createCartLoader(api),
  };
}
