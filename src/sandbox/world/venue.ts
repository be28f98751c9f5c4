/**
 * The sandbox venues' manifests: 30 sections × 20 rows × 20 seats = 12,000 seats, six price codes
 * by section tier (and, in the centre sections, by row), three ticket types. The geometry is the
 * same in every world; the names (sections, rows, price codes, ticket types, hold classes) are each
 * world's own, as every Archtics client's are. Fixed — they do not depend on the seed, so
 * documentation can name real seats.
 *
 * A seat is addressed by a dense index: section * 400 + row * 20 + (seat_num - 1). Per-event seat
 * state lives in typed arrays of that length (see state.ts).
 */

export const SEATS_PER_ROW = 20;
export const ROWS_PER_SECTION = 20;
export const SECTION_COUNT = 30;
export const SEATS_PER_SECTION = ROWS_PER_SECTION * SEATS_PER_ROW;
export const SEAT_COUNT = SECTION_COUNT * SEATS_PER_SECTION;

export interface PriceCodeDef {
  code: string;
  desc: string;
  /** Full price (the first ticket type's) at a home event, integer cents. */
  adultCents: number;
}

export interface TicketTypeDef {
  code: string;
  desc: string;
  /** Percentage of the full price. */
  pct: number;
}

export interface VenueDef {
  /** SECTION_COUNT names: tiers by position — 0–9 lower bowl, 10–19 club, 20–29 upper bowl. */
  sections: readonly string[];
  /** ROWS_PER_SECTION names, front row first. */
  rows: readonly string[];
  /** Six codes, best tier first: best-available holds walk this order. */
  priceCodes: readonly PriceCodeDef[];
  /** The first is the full price (100%): season tickets and availability prices use it. */
  ticketTypes: readonly TicketTypeDef[];
  /** Hold classes of event_search: [the open sections', the club sections' (held back)]. */
  holdClasses: readonly [string, string];
}

/** A venue's names with their lookups (case-insensitive, as the service compares codes). */
export class Venue {
  readonly sections: readonly string[];
  readonly rows: readonly string[];
  readonly priceCodes: readonly PriceCodeDef[];
  readonly ticketTypes: readonly TicketTypeDef[];
  readonly holdClasses: readonly string[];
  /** The full-price ticket type (season tickets, availability prices, a hold naming none). */
  readonly fullPrice: TicketTypeDef;
  private readonly sectionIdx: Map<string, number>;
  private readonly rowIdx: Map<string, number>;
  private readonly priceCodeIdx: Map<string, number>;

  constructor(def: VenueDef) {
    if (
      def.sections.length !== SECTION_COUNT ||
      def.rows.length !== ROWS_PER_SECTION ||
      def.priceCodes.length !== 6 ||
      def.ticketTypes[0]?.pct !== 100
    )
      throw new Error(
        'Venue: 30 sections, 20 rows, 6 price codes and a full-price first ticket type expected',
      );
    this.sections = def.sections;
    this.rows = def.rows;
    this.priceCodes = def.priceCodes;
    this.ticketTypes = def.ticketTypes;
    this.holdClasses = def.holdClasses;
    this.fullPrice = def.ticketTypes[0]!;
    const index = (names: readonly string[]) => new Map(names.map((n, i) => [n.toUpperCase(), i]));
    this.sectionIdx = index(def.sections);
    this.rowIdx = index(def.rows);
    this.priceCodeIdx = index(def.priceCodes.map((p) => p.code));
  }

  sectionIndex(name: string): number {
    return this.sectionIdx.get(name.trim().toUpperCase()) ?? -1;
  }

  rowIndex(name: string): number {
    return this.rowIdx.get(name.trim().toUpperCase()) ?? -1;
  }

  priceCodeByCode(code: string): number {
    return this.priceCodeIdx.get(code.trim().toUpperCase()) ?? -1;
  }

  ticketTypeByCode(code: string): TicketTypeDef | undefined {
    const c = code.trim().toUpperCase();
    return this.ticketTypes.find((t) => t.code.toUpperCase() === c);
  }

  /** The club sections (10–19) are held back as the second hold class, the rest is the first. */
  holdClassOf(section: number): string {
    return this.holdClasses[section >= 10 && section < 20 ? 1 : 0]!;
  }

  /** Price in cents of a price code and ticket type at an event priced at `scalePct` of home prices. */
  priceCents(priceCodeIdx: number, ticketType: TicketTypeDef, scalePct: number): number {
    const raw = (this.priceCodes[priceCodeIdx]!.adultCents * scalePct * ticketType.pct) / 10000;
    return Math.round(raw / 25) * 25; // quarter-dollar steps, as box offices price
  }
}

