/** An event's price codes and ticket types (event_price_info), one call per event per operation. */
import DataLoader from 'dataloader';
import type { PriceCodeInfo } from '../archtics/types.js';
import type { GatewayApi } from './api.js';
import { eventKey } from './events.js';

export function createPriceInfoLoader(api: Pick<GatewayApi, 'eventPriceInfo'>): DataLoader<string, PriceCodeInfo[], string> {
  return new DataLoader<string, PriceCodeInfo[], string>(
    (names) => Promise.all(names.map(async (name) => (await api.eventPriceInfo({ eventName: eventKey(name) })).priceCodes)),
    { batch: false, cacheKeyFn: eventKey },
  );
}
