/**
 * The sandbox's own reading of the protocol reference (../shared/reference/archtics-wire-protocol.md
 * §4): every command with its smallest product and kind, and the business result codes it answers.
 * The client defines the same facts in its command definitions (src/archtics/commands/), and
 * test/archtics/real-defs.test.ts holds the two readings against each other: they are never shared
 * code, so that tests against the sandbox prove the client.
 */
import { PRODUCTS, type CommandKind, type Product } from '../protocol/wire.js';

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

// ── Result codes the sandbox answers (reference §4) ─────────────────────────────────────────────────────

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
