/**
 * Inventory and holds: get_avail_seats, event_price_info, seats_hold (best available: adjacent
 * seats in one row, best price tier first, nearest the row's centre) and seats_hold_specific (all
 * or nothing). A hold puts the seats in a cart for 15 minutes on the world clock.
 */
import { AVAIL_COLUMNS, type Command1Request } from '../../protocol/wire.js';
import { RESULT_CODES } from '../reference.js';
import { dateTimeOf, fail, int, isRecord, money, money2, ok, str, upper } from './format.js';
import type { EventInfo } from './seed.js';
import {
  findCart,
  findEvent,
  HOLD_MS,
  inventory,
  SEAT_FREE,
  SEAT_HELD,
  seatStatus,
  setSeat,
  type Cart,
  type HeldRun,
  type WorldState,
} from './state.js';
import type { Outcome } from './types.js';
import {
  ROWS_PER_SECTION,
  rowPriceCode,
  SEATS_PER_ROW,
  SECTION_COUNT,
  seatIndex,
  type TicketTypeDef,
} from './venue.js';

function unknownEvent(name: unknown): Outcome {
  return fail(RESULT_CODES.unknownEvent, `Event not found: ${str(name) ?? '(missing)'}`, {
    noRow: true,
  });
}

/** The full price of a price code at an event, in cents (the "seat price" of availability). */
function seatPrice(state: WorldState, ev: EventInfo, pc: number): number {
  return state.data.venue.priceCents(pc, state.data.venue.fullPrice, ev.priceScalePct);
}

// ── get_avail_seats ──────────────────────────────────────────────────────────────────────────

export function getAvailSeats(state: WorldState, c: Command1Request): Outcome {
  const venue = state.data.venue;
  const ev = findEvent(state, c.event_name);
  if (!ev) return unknownEvent(c.event_name);
  const summary = upper(c.summary_flag) !== 'N';
  const sectionFilter = str(c.section_name);
  const pcFilter = str(c.price_code);
  const sIdx = sectionFilter === undefined ? -1 : venue.sectionIndex(sectionFilter);
  const pcIdx = pcFilter === undefined ? -1 : venue.priceCodeByCode(pcFilter);
  const inv = state.inventories.get(ev.idx);
  const data: string[] = [];
  const noMatch =
    (sectionFilter !== undefined && sIdx < 0) || (pcFilter !== undefined && pcIdx < 0);
  if (!noMatch) {
    for (let s = 0; s < SECTION_COUNT; s++) {
      if (sIdx >= 0 && s !== sIdx) continue;
      let avail = 0;
      let min = Infinity;
      let max = -Infinity;
      const codes = new Set<number>();
      for (let r = 0; r < ROWS_PER_SECTION; r++) {
        const pc = rowPriceCode(s, r);
        if (pcIdx >= 0 && pc !== pcIdx) continue;
        const price = seatPrice(state, ev, pc);
        codes.add(pc);
        min = Math.min(min, price);
        max = Math.max(max, price);
        for (let n = 1; n <= SEATS_PER_ROW; n++) {
          const i = seatIndex(s, r, n);
          const free = inv ? inv.status[i] === SEAT_FREE : seatStatus(state, ev, i) === SEAT_FREE;
          if (!free) continue;
          avail++;
          if (!summary)
            data.push(
              `${venue.sections[s]},${venue.rows[r]},${n},${venue.priceCodes[pc].code},${money2(price)}`,
            );
        }
      }
      if (summary && codes.size) {
        const list = [...codes]
          .sort((a, b) => a - b)
          .map((pc) => venue.priceCodes[pc].code)
          .join('|');
        data.push(`${venue.sections[s]},${avail},${money2(min)},${money2(max)},${list}`);
      }
    }
  }
  return ok({
    manifest: summary
      ? { section_summary: { columns: AVAIL_COLUMNS.summary, data } }
      : { seats: { columns: AVAIL_COLUMNS.seats, data } },
  });
}

// ── event_price_info ─────────────────────────────────────────────────────────────────────────

