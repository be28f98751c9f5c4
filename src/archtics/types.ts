/**
 * The command client's typed surface: what every layer above src/archtics/ sees instead of raw
 * JSON. Each command of the protocol reference has a CommandDef (src/archtics/commands/) that
 * turns a typed request into command1 fields and the service's command1 answer into a typed
 * result. Money is integer cents; dates stay ISO strings ("YYYY-MM-DD").
 */
import type { CommandFailure } from '../protocol/errors.js';
import type { CommandKind, CommandName, Command1Response, Product } from '../protocol/wire.js';

/** Integer cents. Never a float amount. */
export type Cents = number;

/** What a CommandDef needs from configuration to fill in a request. */
export interface CommandContext {
  siteName: string;
}

export interface CommandDef<Req, Res> {
  /** The wire name (command1.cmd). */
  readonly name: CommandName;
  /** The smallest product that contains the command (reference §4). */
  readonly product: Product;
  readonly kind: CommandKind;
  /** command1 fields besides cmd, ref, uid and dsn. Throws (RangeError) for a request it refuses. */
  toFields(req: Req, ctx: CommandContext): Record<string, unknown>;
  /**
   * Turns a command1 answer into a typed result. "No row" answers become empty results where the
   * command's meaning allows (documented per command); other failures throw ArchticsCommandError
   * carrying the typed `failure` its code maps to.
   */
  parse(command1: Command1Response): Res;
  /** Result code → what it means, for this command. */
  readonly failures?: Readonly<Record<number, CommandFailure>>;
  /** How the cache treats the command; absent: never cached, invalidates nothing. */
  readonly cache?: CachePolicy<Req, Res>;
}

/**
 * A command's cache policy, read by the generic cache (src/cache/), which names no command.
 * Tags are opaque strings to the cache: a read's answer carries some, a write evicts some.
 */
export interface CachePolicy<Req, Res> {
  /** Default TTL (ms) of a read's answer; config (CACHE_TTL_<NAME>_MS) overrides; 0: not kept. */
  readonly ttlMs?: number;
  /** Costly enough that replicas share a miss through Redis (one fetches, the others wait). */
  readonly shareMisses?: boolean;
  /** The wire fields as keyed: spellings that certainly mean one answer made one. */
  keyFields?(fields: Record<string, unknown>): Record<string, unknown>;
  /**
   * Tags a cached answer carries: a write that evicts one of them evicts the answer. Asked first
   * without the answer (for a read still in flight), then with it.
   */
  tags?(req: Req, res: Res | undefined): string[];
  /** What the command makes wrong once sent, whatever its outcome (`res` undefined: failed or unknown). */
  invalidates?(req: Req, res: Res | undefined): Invalidation;
  /** Tags learned from an answer, remembered under a key for a later invalidation to recall. */
  remember?(req: Req, res: Res | undefined): { key: string; tags: string[] } | undefined;
  /** A multi-item command: its answer is cached item by item and assembled from them. */
  items?: ItemPolicy<Req, Res>;
  /**
   * With `items`: the unfiltered form lists the whole collection, page by page, and the cache keeps
   * it as ONE entry (CACHE_CATALOGUE_TTL_MS) that answers any list of ids; ids it lacks go through
   * the filtered call. Absent: not catalogued.
   */
  catalogue?: CataloguePolicy<Res>;
  /**
   * A hot answer is worth renewing before it expires, with budget no caller needs (refresh-ahead,
   * CACHE_REFRESH_*): true for reads whose answer many callers share or re-read. Absent: never.
   */
  readonly refreshAhead?: boolean;
}

/** How a multi-item read's unfiltered form pages through the whole collection (CachePolicy.catalogue). */
export interface CataloguePolicy<Res, Item = unknown> {
  /**
   * The request for one page: the first (after undefined) or the one after the id `after` (a Req;
   * typed unknown so that a def stays covariant in Req).
   */
  page(after: string | undefined): unknown;
  /** A page's items by id, in order, and the cursor of the next page (absent after the last). */
  read(res: Res): { entries: [string, Item][]; next?: string };
}

export interface Invalidation {
  tags: string[];
  /**
   * Also the tags remembered under `key` (or `orElse` when none are known); forgotten once the
   * command succeeded when `forget` is set.
   */
  recall?: { key: string; orElse: string[]; forget: boolean };
}

