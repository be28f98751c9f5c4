import { compact, defineCommand, wireName } from '../parse.js';
import { tag } from './tags.js';
import type { TicketPrintRequest, TicketPrintResult } from '../types.js';

/**
 * ticket_print: issues tickets (new barcodes; earlier ones are voided) for some or, when `seats`
 * is absent, all of an account's seats at an event. 5069 is "noSeats" here (a write), not an empty list.
 */
export const ticketPrint = defineCommand<TicketPrintRequest, TicketPrintResult>('ticket_print', {
  product: 'sth-buy',
  kind: 'write',
  failures: { 5069: 'noSeats' },
  toFields: (req) =>
    compact({
      acct_id: req.acctId,
      event_name: wireName(req.eventName),
      seats: req.seats?.map((s) => ({
        section_name: s.section,
        row_name: s.row,
        seat_num: s.seat,
      })),
      delivery_method: req.deliveryMethod,
    }),
  parseOk: (a) => ({
    tickets: a.list('tickets').map((t) => ({
      eventName: t.name('event_name'),
      section: t.str('section_name'),
      row: t.str('row_name'),
      seat: t.int('seat_num'),
      barcode: t.str('barcode'),
      ticketStatus: t.str('ticket_status'),
    })),
  }),
  cache: { invalidates: (req) => ({ tags: [tag.sold(req.acctId)] }) },
});
