/**
 * The slice of the typed command API that the loaders and resolvers call. It is the shape of
 * `createArchticsApi(runner, defaults)` (src/archtics/commands/index.ts): one function per command,
 * typed request in, typed result out, RunOptions optional. Declared structurally here so that
 * anything with these functions — the real API, a cache-fronted one, a test fake — fits.
 */
import type {
  AbortCartResult,
  AvailRequest,
  AvailSeatsResult,
  AvailSummaryResult,
  CartRequest,
  CartResult,
  CheckOutRequest,
  CheckOutResult,
  CustomerAddRequest,
  CustomerAddResult,
  CustomerQueryRequest,
  CustomerQueryResult,
  CustomerUpdateRequest,
  CustomerUpdateResult,
  EventDetailsRequest,
  EventDetailsResult,
  EventPriceInfoRequest,
  EventPriceInfoResult,
  EventSearchRequest,
  EventSearchResult,
  HoldResult,
  PaymentRequest,
  PaymentResult,
  PingResult,
  PollingTestResult,
  RunOptions,
  SeatsHoldRequest,
  SeatsHoldSpecificRequest,
  SeatsSoldRequest,
  SeatsSoldResult,
  TicketPrintRequest,
  TicketPrintResult,
} from '../archtics/types.js';

export type ApiCall<Req, Res> = (req: Req, opts?: RunOptions) => Promise<Res>;

export interface GatewayApi {
  ping: ApiCall<void | Record<string, never>, PingResult>;
  pollingTest: ApiCall<void | Record<string, never>, PollingTestResult>;
  eventSearch: ApiCall<EventSearchRequest, EventSearchResult>;
  eventDetails: ApiCall<EventDetailsRequest, EventDetailsResult>;
  customerQuery: ApiCall<CustomerQueryRequest, CustomerQueryResult>;
  seatsSold: ApiCall<SeatsSoldRequest, SeatsSoldResult>;
  customerAdd: ApiCall<CustomerAddRequest, CustomerAddResult>;
  customerUpdate: ApiCall<CustomerUpdateRequest, CustomerUpdateResult>;
  getAvailSummary: ApiCall<AvailRequest, AvailSummaryResult>;
  getAvailSeats: ApiCall<AvailRequest, AvailSeatsResult>;
  eventPriceInfo: ApiCall<EventPriceInfoRequest, EventPriceInfoResult>;
  seatsHold: ApiCall<SeatsHoldRequest, HoldResult>;
  seatsHoldSpecific: ApiCall<SeatsHoldSpecificRequest, HoldResult>;
  shoppingCart: ApiCall<CartRequest, CartResult>;
  abortShoppingCart: ApiCall<CartRequest, AbortCartResult>;
  checkOut: ApiCall<CheckOutRequest, CheckOutResult>;
  paymentRequest: ApiCall<PaymentRequest, PaymentResult>;
  ticketPrint: ApiCall<TicketPrintRequest, TicketPrintResult>;
}
