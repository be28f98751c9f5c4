/**
 * The Archtics wire protocol's vocabulary: the one module the command client (src/archtics/) and
 * the sandbox (src/sandbox/) share. Types and constant tables only — no behaviour — so that the
 * sandbox stays an independent peer and tests against it prove the client.
 * Source: ../shared/reference/archtics-wire-protocol.md.
 */

/** Products nest: sth-customer ⊂ sth-inventory ⊂ sth-hold ⊂ sth-buy (reference §1). */
export const PRODUCTS = ['sth-customer', 'sth-inventory', 'sth-hold', 'sth-buy'] as const;
export type Product = (typeof PRODUCTS)[number];

/** The resource path under every product. */
export const RESOURCE = 'ticketing_services.aspx';

export type CommandKind = 'read' | 'write';

/** Reference §4: every command, the smallest product that contains it, and its kind. */
export const COMMANDS = {
  ping: { product: 'sth-customer', kind: 'read' },
  ats_ext_test_polling: { product: 'sth-customer', kind: 'read' },
  event_search: { product: 'sth-customer', kind: 'read' },
  event_details: { product: 'sth-customer', kind: 'read' },
  customer_query: { product: 'sth-customer', kind: 'read' },
  seats_sold: { product: 'sth-customer', kind: 'read' },
  customer_add: { product: 'sth-customer', kind: 'write' },
  customer_update: { product: 'sth-customer', kind: 'write' },
  get_avail_seats: { product: 'sth-inventory', kind: 'read' },
  event_price_info: { product: 'sth-inventory', kind: 'read' },
  seats_hold: { product: 'sth-hold', kind: 'write' },
  seats_hold_specific: { product: 'sth-hold', kind: 'write' },
  shopping_cart: { product: 'sth-hold', kind: 'read' },
  abort_shopping_cart: { product: 'sth-hold', kind: 'write' },
  // check_out changes nothing but binds the cart to the account: safe to repeat (reference §4).
  check_out: { product: 'sth-buy', kind: 'read' },
  payment_request: { product: 'sth-buy', kind: 'write' },
  ticket_print: { product: 'sth-buy', kind: 'write' },
} as const satisfies Record<string, { product: Product; kind: CommandKind }>;

export type CommandName = keyof typeof COMMANDS;
export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

/** True when `product` contains `inner` (products nest). */
export function productContains(product: Product, inner: Product): boolean {
  return PRODUCTS.indexOf(product) >= PRODUCTS.indexOf(inner);
}

// ── Envelope (reference §2) ─────────────────────────────────────────────────────────────────

export interface RequestHeader {
  ver: number;
  src_sys_type: number;
  src_sys_name: string;
  archtics_version: string;
}

export interface Command1Request {
  cmd: string;
  ref?: string;
  uid: string;
  dsn: string;
  [field: string]: unknown;
}

export interface RequestEnvelope {
  header: RequestHeader;
  command1: Command1Request;
}

export interface Command1Response {
  cmd: string;
  ref?: string;
  result: number | string;
  sql_code?: number | string;
  error_detail?: string;
  /** seats_sold says error_desc instead of error_detail (reference §6.2). */
  error_desc?: string;
  [field: string]: unknown;
}

export interface ResponseHeader extends Partial<RequestHeader> {
  ats_version?: string;
  result: number | string;
  [field: string]: unknown;
}

export interface ResponseEnvelope {
  command1?: Command1Response;
  header: ResponseHeader;
}

/** header.result values when the envelope itself is refused [defined here]. */
export const HEADER_RESULT = {
  ok: 0,
  malformed: 1,
  unknownCommand: 2,
  missingUid: 3,
} as const;

/** sql_code meaning "no row". */
export const SQL_NO_ROW = 100;

// ── Transport faults (reference §1) ─────────────────────────────────────────────────────────

export const FAULT_CODES = [
  'InvalidApiKey',
  'DsnNotAllowed',
  'DsnMismatch',
  'ProductNotAllowed',
  'UnknownProduct',
  'UnknownDsn',
  'QuotaMinute',
  'QuotaDay',
  'Unavailable',
] as const;
export type FaultCode = (typeof FAULT_CODES)[number];

/** Body of a 401/404/429/503 answer. */
export interface FaultBody {
  fault: { faultstring: string; detail: { errorcode: FaultCode | string } };
}

// ── Polling (reference §3) ──────────────────────────────────────────────────────────────────

/** Cookies a 202 sets; a client must still keep any other cookie it is given (SID, BID, CIN, CTKN). */
export const POLL_COOKIES = { commandId: 'CID', queueToken: 'QTKN' } as const;

// ── Command result codes (reference §4) ─────────────────────────────────────────────────────

export const RESULT_CODES = {
  eventSearchBadInput: 5211,
  eventSearchNoEvents: 5212,
  eventDetailsNoEvents: 5231,
  customerMissingInput: 5021,
  customerPinMismatch: 5023,
  customerNotFound: 5024,
  seatsSoldMissingInput: 5061,
  noBlocksFound: 5069,
  customerAddMissingField: 5011,
  customerAddInvalidEmail: 5019,
  emailExists: 11408,
  customerUpdateNotFound: 5034,
  customerUpdateBadEmail: 5036,
  customerUpdateEmailUsed: 5037,
  notEnoughSeats: 6001,
  unknownEvent: 6002,
  seatsNotAvailable: 6003,
  unknownCart: 6004,
  amountMismatch: 7010,
  cardDeclined: 7020,
  cartNotCheckedOut: 7030,
} as const;

/** Column lists of get_avail_seats answers [defined here]. */
export const AVAIL_COLUMNS = {
  summary: 'section_name,num_avail,min_price,max_price,price_codes',
  seats: 'section_name,row_name,seat_num,price_code,price',
} as const;
