/** PriceCode and TicketTypePrice (event_price_info). */
import { money } from '../../resolvers/money.js';
import { MoneyRef, PriceCodeRef, TicketTypePriceRef } from './refs.js';

PriceCodeRef.implement({
  description:
    'A price code of an event (a price level, e.g. lower bowl) with the prices of its ticket types.',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Price code, e.g. "A".' }),
    description: t.exposeString('description', {
      nullable: true,
      description: 'What the price code stands for.',
    }),
    ticketTypes: t.field({
      type: [TicketTypePriceRef],
      description: 'Ticket types sold at this price code, with their prices.',
      resolve: (p) => p.ticketTypes,
    }),
  }),
});

TicketTypePriceRef.implement({
  description: 'The price of one ticket type (adult, child, …) at one price code.',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Ticket type code, e.g. "ADULT".' }),
    description: t.exposeString('description', {
      nullable: true,
      description: 'What the ticket type stands for.',
    }),
    price: t.field({
      type: MoneyRef,
      description: 'Price of one seat.',
      resolve: (p) => money(p.price),
    }),
  }),
});