export function eventPriceInfo(state: WorldState, c: Command1Request): Outcome {
  const venue = state.data.venue;
  const ev = findEvent(state, c.event_name);
  if (!ev) return unknownEvent(c.event_name);
  return ok({
    price_codes: venue.priceCodes.map((p, pc) => ({
      price_code: p.code,
      price_code_desc: p.desc,
      ticket_types: venue.ticketTypes.map((t) => ({
        ticket_type_code: t.code,
        ticket_type_desc: t.desc,
        price: money(venue.priceCents(pc, t, ev.priceScalePct)),
      })),
    })),
  });
}

// ── Holds ────────────────────────────────────────────────────────────────────────────────────

export function runOut(state: WorldState, run: HeldRun): Record<string, unknown> {
  const venue = state.data.venue;
  return {
    event_name: state.data.events[run.eventIdx].name,
    section_name: venue.sections[run.section],
    row_name: venue.rows[run.row],
    seat_num: run.firstSeat,
    num_seats: run.numSeats,
    last_seat: run.firstSeat + run.numSeats - 1,
    price_code: venue.priceCodes[run.priceCode].code,
    ticket_type_code: run.ticketType,
    price: money(run.priceCents),
  };
}

/** The cart named by order_num_in (6004 when unknown or expired), or undefined for a new one. */
function cartIn(state: WorldState, c: Command1Request): Cart | undefined | Outcome {
  const raw = c.order_num_in;
  if (raw === undefined || raw === null || raw === '' || raw === 0 || raw === '0') return undefined;
  const cart = findCart(state, raw);
  return (
    cart ??
    fail(RESULT_CODES.unknownCart, `Shopping cart not found or expired: ${String(raw)}`, {
      noRow: true,
    })
  );
}

function isOutcome(v: unknown): v is Outcome {
  return isRecord(v) && typeof v.result === 'number';
}

/** Holds `count` seats from `start` in one row, split into runs by ticket type, into a cart. */
function holdRow(
  state: WorldState,
  ev: EventInfo,
  section: number,
  row: number,
  firstSeat: number,
  parts: { tt: TicketTypeDef; num: number }[],
  existing: Cart | undefined,
  acctId: number | undefined,
): Outcome {
  const venue = state.data.venue;
  const inv = inventory(state, ev);
  const cart: Cart = existing ?? { orderNum: state.nextOrderNum++, runs: [], expiresAt: 0 };
  if (!existing) state.carts.set(cart.orderNum, cart);
  const pc = rowPriceCode(section, row);
  const added: HeldRun[] = [];
  let seat = firstSeat;
  for (const { tt, num } of parts) {
    for (let n = 0; n < num; n++)
      setSeat(inv, seatIndex(section, row, seat + n), SEAT_HELD, cart.orderNum);
    added.push({
      eventIdx: ev.idx,
      section,
      row,
      firstSeat: seat,
      numSeats: num,
      priceCode: pc,
      ticketType: tt.code,
      priceCents: venue.priceCents(pc, tt, ev.priceScalePct),
    });
    seat += num;
  }
  cart.runs.push(...added);
  cart.expiresAt = state.clock.now() + HOLD_MS;
  cart.checkedOut = undefined; // the cart changed: check out again before paying
  if (acctId !== undefined) cart.acctId = acctId;
  return ok({
    order_num_out: cart.orderNum,
    seats: added.map((r) => runOut(state, r)),
    hold_expires: dateTimeOf(cart.expiresAt),
  });
}

function optionalAccount(state: WorldState, c: Command1Request): number | undefined | Outcome {
  if (c.acct_id === undefined || c.acct_id === null || c.acct_id === '') return undefined;
  const id = int(c.acct_id);
  if (id === undefined || !state.accounts.has(id))
    return fail(RESULT_CODES.customerUpdateNotFound, `Account not found: ${String(c.acct_id)}`, {
      noRow: true,
    });
  return id;
}