export interface ItemPolicy<Req, Res, Item = unknown> {
  /** The ids of the items a request asks for, de-duplicated; undefined when it is not split. */
  ids(req: Req): string[] | undefined;
  /** The request for just these ids (a Req; typed unknown so that a def stays covariant in Req). */
  request(req: Req, ids: string[]): unknown;
  /** Each asked id's item in an answer; null for one the service does not know. */
  split(res: Res, ids: readonly string[]): Map<string, Item | null>;
  /** The answer the service would give for these ids. */
  assemble(ids: readonly string[], items: ReadonlyMap<string, Item | null>): Res;
}

export type RequestOf<D> = D extends CommandDef<infer Req, unknown> ? Req : never;
export type ResultOf<D> = D extends CommandDef<unknown, infer Res> ? Res : never;

/** Counters of one GraphQL operation's upstream work (extensions.upstream). Layers add to it. */
export interface UpstreamTrace {
  /** New commands POSTed upstream (not polls). */
  calls: number;
  /** Poll POSTs of accepted (202) commands. */
  polls: number;
  /** Re-sends of reads after a retryable failure. */
  retries: number;
  cacheHits: number;
  staleServes: number;
  /** Age in seconds of the oldest stale answer served, when any. */
  maxStaleAgeSeconds?: number;
  /** Of cacheHits, answers the refresher had renewed ahead of expiry (its own calls are on no operation's trace). */
  refreshHits?: number;
}

export function newTrace(): UpstreamTrace {
  return { calls: 0, polls: 0, retries: 0, cacheHits: 0, staleServes: 0 };
}

/**
 * What one operation's answer was built from, for the response cache above the command cache: the
 * answer may be kept only as long as the first of its reads stays fresh, and must go when a write
 * evicts one of them. The command cache fills it in for every read it answers.
 */
export interface Provenance {
  /** Epoch ms at which the first read used goes stale; 0 once a read was not cacheable at all. */
  freshUntil: number;
  /** Invalidation tags of the reads used. */
  readonly tags: Set<string>;
  /** Epoch ms when the operation began (a write after it may have raced one of its reads). */
  readonly startedAt: number;
}

export function newProvenance(now: number): Provenance {
  return { freshUntil: Number.POSITIVE_INFINITY, tags: new Set(), startedAt: now };
}

/** Records one read: fresh until `expiresAt` (0: not cacheable), evicted by `tags`. */
export function noteRead(
  p: Provenance | undefined,
  expiresAt: number,
  tags: readonly string[] = [],
): void {
  if (!p) return;
  if (expiresAt < p.freshUntil) p.freshUntil = expiresAt;
  for (const t of tags) p.tags.add(t);
}

export interface RunOptions {
  /** Cancels the command end to end (queue wait, request, polling). */
  signal?: AbortSignal;
  /**
   * Epoch ms by which an answer is needed; the quota queue refuses at once past it. Absent: a
   * read's own (ARCHTICS_READ_DEADLINE_MS). A GraphQL operation gives every read in it the
   * earlier of the operation's deadline and the read's own (src/context.ts).
   */
  deadline?: number;
  /**
   * The caller has another answer to give (a stale cache entry within its grace): a read that
   * cannot go now — no slot at once (a Retry-After pause, a full window), or refused or lost
   * once (429, 503, a dropped connection) — fails at once with that refusal instead of waiting
   * or re-sending, so the fallback is served immediately. Polls of an accepted read likewise.
   */
  failFast?: boolean;
  /** Echoed by the service as command1.ref; useful in logs. */
  ref?: string;
  trace?: UpstreamTrace;
  /** What the operation's answer is built from (the command cache records each read here). */
  provenance?: Provenance;
  /** Request id of the GraphQL operation, for logs. */
  requestId?: string;
  /**
   * Whose fair share of the upstream budget the command draws on (AuthInfo.budgetCaller: a token's
   * digest, or a client address's when tokens are off). Set from the request, never from input.
   */
  caller?: string;
  /**
   * Work no caller waits for (refresh-ahead): sent at the budget's 'idle' priority, only from slots
   * no caller or reserved poll needs, leaving `headroom` more free; refused at once otherwise, and
   * never re-sent. Polls of an accepted command are polls as usual.
   */
  idle?: { headroom: number };
}

