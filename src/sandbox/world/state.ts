/**
 * The world's mutable state, built from the seed data: accounts, owned seats, per-event seat
 * status (typed arrays, materialised only when an event's seats first change), carts and holds,
 * purchases and barcodes. Handlers mutate it only after validating their whole input, so a
 * command either applies completely or not at all.
 */
import {
  hash32,
  SEASON_BLOCK,
  type Account,
  type EventInfo,
  type SaleBlock,
  type SeedData,
} from './seed.js';
import type { WorldClock } from './types.js';
import { SEAT_COUNT, SECTION_COUNT, SEATS_PER_SECTION, seatIndex } from './venue.js';

export const SEAT_FREE = 0;
export const SEAT_HELD = 1;
export const SEAT_SOLD = 2;

/** Holds last 15 minutes on the world clock (reference §4). */
export const HOLD_MS = 15 * 60_000;

export interface EventInventory {
  /** SEAT_FREE | SEAT_HELD | SEAT_SOLD per seat index. */
  status: Uint8Array;
  /** Order number holding the seat (0 when not held). */
  holder: Int32Array;
  /** Free seats per section. */
  freeBySection: Int32Array;
}

/** Seats held together: adjacent in one row, one price code and ticket type. */
export interface HeldRun {
  eventIdx: number;
  section: number;
  row: number;
  firstSeat: number;
  numSeats: number;
  priceCode: number;
  ticketType: string;
  /** Per seat, cents. */
  priceCents: number;
}

export interface Cart {
  orderNum: number;
  acctId?: number;
  runs: HeldRun[];
  /** Epoch ms; each hold onto the cart restarts the 15 minutes. */
  expiresAt: number;
  /** Set by check_out, cleared when seats are added afterwards. */
  checkedOut?: { acctId: number; amountDueCents: number };
}

export interface Purchase {
  confirmationNum: string;
  orderNum: number;
  acctId: number;
  amountCents: number;
  extTransId?: string;
  at: number;
}

export interface WorldState {
  data: SeedData;
  clock: WorldClock;
  accounts: Map<number, Account>;
  /** Lower-case e-mail → acct_id. */
  emailIndex: Map<string, number>;
  nextAcctId: number;
  /** Owned seats per account: season blocks and purchases. */
  sales: Map<number, SaleBlock[]>;
  inventories: Map<number, EventInventory>;
  /** Free seats per section at a home event before any change (season holders taken out). */
  homeFreeBySection: Int32Array;
  carts: Map<number, Cart>;
  nextOrderNum: number;
  /** `${eventIdx}:${seatIdx}` → current barcode. */
  barcodes: Map<string, string>;
  /** Every barcode ever issued → 'PB' (printed, valid) or 'VOID'. */
  barcodeStatus: Map<string, 'PB' | 'VOID'>;
  barcodeSeq: number;
  purchases: Purchase[];
  commandsRun: number;
}

export function buildState(data: SeedData, clock: WorldClock): WorldState {
  const accounts = new Map<number, Account>();
  const emailIndex = new Map<string, number>();
  let maxId = 0;
  for (const a of data.accounts) {
    accounts.set(a.acctId, { ...a });
    emailIndex.set(a.email.toLowerCase(), a.acctId);
    maxId = Math.max(maxId, a.acctId);
  }
  const sales = new Map<number, SaleBlock[]>();
  for (const b of data.seasonBlocks) {
    let list = sales.get(b.acctId);
    if (!list) sales.set(b.acctId, (list = []));
    list.push(b);
  }
  const homeFree = new Int32Array(SECTION_COUNT).fill(SEATS_PER_SECTION);
  for (let i = 0; i < SEAT_COUNT; i++)
    if (data.seasonBase[i]) homeFree[Math.floor(i / SEATS_PER_SECTION)]--;
  return {
    data,
    clock,
    accounts,
    emailIndex,
    nextAcctId: maxId + 1,
    sales,
    inventories: new Map(),
    homeFreeBySection: homeFree,
    carts: new Map(),
    nextOrderNum: data.world.firstOrderNum,
    barcodes: new Map(),
    barcodeStatus: new Map(),
    barcodeSeq: 0,
    purchases: [],
    commandsRun: 0,
  };
}