export function seatsHold(state: WorldState, c: Command1Request): Outcome {
  const venue = state.data.venue;
  const notEnough = (why: string) =>
    fail(RESULT_CODES.notEnoughSeats, why, { fields: { order_num_out: 0 } });
  const ev = findEvent(state, c.event_name);
  if (!ev) return unknownEvent(c.event_name);
  const cart = cartIn(state, c);
  if (isOutcome(cart)) return cart;
  const acctId = optionalAccount(state, c);
  if (isOutcome(acctId)) return acctId;

  const rawTypes = Array.isArray(c.ticket_type)
    ? c.ticket_type
    : isRecord(c.ticket_type)
      ? [c.ticket_type]
      : [];
  const parts: { tt: TicketTypeDef; num: number }[] = [];
  for (const t of rawTypes) {
    if (!isRecord(t)) return notEnough('Invalid ticket_type entry');
    const tt = venue.ticketTypeByCode(str(t.ticket_type_code) ?? venue.fullPrice.code);
    if (!tt) return notEnough(`Ticket type not available: ${String(t.ticket_type_code)}`);
    const num = int(t.num_seats);
    if (num === undefined || num < 1) return notEnough(`Invalid num_seats for ${tt.code}`);
    if (num > 0) parts.push({ tt, num });
  }
  if (parts.length === 0) return notEnough('No seats requested: ticket_type is required');
  const total = parts.reduce((s, p) => s + p.num, 0);

  const pcFilter = str(c.price_code);
  const pcIdx = pcFilter === undefined ? -1 : venue.priceCodeByCode(pcFilter);
  if (pcFilter !== undefined && pcIdx < 0) return notEnough(`Price code not found: ${pcFilter}`);
  const sectionFilter = str(c.section_name);
  const sIdx = sectionFilter === undefined ? -1 : venue.sectionIndex(sectionFilter);
  if (sectionFilter !== undefined && sIdx < 0)
    return notEnough(`Section not found: ${sectionFilter}`);
  if (total > SEATS_PER_ROW)
    return notEnough(`Not enough adjacent seats: at most ${SEATS_PER_ROW} in one row`);

  const inv = state.inventories.get(ev.idx);
  const free = (i: number) =>
    inv ? inv.status[i] === SEAT_FREE : seatStatus(state, ev, i) === SEAT_FREE;
  const centre = (SEATS_PER_ROW - total) / 2 + 1;
  for (let pc = 0; pc < venue.priceCodes.length; pc++) {
    if (pcIdx >= 0 && pc !== pcIdx) continue;
    for (let s = 0; s < SECTION_COUNT; s++) {
      if (sIdx >= 0 && s !== sIdx) continue;
      for (let r = 0; r < ROWS_PER_SECTION; r++) {
        if (rowPriceCode(s, r) !== pc) continue;
        let best = -1;
        let run = 0;
        for (let n = 1; n <= SEATS_PER_ROW; n++) {
          run = free(seatIndex(s, r, n)) ? run + 1 : 0;
          if (run >= total) {
            const start = n - total + 1;
            if (best < 0 || Math.abs(start - centre) < Math.abs(best - centre)) best = start;
          }
        }
        if (best > 0) return holdRow(state, ev, s, r, best, parts, cart, acctId);
      }
    }
  }
  return notEnough(`Not enough seats available: ${total} adjacent seats requested`);
}

export function seatsHoldSpecific(state: WorldState, c: Command1Request): Outcome {
  const venue = state.data.venue;
  const notAvailable = (why = 'Seat(s) not available') =>
    fail(RESULT_CODES.seatsNotAvailable, why, { fields: { order_num_out: 0 } });
  const ev = findEvent(state, c.event_name);
  if (!ev) return unknownEvent(c.event_name);
  const cart = cartIn(state, c);
  if (isOutcome(cart)) return cart;
  const acctId = optionalAccount(state, c);
  if (isOutcome(acctId)) return acctId;

  const tt = venue.ticketTypeByCode(str(c.ticket_type_code) ?? venue.fullPrice.code);
  if (!tt) return notAvailable(`Seat(s) not available: ticket type ${String(c.ticket_type_code)}`);
  const s = venue.sectionIndex(str(c.section_name) ?? '');
  const r = venue.rowIndex(str(c.row_name) ?? '');
  const first = int(c.seat_num);
  const num = c.num_seats === undefined ? 1 : int(c.num_seats);
  if (s < 0 || r < 0 || first === undefined || num === undefined || num < 1) return notAvailable();
  if (first < 1 || first + num - 1 > SEATS_PER_ROW) return notAvailable();
  for (let n = 0; n < num; n++)
    if (seatStatus(state, ev, seatIndex(s, r, first + n)) !== SEAT_FREE) return notAvailable();
  return holdRow(state, ev, s, r, first, [{ tt, num }], cart, acctId);
}
