/**
 * What each field costs upstream, in the style of the GraphQL cost directives (@cost weights and
 * @listSize on the fields that call the service), kept by schema coordinate so the estimate
 * (src/plugins/upstream-cost.ts) reads one table. A field not listed calls nothing.
 *
 *   weight      calls per distinct parent object (the loaders de-duplicate by key), or per
 *               occurrence on a root field; polls a command is known to need are included
 *   loads       the field loads objects of a key space: by keys in an argument (`keysArg`;
 *               `globalIds` for node/nodes), or derived from the parent (`distinct`: each item a
 *               different object, e.g. a search page; `repeating`: many items share a few
 *               objects, e.g. the events of a list of seats)
 *   listSize    how many items a list returns: `slicingArguments` (first/last) or `assumedSize`,
 *               applied to `sizedFields` (a connection's edges) or to the field itself
 *
 * Key spaces load as: Customer 1 customer_query per account, Cart 1 shopping_cart per order,
 * Seat 1 get_avail_seats per seat id (plus its event), Event one event_details per
 * `eventBatchSize` names. A test checks every coordinate exists in the schema.
 */
export type KeySpace = 'Customer' | 'Event' | 'Cart' | 'Seat';

export interface FieldCost {
  weight?: number;
  loads?:
    | { space: KeySpace; keysArg?: string }
    | { space: 'globalIds'; keysArg: string }
    | { space: KeySpace; derived: 'distinct' | 'repeating' };
  listSize?: { slicingArguments?: string[]; assumedSize: number; sizedFields?: string[] };
}

/** Connection pages: first/last, 50 when neither is given. */
const PAGE = {
  slicingArguments: ['first', 'last'],
  assumedSize: 50,
  sizedFields: ['edges', 'nodes'],
};

/** ats_ext_test_polling answers after ~10 s of 202s: one POST and about ten polls. */
export const POLLING_TEST_CALLS = 11;

/**
 * Distinct events behind the seats of one operation, when the events are not named in it (a
 * season-ticket holder's first page of seats spans a few events). The estimate's one guess; an
 * operation that proves it wrong is still held to its limit while it runs.
 */
export const ASSUMED_EVENTS_OF_SEATS = 5;

export const FIELD_COSTS: Record<string, FieldCost> = {
  'Query.customer': { loads: { space: 'Customer', keysArg: 'acctId' } },
  'Query.customerByEmail': { weight: 1 },
  'Query.cart': { loads: { space: 'Cart', keysArg: 'orderNum' } },
  'Query.event': { loads: { space: 'Event', keysArg: 'name' } },
  'Query.events': { loads: { space: 'Event', keysArg: 'names' } },
  'Query.node': { loads: { space: 'globalIds', keysArg: 'id' } },
  'Query.nodes': { loads: { space: 'globalIds', keysArg: 'ids' } },
  'Query.searchEvents': {
    weight: 1,
    loads: { space: 'Event', derived: 'distinct' },
    listSize: PAGE,
  },
  'Upstream.ping': { weight: 1 },
  'Upstream.pollingTest': { weight: POLLING_TEST_CALLS },
  'Customer.seats': { weight: 1, listSize: PAGE },
  'Seat.event': { loads: { space: 'Event', derived: 'repeating' } },
  'Cart.seats': { listSize: { assumedSize: 20 } },
  'Event.priceCodes': { weight: 1 },
  'Event.availability': { weight: 1 },
  'Event.availableSeats': { weight: 1, listSize: PAGE },
  'CheckoutSuccess.lineItems': { listSize: { assumedSize: 10 } },
  'CreateCustomerSuccess.customer': { loads: { space: 'Customer', derived: 'distinct' } },
  'EmailAlreadyExists.account': { loads: { space: 'Customer', derived: 'distinct' } },
  // Mutations: the reads that check them (cached or fresh) and the write; run one after another.
  'Mutation.holdBestAvailable': { weight: 3 },
  'Mutation.holdSeats': { weight: 3 },
  'Mutation.releaseCart': { weight: 2 },
  'Mutation.checkout': { weight: 2 },
  'Mutation.submitPayment': { weight: 4 },
  'Mutation.printTickets': { weight: 1 },
  'Mutation.createCustomer': { weight: 2 },
  'Mutation.updateCustomer': { weight: 2 },
};
