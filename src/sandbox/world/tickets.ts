/**
 * Owned seats: seats_sold (an account's blocks, season tickets expanded per home event, with the
 * barcodes printed so far) and ticket_print (new barcodes; a reprint voids the old ones).
 */
import { type Command1Request } from '../../protocol/wire.js';
import { RESULT_CODES } from '../reference.js';
import { fail, int, isRecord, money, ok, str, upper } from './format.js';
import { SEASON_BLOCK, type EventInfo, type SaleBlock } from './seed.js';
import { blocksFor, findEvent, nextBarcode, type WorldState } from './state.js';
import type { Outcome } from './types.js';
import { seatIndex, seatParts } from './venue.js';

/** seat_status_ind of a sold seat. */
export const SOLD_STATUS = 'S';
/** ticket_status of a printed ticket. */
export const PRINTED = 'PB';

function noBlocks(): Outcome {
  return fail(RESULT_CODES.noBlocksFound, 'No blocks found', { noRow: true, desc: true });
}

/** Event names from [{"event_filter":"EVT02"}], ["EVT02"] or "EVT01,EVT02". */
function eventFilter(v: unknown): Set<string> | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const items = typeof v === 'string' ? v.split(',') : Array.isArray(v) ? v : [v];
  const names = new Set<string>();
  for (const it of items) {
    const n = upper(isRecord(it) ? it.event_filter : it);
    if (n) names.add(n);
  }
  return names.size ? names : undefined;
}

export function seatsSold(state: WorldState, c: Command1Request): Outcome {
  const acctId = int(c.acct_id);
  if (acctId === undefined)
    return fail(RESULT_CODES.seatsSoldMissingInput, 'Missing input: acct_id is required', {
      desc: true,
    });
  const filter = eventFilter(c.event_filter);
  const limit = int(c.count);
  const rows: { ev: EventInfo; b: SaleBlock }[] = [];
  for (const b of state.sales.get(acctId) ?? []) {
    const evs =
      b.eventIdx === SEASON_BLOCK
        ? state.data.events.filter((e) => e.home)
        : [state.data.events[b.eventIdx]];
    for (const ev of evs) if (!filter || filter.has(ev.name)) rows.push({ ev, b });
  }
  rows.sort(
    (x, y) =>
      x.ev.date.localeCompare(y.ev.date) ||
      x.ev.name.localeCompare(y.ev.name) ||
      x.b.section - y.b.section ||
      x.b.row - y.b.row ||
      x.b.firstSeat - y.b.firstSeat,
  );
  const shown = limit !== undefined && limit > 0 ? rows.slice(0, limit) : rows;
  if (shown.length === 0) return noBlocks();
  return ok({ Count: shown.length, seats_array: shown.map(({ ev, b }) => blockOut(state, ev, b)) });
}

function blockOut(state: WorldState, ev: EventInfo, b: SaleBlock): Record<string, unknown> {
  const atomic = [];
  for (let n = 0; n < b.numSeats; n++) {
    const seat = b.firstSeat + n;
    const a: Record<string, unknown> = { atomic_seat: String(seat) };
    const code = state.barcodes.get(`${ev.idx}:${seatIndex(b.section, b.row, seat)}`);
    if (code) {
      a.barcode = code;
      a.ticket_status = PRINTED;
    }
    atomic.push(a);
  }
  return {
    event_name: ev.name,
    event_id: ev.eventId,
    section_name: state.data.venue.sections[b.section],
    row_name: state.data.venue.rows[b.row],
    seat_num: b.firstSeat,
    num_seat: b.numSeats,
    last_seat: b.firstSeat + b.numSeats - 1,
    seat_increment: 1,
    price_code: state.data.venue.priceCodes[b.priceCode]!.code,
    ticket_type_code: b.ticketType,
    full_price: money(b.fullCents),
    block_full_price: money(b.fullCents * b.numSeats),
    purchase_price: money(b.purchaseCents),
    block_purchase_price: money(b.purchaseCents * b.numSeats),
    seat_status_ind: SOLD_STATUS,
    purchase_date: b.purchaseDate,
    atomic_seats: atomic,
  };
}

export function ticketPrint(state: WorldState, c: Command1Request): Outcome {
  const none = () =>
    fail(RESULT_CODES.noBlocksFound, 'No seats found for this account and event', { noRow: true });
  const acctId = int(c.acct_id);
  const ev = findEvent(state, c.event_name);
  if (acctId === undefined || !ev) return none();
  const owned: number[] = [];
  for (const b of blocksFor(state, acctId, ev))
    for (let n = 0; n < b.numSeats; n++) owned.push(seatIndex(b.section, b.row, b.firstSeat + n));
  let chosen = owned;
  if (Array.isArray(c.seats) && c.seats.length > 0) {
    const wanted = new Set<number>();
    for (const s of c.seats) {
      if (!isRecord(s)) continue;
      const sec = state.data.venue.sectionIndex(str(s.section_name) ?? '');
      const row = state.data.venue.rowIndex(str(s.row_name) ?? '');
      const num = int(s.seat_num);
      if (sec >= 0 && row >= 0 && num !== undefined && num >= 1)
        wanted.add(seatIndex(sec, row, num));
    }
    chosen = owned.filter((i) => wanted.has(i));
  }
  if (chosen.length === 0) return none();
  chosen = [...new Set(chosen)].sort((a, b) => a - b);
  const tickets = chosen.map((i) => {
    const key = `${ev.idx}:${i}`;
    const old = state.barcodes.get(key);
    if (old) state.barcodeStatus.set(old, 'VOID');
    const barcode = nextBarcode(state);
    state.barcodes.set(key, barcode);
    state.barcodeStatus.set(barcode, PRINTED);
    const p = seatParts(i);
    return {
      event_name: ev.name,
      section_name: state.data.venue.sections[p.section],
      row_name: state.data.venue.rows[p.row],
      seat_num: p.seatNum,
      barcode,
      ticket_status: PRINTED,
    };
  });
  return ok({ tickets });
}
