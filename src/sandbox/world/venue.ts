/**
 * The sandbox venue's manifest: 30 sections × 20 rows × 20 seats = 12,000 seats, six price codes
 * by section tier (and, in the centre sections, by row), three ticket types. Fixed — it does not
 * depend on the seed, so documentation can name real seats.
 *
 * A seat is addressed by a dense index: section * 400 + row * 20 + (seat_num - 1). Per-event seat
 * state lives in typed arrays of that length (see state.ts).
 */

export const SECTION_NAMES: readonly string[] = [
  ...range(101, 110),
  ...range(201, 210),
  ...range(301, 310),
].map(String);

/** Row names skip I and O, as real manifests do. Front row first. */
export const ROW_NAMES: readonly string[] = 'ABCDEFGHJKLMNPQRSTUV'.split('');

export const SEATS_PER_ROW = 20;
export const ROWS_PER_SECTION = ROW_NAMES.length;
export const SEATS_PER_SECTION = ROWS_PER_SECTION * SEATS_PER_ROW;
export const SECTION_COUNT = SECTION_NAMES.length;
export const SEAT_COUNT = SECTION_COUNT * SEATS_PER_SECTION;

export interface PriceCodeDef {
  code: string;
  desc: string;
  /** ADULT price at a home event, integer cents. */
  adultCents: number;
}

/** Best tier first: best-available holds walk this order. */
export const PRICE_CODES: readonly PriceCodeDef[] = [
  { code: 'A', desc: 'Lower Center Premium', adultCents: 14500 },
  { code: 'B', desc: 'Lower Level', adultCents: 9550 },
  { code: 'C', desc: 'Club Level', adultCents: 12000 },
  { code: 'D', desc: 'Upper Center', adultCents: 6500 },
  { code: 'E', desc: 'Upper Level', adultCents: 4550 },
  { code: 'F', desc: 'Upper Value', adultCents: 2975 },
];

export interface TicketTypeDef {
  code: string;
  desc: string;
  /** Percentage of the ADULT price. */
  pct: number;
}

export const TICKET_TYPES: readonly TicketTypeDef[] = [
  { code: 'ADULT', desc: 'Adult', pct: 100 },
  { code: 'CHILD', desc: 'Child (2-12)', pct: 60 },
  { code: 'SENIOR', desc: 'Senior (65+)', pct: 80 },
];

/** Hold classes of event_search: the club sections are held back as CLUB, the rest is OPEN. */
export const HOLD_CLASSES: readonly string[] = ['OPEN', 'CLUB'];

export function sectionIndex(name: string): number {
  return SECTION_NAMES.indexOf(name.trim().toUpperCase());
}

export function rowIndex(name: string): number {
  return ROW_NAMES.indexOf(name.trim().toUpperCase());
}

export function seatIndex(section: number, row: number, seatNum: number): number {
  return section * SEATS_PER_SECTION + row * SEATS_PER_ROW + (seatNum - 1);
}

export function seatParts(index: number): { section: number; row: number; seatNum: number } {
  const section = Math.floor(index / SEATS_PER_SECTION);
  const rest = index % SEATS_PER_SECTION;
  return { section, row: Math.floor(rest / SEATS_PER_ROW), seatNum: (rest % SEATS_PER_ROW) + 1 };
}

/** Index into PRICE_CODES of a row: by section tier, and front/back half in the centre sections. */
function priceCodeIndexOf(section: number, row: number): number {
  const name = Number(SECTION_NAMES[section]);
  const front = row < 10;
  if (name >= 101 && name <= 105) return front ? 0 : 1; // A / B
  if (name >= 106 && name <= 110) return 1; // B
  if (name >= 201 && name <= 210) return 2; // C
  if (name >= 301 && name <= 305) return front ? 3 : 4; // D / E
  return front ? 4 : 5; // 306–310: E / F
}

/** PRICE_CODES index of every (section, row), as section * ROWS_PER_SECTION + row. */
export const ROW_PRICE_CODE: Uint8Array = (() => {
  const a = new Uint8Array(SECTION_COUNT * ROWS_PER_SECTION);
  for (let s = 0; s < SECTION_COUNT; s++)
    for (let r = 0; r < ROWS_PER_SECTION; r++) a[s * ROWS_PER_SECTION + r] = priceCodeIndexOf(s, r);
  return a;
})();

export function rowPriceCode(section: number, row: number): number {
  return ROW_PRICE_CODE[section * ROWS_PER_SECTION + row];
}

export function holdClassOf(section: number): string {
  return SECTION_NAMES[section].startsWith('2') ? 'CLUB' : 'OPEN';
}

/** Price in cents of a price code and ticket type at an event priced at `scalePct` of home prices. */
export function priceCents(priceCodeIdx: number, ticketType: TicketTypeDef, scalePct: number): number {
  const raw = (PRICE_CODES[priceCodeIdx].adultCents * scalePct * ticketType.pct) / 10000;
  return Math.round(raw / 25) * 25; // quarter-dollar steps, as box offices price
}

export function priceCodeByCode(code: string): number {
  const c = code.trim().toUpperCase();
  return PRICE_CODES.findIndex((p) => p.code === c);
}

export function ticketTypeByCode(code: string): TicketTypeDef | undefined {
  const c = code.trim().toUpperCase();
  return TICKET_TYPES.find((t) => t.code === c);
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}