/** The default world's venue: Harbor City Arena. */
export const DEFAULT_VENUE = new Venue({
  sections: [...range(101, 110), ...range(201, 210), ...range(301, 310)].map(String),
  // Row names skip I and O, as real manifests do.
  rows: 'ABCDEFGHJKLMNPQRSTUV'.split(''),
  priceCodes: [
    { code: 'A', desc: 'Lower Center Premium', adultCents: 14500 },
    { code: 'B', desc: 'Lower Level', adultCents: 9550 },
    { code: 'C', desc: 'Club Level', adultCents: 12000 },
    { code: 'D', desc: 'Upper Center', adultCents: 6500 },
    { code: 'E', desc: 'Upper Level', adultCents: 4550 },
    { code: 'F', desc: 'Upper Value', adultCents: 2975 },
  ],
  ticketTypes: [
    { code: 'ADULT', desc: 'Adult', pct: 100 },
    { code: 'CHILD', desc: 'Child (2-12)', pct: 60 },
    { code: 'SENIOR', desc: 'Senior (65+)', pct: 80 },
  ],
  holdClasses: ['OPEN', 'CLUB'],
});

/**
 * The alt world's venue: Northgate Field. Not one name in common with the default venue —
 * sections are letters and digits, rows are numbers, price codes are words, ticket types are
 * underscore codes — so that a client that assumed any default name would fail against it.
 */
export const ALT_VENUE = new Venue({
  sections: [
    ...range(1, 10).map((n) => `N${n}`),
    ...range(1, 10).map((n) => `CL${n}`),
    ...range(1, 10).map((n) => `U${n}`),
  ],
  rows: range(1, ROWS_PER_SECTION).map(String),
  priceCodes: [
    { code: 'PLAT', desc: 'Pitchside Platinum', adultCents: 16000 },
    { code: 'GOLD', desc: 'Lower Tier', adultCents: 10400 },
    { code: 'CLUBX', desc: 'Club Seats', adultCents: 13300 },
    { code: 'SILV', desc: 'Upper Centre', adultCents: 7100 },
    { code: 'BRNZ', desc: 'Upper Tier', adultCents: 4800 },
    { code: 'VALU', desc: 'Upper Value', adultCents: 3150 },
  ],
  ticketTypes: [
    { code: '_A', desc: 'Full price', pct: 100 },
    { code: '_C', desc: 'Junior (under 16)', pct: 50 },
    { code: '_M', desc: 'Member', pct: 85 },
  ],
  holdClasses: ['GENERAL', 'PREMIUM'],
});

// The default venue's names, for the default world's own tests and tools.
export const SECTION_NAMES = DEFAULT_VENUE.sections;
export const ROW_NAMES = DEFAULT_VENUE.rows;
export const PRICE_CODES = DEFAULT_VENUE.priceCodes;
export const TICKET_TYPES = DEFAULT_VENUE.ticketTypes;
export const HOLD_CLASSES = DEFAULT_VENUE.holdClasses;

export function seatIndex(section: number, row: number, seatNum: number): number {
  return section * SEATS_PER_SECTION + row * SEATS_PER_ROW + (seatNum - 1);
}

export function seatParts(index: number): { section: number; row: number; seatNum: number } {
  const section = Math.floor(index / SEATS_PER_SECTION);
  const rest = index % SEATS_PER_SECTION;
  return { section, row: Math.floor(rest / SEATS_PER_ROW), seatNum: (rest % SEATS_PER_ROW) + 1 };
}

/** Index into the price codes of a row: by section tier, and front/back half in the centre sections. */
function priceCodeIndexOf(section: number, row: number): number {
  const front = row < ROWS_PER_SECTION / 2;
  if (section < 5) return front ? 0 : 1; // lower centre
  if (section < 10) return 1; // lower
  if (section < 20) return 2; // club
  if (section < 25) return front ? 3 : 4; // upper centre
  return front ? 4 : 5; // upper ends
}

/** Price code index of every (section, row), as section * ROWS_PER_SECTION + row. */
export const ROW_PRICE_CODE: Uint8Array = (() => {
  const a = new Uint8Array(SECTION_COUNT * ROWS_PER_SECTION);
  for (let s = 0; s < SECTION_COUNT; s++)
    for (let r = 0; r < ROWS_PER_SECTION; r++) a[s * ROWS_PER_SECTION + r] = priceCodeIndexOf(s, r);
  return a;
})();

export function rowPriceCode(section: number, row: number): number {
  return ROW_PRICE_CODE[section * ROWS_PER_SECTION + row];
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}
