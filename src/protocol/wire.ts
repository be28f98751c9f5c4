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

/**
 * A command's wire name. Which commands exist, their products, kinds and result codes are defined
 * once on each side of the wire: by the client's command definitions (src/archtics/commands/) and
 * by the sandbox's own reading of the reference (src/sandbox/reference.ts) — never shared, so that
 * tests against the sandbox prove the client.
 */
export type CommandName = string;

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

/** Column lists of get_avail_seats answers [defined here]. */
export const AVAIL_COLUMNS = {
  summary: 'section_name,num_avail,min_price,max_price,price_codes',
  seats: 'section_name,row_name,seat_num,price_code,price',
} as const;
