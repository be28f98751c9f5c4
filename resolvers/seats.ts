/**
 * Seats: sold blocks (seats_sold), held runs (carts) and available rows (get_avail_seats) all
 * become the same Seat shape, one seat each, with an id stable from event, section, row and seat
 * ("EVENT01|101|A|7").
 */
import type { AvailableSeatRow, Cents, HeldSeatRun, SeatBlock } from '../src/archtics/types.js';
import type { GatewayContext } from '../src/context.js';
import { eventKey, isShared } from '../src/loaders/index.js';
import { badInput } from './errors.js';
import { naturalCompare, sortBy, type CursorScheme } from './pagination.js';

export type SeatStatus = 'AVAILABLE' | 'HELD' | 'SOLD';

export interface SeatKey {
  eventName: string;
  section: string;
  row: string;
  number: number;
}

export interface SeatShape extends SeatKey {
  status: SeatStatus;
  priceCode?: string;
  ticketTypeCode?: string;
  price?: Cents;
  barcode?: string;
  ticketStatus?: string;
  purchaseDate?: string;
}

const SEP = '|';

export function formatSeatKey(k: SeatKey): string {
  return [eventKey(k.eventName), k.section, k.row, k.number].join(SEP);
}

/** undefined when `text` is not "EVENT|section|row|number". */
export function parseSeatKey(text: string): SeatKey | undefined {
  const parts = text.split(SEP);
  if (parts.length !== 4 || parts.some((p) => p === '')) return undefined;
  const [eventName, section, row, seat] = parts;
  if (!/^\d{1,6}$/.test(seat)) return undefined;
  return { eventName: eventKey(eventName), section, row, number: Number(seat) };
}

export function parseSeatId(id: string): SeatKey {
  const key = parseSeatKey(id);
  if (!key) throw badInput(`Not a seat id: expected "EVENT|section|row|seat".`);
  return key;
}

export function compareSeatKeys(a: SeatKey, b: SeatKey): number {
  return (
    naturalCompare(eventKey(a.eventName), eventKey(b.eventName)) ||
    naturalCompare(a.section, b.section) ||
    naturalCompare(a.row, b.row) ||
    a.number - b.number
  );
}

export const seatCursors: CursorScheme<SeatShape, SeatKey> = {
  kind: 'SeatCursor',
  keyOf: (s) => s,
  format: formatSeatKey,
  parse: parseSeatKey,
  compare: compareSeatKeys,
};

/** Seat numbers of a run: firstSeat, firstSeat + increment, … (numSeats of them). */
function runNumbers(first: number, count: number, increment = 1): number[] {
  const step = increment > 0 ? increment : 1;
  return Array.from({ length: Math.max(0, count) }, (_, i) => first + i * step);
}

/** seats_sold blocks → one SOLD seat per atomic seat (barcodes kept). */
export function seatsFromBlocks(blocks: readonly SeatBlock[]): SeatShape[] {
  return blocks.flatMap((b) => {
    const atomic = new Map(b.atomicSeats.map((a) => [Number(a.seat), a]));
    const numbers =
      b.atomicSeats.length > 0
        ? [...atomic.keys()].filter(Number.isInteger)
        : runNumbers(b.firstSeat, b.numSeats, b.seatIncrement);
    return numbers.map((number): SeatShape => {
      const a = atomic.get(number);
      return {
        eventName: eventKey(b.eventName),
        section: b.section,
        row: b.row,
        number,
        status: 'SOLD',
        priceCode: b.priceCode,
        ticketTypeCode: b.ticketTypeCode,
        price: b.purchasePrice,
        ...(a?.barcode ? { barcode: a.barcode } : {}),
        ...(a?.ticketStatus ? { ticketStatus: a.ticketStatus } : {}),
        purchaseDate: b.purchaseDate,
      };
    });
  });
}

/**
 * Sorted, expanded seats of one seats_sold answer, memoised per answer. The cross-request cache
 * hands every operation the same deep-frozen `blocks` array while the answer is fresh, so keying a
 * WeakMap by it is safe (it cannot change) and cheap (the entry goes when the answer is evicted).
 * Expanding and sorting a whole season of blocks on every request to return one page of 10 was
 * ~13% of a cached dashboard operation's CPU. Unfrozen (uncached) blocks are expanded every time.
 * The seats handed out are frozen too: they are shared by every operation reading that answer.
 */
const sortedSoldSeats = new WeakMap<readonly SeatBlock[], readonly SeatShape[]>();

export function sortedSeatsFromBlocks(blocks: readonly SeatBlock[]): readonly SeatShape[] {
  if (!isShared(blocks)) return sortBy(seatsFromBlocks(blocks), seatCursors);
  let seats = sortedSoldSeats.get(blocks);
  if (!seats) {
    seats = Object.freeze(
      sortBy(seatsFromBlocks(blocks), seatCursors).map((s) => Object.freeze(s)),
    );
    sortedSoldSeats.set(blocks, seats);
  }
  return seats;
}

/** Held runs of a cart → one HELD seat each, at the per-seat price. */
export function seatsFromHeldRuns(runs: readonly HeldSeatRun[]): SeatShape[] {
  return runs.flatMap((r) =>
    runNumbers(r.firstSeat, r.numSeats).map((number): SeatShape => ({
      eventName: eventKey(r.eventName),
      section: r.section,
      row: r.row,
      number,
      status: 'HELD',
      priceCode: r.priceCode,
      ticketTypeCode: r.ticketTypeCode,
      price: r.price,
    })),
  );
}

/** get_avail_seats rows → AVAILABLE seats. */
export function seatsFromAvailRows(
  eventName: string,
  rows: readonly AvailableSeatRow[],
): SeatShape[] {
  return rows.map((r) => ({
    eventName: eventKey(eventName),
    section: r.section,
    row: r.row,
    number: r.seat,
    status: 'AVAILABLE',
    priceCode: r.priceCode,
    price: r.price,
  }));
}

/**
 * A seat by key (node/nodes). Null when the event is unknown. The seat is AVAILABLE (with its
 * price) when get_avail_seats lists it; otherwise it is taken, and without its cart or account the
 * service cannot say whether held or sold: it reads as SOLD.
 */
export async function loadSeat(key: SeatKey, ctx: GatewayContext): Promise<SeatShape | null> {
  const event = await ctx.loaders.event.load(key.eventName);
  if (!event) return null;
  const rows = await ctx.loaders.availability.seats.load({
    eventName: event.name,
    section: key.section,
  });
  const hit = rows.find(
    (r) => r.section === key.section && r.row === key.row && r.seat === key.number,
  );
  if (hit) return seatsFromAvailRows(event.name, [hit])[0];
  return { ...key, eventName: eventKey(event.name), status: 'SOLD' };
}
