/** printTickets (ticket_print) → PrintTicketsPayload. */
import { NotFound } from '../../resolvers/failures.js';
import { printTickets } from '../../resolvers/tickets.js';
import type { SeatShape } from '../../resolvers/seats.js';
import { builder } from '../builder.js';
import './failures.js';
import { tierFor } from './mutation.js';
import { DeliveryMethodEnum } from './payment.js';
import { SeatRef } from './refs.js';

const SeatLocationInput = builder.inputType('SeatLocationInput', {
  description: 'One seat of the event.',
  fields: (t) => ({
    section: t.string({ required: true, description: 'Section, e.g. "101".' }),
    row: t.string({ required: true, description: 'Row, e.g. "A".' }),
    number: t.int({ required: true, description: 'Seat number.' }),
  }),
});

const PrintTicketsInput = builder.inputType('PrintTicketsInput', {
  description: 'Whose tickets, for which event, and optionally which seats.',
  fields: (t) => ({
    acctId: t.int({ required: true, description: 'Account that owns the seats.' }),
    eventName: t.string({ required: true, description: 'Event name, e.g. "EVENT01".' }),
    seats: t.field({
      type: [SeatLocationInput],
      description: 'Only these seats (default: all of the account’s seats at the event).',
    }),
    deliveryMethod: t.field({
      type: DeliveryMethodEnum,
      description: 'E-ticket (default) or print at home.',
    }),
  }),
});

const PrintTicketsSuccess = builder
  .objectRef<{ acctId: number; eventName: string; tickets: SeatShape[] }>('PrintTicketsSuccess')
  .implement({
    description: 'Tickets issued. Earlier barcodes of these seats are void.',
    fields: (t) => ({
      acctId: t.exposeInt('acctId', { description: 'Account that owns the seats.' }),
      eventName: t.exposeString('eventName', { description: 'The event.' }),
      tickets: t.field({
        type: [SeatRef],
        description: 'The seats with their new barcodes.',
        resolve: (r) => r.tickets,
      }),
    }),
  });

const PrintTicketsPayload = builder.errorUnion('PrintTicketsPayload', {
  description: 'Tickets issued, or why not.',
  types: [PrintTicketsSuccess, NotFound],
  resolveType: () => 'PrintTicketsSuccess',
});

builder.mutationFields((t) => ({
  printTickets: t.field({
    // Nullable: an upstream fault fails this field, not the other mutations of the operation.
    nullable: true,
    extensions: { upstream: 'write' },
    type: PrintTicketsPayload,
    description:
      'Issues tickets with new barcodes (ticket_print). Needs the buy scope and, for an account-bound token, its own account.',
    args: { input: t.arg({ type: PrintTicketsInput, required: true }) },
    authScopes: (_root, { input }) => tierFor('buy', input.acctId),
    resolve: (_root, { input }, ctx) => printTickets(input, ctx),
  }),
}));