/** Anything that can run a command: the client itself, or a cache in front of it. */
export interface CommandRunner {
  run<Req, Res>(def: CommandDef<Req, Res>, req: Req, opts?: RunOptions): Promise<Res>;
  /**
   * The answer `run` would give at once from memory (every key of the read fresh in the
   * in-process cache), synchronously: `{ value }`, counted on `opts.trace` as the cache hit `run`
   * would have counted; or undefined when `run` would have to do anything else. A runner with no
   * memory (the client) has none. Lets a fully cached operation resolve without a promise per
   * field.
   */
  getFresh?<Req, Res>(
    def: CommandDef<Req, Res>,
    req: Req,
    opts?: RunOptions,
  ): { value: Res } | undefined;
}

// ── Results, command by command ─────────────────────────────────────────────────────────────

export interface PingResult {
  systemAvailable: boolean;
  digitAvailable: boolean;
  cpuLoad: number;
  dbConnections: number;
  activeRequests: number;
  dbName: string;
}

export interface PollingTestResult {
  completed: true;
}

export interface EventSearchRequest {
  /** YYYY-MM-DD; the service defaults to today. */
  startDate?: string;
  /** YYYY-MM-DD; the service defaults to today + 90 days. */
  endDate?: string;
  siteName?: string;
  venueName?: string;
  seasonName?: string;
  holdClasses?: string[];
  numSeats?: number;
}

export interface EventSearchHit {
  eventName: string;
  available: boolean;
  availClasses: string[];
}

/** No events parses as an empty list. */
export interface EventSearchResult {
  holdClasses: string[];
  events: EventSearchHit[];
}

export interface EventDetailsRequest {
  /** Event names (case-insensitive). Absent = all events (paged by prevEventName/count). */
  names?: string[];
  /** Exclusive cursor: events after this name. */
  prevEventName?: string;
  count?: number;
}

export interface EventDetail {
  /** Upper case, ≤ 8 chars. */
  name: string;
  nameInet?: string;
  description: string;
  /** YYYY-MM-DD */
  date: string;
  /** HH:MM */
  time: string;
  performer?: string;
  organization: string;
  venueName: string;
  manifestName: string;
  seasonName: string;
  category: 'E' | 'P' | 'O';
  durationMinutes: number;
  planType: 'S' | 'N';
  totalEvents: number;
  allowSingles: boolean;
  onsaleDate?: string;
  majorCategory?: string;
  minorCategory?: string;
  archticsVenueId: string;
}

/** No events parses as an empty list. Unknown names are simply absent. */
export interface EventDetailsResult {
  count: number;
  events: EventDetail[];
}

export type CustomerQueryRequest = ({ acctId: number } | { email: string }) & {
  /** Without a pin the query is a system call (call_reason "S"). */
  pin?: string;
};

export interface CustomerRecord {
  acctId: number;
  custNameId: string;
  nameType: 'I' | 'C';
  firstName: string;
  middleInitial?: string;
  lastName: string;
  companyName?: string;
  street1: string;
  street2?: string;
  city: string;
  state: string;
  zip: string;
  country: string;
  phoneDay?: string;
  phoneCell?: string;
  email: string;
  /** YYYY-MM-DD */
  addDate: string;
  acctType: string;
  emailOptOut: boolean;
}

/** Not found parses as null. */
export type CustomerQueryResult = {
  customer: CustomerRecord;
  accountIds: number[];
  recStatus: string;
} | null;

export interface SeatsSoldRequest {
  acctId: number;
  eventNames?: string[];
  count?: number;
}

export interface AtomicSeat {
  seat: string;
  barcode?: string;
  ticketStatus?: string;
}

/** A run of adjacent seats in one row. */
export interface SeatBlock {
  eventName: string;
  eventId: number;
  section: string;
  row: string;
  firstSeat: number;
  numSeats: number;
  lastSeat: number;
  seatIncrement: number;
  priceCode: string;
  ticketTypeCode: string;
  fullPrice: Cents;
  blockFullPrice: Cents;
  purchasePrice: Cents;
  blockPurchasePrice: Cents;
  seatStatus: string;
  purchaseDate: string;
  atomicSeats: AtomicSeat[];
}

/** No blocks found parses as an empty list. */
export interface SeatsSoldResult {
  count: number;
  blocks: SeatBlock[];
}

export interface NewCustomerFields {
  firstName: string;
  lastName: string;
  email: string;
  street1?: string;
  city?: string;
  state?: string;
  zip?: string;
  country?: string;
  phoneDay?: string;
  nameType?: 'I' | 'C';
}

export interface CustomerAddRequest {
  pin?: string;
  customer: NewCustomerFields;
}

