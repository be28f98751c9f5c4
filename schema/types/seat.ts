/** Seat: sold (seats_sold), held (carts) or available (get_avail_seats). */
import { eventDetails } from '../../src/archtics/commands/index.js';
import { eventOfSeat } from '../../resolvers/events.js';
import { money } from '../../resolvers/money.js';
import { formatSeatKey, loadSeat, parseSeatId, type SeatKey } from '../../resolvers/seats.js';
import { builder, syncNode } from '../builder.js';
import { EventRef, MoneyRef, SeatRef } from './refs.js';
import { SeatStatusEnum } from './seat-status.js';

builder.node(SeatRef, {
  description:
    'One seat of one event. Its global id is built from event, section, row and seat number, so it is the same wherever the seat appears.',
  extensions: syncNode(formatSeatKey, (key: SeatKey, ctx) => loadSeat(key, ctx)),
  id: { resolve: formatSeatKey, parse: parseSeatId },
  loadMany: (keys, ctx) => Promise.all(keys.map((k) => loadSeat(k, ctx))),
  fields: (t) => ({
    event: t.field({
      type: EventRef,
      nullable: true,
      extensions: { upstream: eventDetails.name },
      description: 'The event (batched: one event_details call per operation).',
      resolve: (s, _a, ctx) => eventOfSeat(s, ctx),
    }),
    section: t.exposeString('section', { description: 'Section name, e.g. "101".' }),
    row: t.exposeString('row', { description: 'Row name, e.g. "A".' }),
    number: t.exposeInt('number', { description: 'Seat number within the row.' }),
    priceCode: t.exposeString('priceCode', {
      nullable: true,
      description: 'Price code of the seat, when known.',
    }),
    ticketTypeCode: t.exposeString('ticketTypeCode', {
      nullable: true,
      description: 'Ticket type it was sold or held as, when known.',
    }),
    price: t.field({
      type: MoneyRef,
      nullable: true,
      description:
        'Price of the seat: what was paid (sold), the per-seat price (held) or the asking price (available).',
      resolve: (s) => (s.price === undefined ? null : money(s.price)),
    }),
    status: t.field({
      type: SeatStatusEnum,
      description: 'AVAILABLE, HELD or SOLD.',
      resolve: (s) => s.status,
    }),
    barcode: t.exposeString('barcode', {
      nullable: true,
      description: 'Ticket barcode of a sold seat, once printed.',
    }),
    purchaseDate: t.field({
      type: 'Date',
      nullable: true,
      description: 'Day a sold seat was bought.',
      resolve: (s) =>
        s.purchaseDate && /^\d{4}-\d{2}-\d{2}$/.test(s.purchaseDate) ? s.purchaseDate : null,
    }),
  }),
});
