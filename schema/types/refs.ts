/**
 * Object refs and shared connection types, declared once so that type files can name each other
 * without import cycles. Each type's fields are defined in its own file.
 */
import type {
  CartResult,
  CustomerRecord,
  EventDetail,
  PingResult,
  PollingTestResult,
  PriceCodeInfo,
  SectionAvailabilityRow,
  TicketTypePrice,
} from '../../src/archtics/types.js';
import type { QuotaSnapshot } from '../../src/quota/types.js';
import type { MoneyShape } from '../../resolvers/money.js';
import type { SeatShape } from '../../resolvers/seats.js';
import { builder } from '../builder.js';

export const EventRef = builder.objectRef<EventDetail>('Event');
export const CustomerRef = builder.objectRef<CustomerRecord>('Customer');
export const SeatRef = builder.objectRef<SeatShape>('Seat');
export const CartRef = builder.objectRef<CartResult>('Cart');
export const MoneyRef = builder.objectRef<MoneyShape>('Money');
export const PriceCodeRef = builder.objectRef<PriceCodeInfo>('PriceCode');
export const TicketTypePriceRef = builder.objectRef<TicketTypePrice>('TicketTypePrice');
export const SectionAvailabilityRef =
  builder.objectRef<SectionAvailabilityRow>('SectionAvailability');
/** The Upstream object has no state of its own: its fields read the context. */
export const UpstreamRef = builder.objectRef<Record<string, never>>('Upstream');
export const PingRef = builder.objectRef<PingResult>('Ping');
export const PollingTestRef = builder.objectRef<PollingTestResult>('PollingTest');
export const QuotaRef = builder.objectRef<QuotaSnapshot>('Quota');

export const SeatConnectionRef = builder.connectionObject(
  {
    type: SeatRef,
    name: 'SeatConnection',
    description: 'A page of seats, in event, section, row and seat order.',
  },
  { name: 'SeatEdge', description: 'A seat and its cursor.' },
);