/** emailExists throws ArchticsCommandError whose `extra` is the existing CustomerAddResult. */
export interface CustomerAddResult {
  acctId: number;
  custNameId: number;
}

/** Replace semantics: every updatable field is sent; a field left out is cleared upstream. */
export interface CustomerUpdateRequest {
  pin?: string;
  customer: { acctId: number } & Partial<Omit<CustomerRecord, 'acctId' | 'custNameId' | 'addDate'>>;
}

export type CustomerUpdateResult = { updated: true };

export interface AvailRequest {
  eventName: string;
  section?: string;
  priceCode?: string;
}

export interface SectionAvailabilityRow {
  section: string;
  available: number;
  minPrice: Cents;
  maxPrice: Cents;
  priceCodes: string[];
}

export interface AvailableSeatRow {
  section: string;
  row: string;
  seat: number;
  priceCode: string;
  price: Cents;
}

/** get_avail_seats with summary_flag "Y". unknownEvent throws ArchticsCommandError. */
export interface AvailSummaryResult {
  sections: SectionAvailabilityRow[];
}

/** get_avail_seats with summary_flag "N". */
export interface AvailSeatsResult {
  seats: AvailableSeatRow[];
}

export interface EventPriceInfoRequest {
  eventName: string;
}

export interface TicketTypePrice {
  code: string;
  description: string;
  price: Cents;
}

export interface PriceCodeInfo {
  code: string;
  description: string;
  ticketTypes: TicketTypePrice[];
}

export interface EventPriceInfoResult {
  priceCodes: PriceCodeInfo[];
}

export interface HeldSeatRun {
  eventName: string;
  section: string;
  row: string;
  firstSeat: number;
  numSeats: number;
  lastSeat: number;
  priceCode: string;
  ticketTypeCode: string;
  /** Per seat. */
  price: Cents;
}

export interface SeatsHoldRequest {
  eventName: string;
  ticketTypes: { code: string; numSeats: number }[];
  priceCode?: string;
  section?: string;
  acctId?: number;
  /** Add to an existing cart. */
  orderNum?: number;
}

export interface SeatsHoldSpecificRequest {
  eventName: string;
  section: string;
  row: string;
  firstSeat: number;
  numSeats: number;
  ticketTypeCode: string;
  orderNum?: number;
}

/** notEnoughSeats, seatsNotAvailable and unknownCart throw ArchticsCommandError. */
export interface HoldResult {
  orderNum: number;
  seats: HeldSeatRun[];
  /** "YYYY-MM-DD HH:MM:SS" as the service sends it. */
  holdExpires?: string;
}

export interface CartRequest {
  orderNum: number;
}

export interface CartResult {
  orderNum: number;
  acctId?: number;
  seats: HeldSeatRun[];
  holdExpires?: string;
  subtotal: Cents;
}

export type AbortCartResult = { aborted: true };

export interface CheckOutRequest {
  acctId: number;
  orderNum: number;
}

export interface CartLineItem {
  lineItem: number;
  eventName: string;
  section: string;
  row: string;
  firstSeat: number;
  numSeats: number;
  priceCode: string;
  ticketTypeCode: string;
  price: Cents;
  lineTotal: Cents;
}

export interface CheckOutResult {
  items: CartLineItem[];
  serviceCharges: { id: string; description: string; amount: Cents }[];
  paymentPlans: { id: string; description: string }[];
  subtotal: Cents;
  feesTotal: Cents;
  amountDue: Cents;
}

export interface CardDetails {
  type: 'VI' | 'MC' | 'AX';
  number: string;
  cin: string;
  /** MMYY */
  expiry: string;
  firstName: string;
  lastName: string;
}

export interface PaymentRequest {
  acctId: number;
  orderNum: number;
  items: { lineItem: number; deliveryMethod: string }[];
  amount: Cents;
  card: CardDetails;
  extTransId?: string;
}

/** amountMismatch throws ArchticsCommandError whose `extra` is { calculatedAmount: Cents }. */
export interface PaymentResult {
  orderNum: number;
  confirmationNum: string;
  payments: { captured: boolean; results: string; amount: Cents }[];
}

export interface TicketPrintRequest {
  acctId: number;
  eventName: string;
  seats?: { section: string; row: string; seat: number }[];
  deliveryMethod: 'E' | 'P';
}

export interface PrintedTicket {
  eventName: string;
  section: string;
  row: string;
  seat: number;
  barcode: string;
  ticketStatus: string;
}

export interface TicketPrintResult {
  tickets: PrintedTicket[];
}
