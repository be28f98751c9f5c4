import { defineCommand, wireName } from '../parse.js';
import type { EventPriceInfoRequest, EventPriceInfoResult } from '../types.js';

/** event_price_info: price codes of an event and the price of each ticket type. */
export const eventPriceInfo = defineCommand<EventPriceInfoRequest, EventPriceInfoResult>(
  'event_price_info',
  {
    product: 'sth-inventory',
    kind: 'read',
    failures: { 6002: 'unknownEvent' },
    toFields: (req) => ({ event_name: wireName(req.eventName) }),
    parseOk: (a) => ({
      priceCodes: a.list('price_codes').map((p) => ({
        code: p.str('price_code'),
        description: p.str('price_code_desc'),
        ticketTypes: p.list('ticket_types').map((t) => ({
          code: t.str('ticket_type_code'),
          description: t.str('ticket_type_desc'),
          price: t.cents('price'),
        })),
      })),
    }),
    // Every caller shares an event's prices: worth refreshing ahead while it is read.
    cache: { ttlMs: 10 * 60_000, shareMisses: true, refreshAhead: true },
  },
);