// ── Events and seats ─────────────────────────────────────────────────────────────────────────

/** Event lookup, case-insensitive. */
export function findEvent(state: WorldState, name: unknown): EventInfo | undefined {
  if (typeof name !== 'string') return undefined;
  return state.data.eventByName.get(name.trim().toUpperCase());
}

/** The event's seat arrays, materialised on first use. */
export function inventory(state: WorldState, ev: EventInfo): EventInventory {
  let inv = state.inventories.get(ev.idx);
  if (!inv) {
    const status = new Uint8Array(SEAT_COUNT);
    if (ev.home)
      for (let i = 0; i < SEAT_COUNT; i++) if (state.data.seasonBase[i]) status[i] = SEAT_SOLD;
    inv = {
      status,
      holder: new Int32Array(SEAT_COUNT),
      freeBySection: ev.home
        ? state.homeFreeBySection.slice()
        : new Int32Array(SECTION_COUNT).fill(SEATS_PER_SECTION),
    };
    state.inventories.set(ev.idx, inv);
  }
  return inv;
}

/** Free seats per section without materialising an untouched event. */
export function freeBySection(state: WorldState, ev: EventInfo): Int32Array {
  const inv = state.inventories.get(ev.idx);
  if (inv) return inv.freeBySection;
  return ev.home ? state.homeFreeBySection : new Int32Array(SECTION_COUNT).fill(SEATS_PER_SECTION);
}

/** Status of one seat without materialising an untouched event. */
export function seatStatus(state: WorldState, ev: EventInfo, seatIdx: number): number {
  const inv = state.inventories.get(ev.idx);
  if (inv) return inv.status[seatIdx];
  return ev.home && state.data.seasonBase[seatIdx] ? SEAT_SOLD : SEAT_FREE;
}

export function setSeat(inv: EventInventory, seatIdx: number, to: number, orderNum = 0): void {
  const from = inv.status[seatIdx];
  if (from === to) return;
  const section = Math.floor(seatIdx / SEATS_PER_SECTION);
  if (from === SEAT_FREE) inv.freeBySection[section]--;
  if (to === SEAT_FREE) inv.freeBySection[section]++;
  inv.status[seatIdx] = to;
  inv.holder[seatIdx] = to === SEAT_HELD ? orderNum : 0;
}

// ── Carts ────────────────────────────────────────────────────────────────────────────────────

/** Frees the seats of carts whose hold has run out (run before every command). */
export function expireCarts(state: WorldState): void {
  if (state.carts.size === 0) return;
  const now = state.clock.now();
  for (const cart of [...state.carts.values()]) if (now >= cart.expiresAt) releaseCart(state, cart);
}

export function releaseCart(state: WorldState, cart: Cart): void {
  for (const run of cart.runs) {
    const inv = inventory(state, state.data.events[run.eventIdx]);
    const start = seatIndex(run.section, run.row, run.firstSeat);
    for (let n = 0; n < run.numSeats; n++) {
      if (inv.status[start + n] === SEAT_HELD && inv.holder[start + n] === cart.orderNum)
        setSeat(inv, start + n, SEAT_FREE);
    }
  }
  state.carts.delete(cart.orderNum);
}

/** A live cart by order number (expired carts are already gone). */
export function findCart(state: WorldState, orderNum: unknown): Cart | undefined {
  const n = typeof orderNum === 'number' || typeof orderNum === 'string' ? Number(orderNum) : NaN;
  return Number.isInteger(n) ? state.carts.get(n) : undefined;
}

// ── Owned seats ──────────────────────────────────────────────────────────────────────────────

/** The account's blocks for one event: season blocks at home events, and purchases. */
export function blocksFor(state: WorldState, acctId: number, ev: EventInfo): SaleBlock[] {
  const list = state.sales.get(acctId) ?? [];
  return list.filter((b) => b.eventIdx === ev.idx || (b.eventIdx === SEASON_BLOCK && ev.home));
}

export function nextBarcode(state: WorldState): string {
  const seq = ++state.barcodeSeq;
  const head = hash32(state.data.seed, seq, 0xba5c0de) % 1_000_000;
  return `${String(head).padStart(6, '0')}${String(seq).padStart(10, '0')}`;
}
