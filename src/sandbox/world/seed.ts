/**
 * Deterministic data generation: the same seed gives the same events, accounts and season-ticket
 * blocks, byte for byte. Nothing here reads the real clock or Math.random.
 *
 * Event dates are fixed (season Sep 2026 – Aug 2027); opponents, people and seat blocks follow
 * the seed.
 */
import {
  ROWS_PER_SECTION,
  SEAT_COUNT,
  SEATS_PER_ROW,
  SECTION_COUNT,
  seatIndex,
  rowPriceCode,
  TICKET_TYPES,
  priceCents,
} from './venue.js';

// ── PRNG ─────────────────────────────────────────────────────────────────────────────────────

export type Rng = () => number;

/** mulberry32: a small, fast, well-mixed 32-bit PRNG. Returns floats in [0, 1). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit integer hash of a few integers (for ids that must be stable, e.g. barcodes). */
export function hash32(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193);
    h ^= h >>> 13;
    h = Math.imul(h, 0x5bd1e995);
    h ^= h >>> 15;
  }
  return h >>> 0;
}

export function randInt(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}

// ── Dates (UTC, no real clock) ───────────────────────────────────────────────────────────────

const DAY = 86_400_000;

export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function addDays(iso: string, days: number): string {
  return isoDay(Date.parse(`${iso}T00:00:00Z`) + days * DAY);
}

// ── Events ───────────────────────────────────────────────────────────────────────────────────

export interface EventInfo {
  /** Position in SeedData.events (sorted by name). */
  idx: number;
  name: string;
  eventId: number;
  nameInet?: string;
  description: string;
  date: string;
  time: string;
  performer?: string;
  organization: string;
  venueName: string;
  manifestName: string;
  seasonName: string;
  category: 'E' | 'P' | 'O';
  duration: number;
  planType: 'S' | 'N';
  totalEvents: number;
  allowSingles: 'Y' | 'N';
  onsaleDate?: string;
  majorCat?: string;
  minorCat?: string;
  archticsVenueId: string;
  /** Home games carry the season-ticket holders' seats. */
  home: boolean;
  /** Prices as a percentage of the home price table. */
  priceScalePct: number;
  /** A past season's event (see ARCHIVED_EVENTS): listed and searchable like any other. */
  archived?: boolean;
}

export const CLUB = 'Harbor City FC';
export const VENUE_NAME = 'Harbor City Arena';
export const MANIFEST_NAME = 'ARENA 2026-27';
export const HOME_SEASON = '2026-27 Season';
export const CONCERT_SEASON = '2026-27 Concerts';
export const ARCHTICS_VENUE_ID = '1043';
export const HOME_EVENT_COUNT = 40;
const SEASON_START = '2026-09-05';

const OPPONENTS = [
  'Bayside United', 'Capital City SC', 'Northern Lights FC', 'Redwood Rangers', 'Granite Bay FC',
  'Lakeshore Athletic', 'Prairie Wind SC', 'Desert Sun FC', 'Iron Valley United', 'Coastal Breakers',
  'Summit City FC', 'River Plate Rovers', 'Pine Hollow SC', 'Eastport Mariners', 'Silver Creek FC',
  'Westfield Wanderers', 'Canyon Rock United', 'Maple Leaf Athletic', 'Bluewater FC', 'Highland Park SC',
];

/**
 * Three games of an archived season, autumn 2016: the public page's event_search sample searches
 * 2016-10-01..2016-12-31 and must find events as written. Their names sort after every current
 * event (so the current events keep their positions), their event ids come from their own 16xx
 * range (so the current season's ids do not move), and nobody holds season seats for them.
 */
export const ARCHIVED_SEASON = '2016-17 Season';
const ARCHIVED_EVENTS = [
  { name: 'HIST1601', date: '2016-10-08', opponent: 'Bayside United' },
  { name: 'HIST1602', date: '2016-11-12', opponent: 'Capital City SC' },
  { name: 'HIST1603', date: '2016-12-10', opponent: 'Northern Lights FC' },
];

const CONCERTS = [
  { date: '2026-10-17', performer: 'The Midnight Owls', minor: 'ROCK' },
  { date: '2027-01-23', performer: 'Aurora Vale', minor: 'POP' },
  { date: '2027-04-10', performer: 'Brass Harbor Orchestra', minor: 'CLASSICAL' },
  { date: '2027-07-03', performer: 'Copper Canyon Band', minor: 'COUNTRY' },
];

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

function generateEvents(rng: Rng): EventInfo[] {
  const events: Omit<EventInfo, 'idx' | 'eventId'>[] = [];
  for (let i = 0; i < HOME_EVENT_COUNT; i++) {
    const date = addDays(SEASON_START, Math.round(i * 9.1));
    const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
    const opponent = OPPONENTS[(i + randInt(rng, 0, OPPONENTS.length - 1)) % OPPONENTS.length];
    events.push({
      name: `EVENT${String(i + 1).padStart(2, '0')}`,
      nameInet: `${slug(CLUB)}-vs-${slug(opponent)}-${date}`,
      description: `${CLUB} vs. ${opponent}`,
      date,
      time: dow === 0 || dow === 6 ? '15:00' : '19:30',
      organization: CLUB,
      venueName: VENUE_NAME,
      manifestName: MANIFEST_NAME,
      seasonName: HOME_SEASON,
      category: 'E',
      duration: 120,
      planType: 'S',
      totalEvents: HOME_EVENT_COUNT,
      allowSingles: 'Y',
      onsaleDate: '2026-07-15',
      majorCat: 'SPORTS',
      minorCat: 'SOCCER',
      archticsVenueId: ARCHTICS_VENUE_ID,
      home: true,
      priceScalePct: 100,
    });
  }
  CONCERTS.forEach((c, i) => {
    events.push({
      name: `CONC${String(i + 1).padStart(2, '0')}`,
      description: `${c.performer} Live`,
      date: c.date,
      time: '20:00',
      performer: c.performer,
      organization: 'Harbor City Arena Presents',
      venueName: VENUE_NAME,
      manifestName: MANIFEST_NAME,
      seasonName: CONCERT_SEASON,
      category: 'O',
      duration: 150,
      planType: 'N',
      totalEvents: 1,
      allowSingles: 'Y',
      onsaleDate: addDays(c.date, -90),
      majorCat: 'MUSIC',
      minorCat: c.minor,
      archticsVenueId: ARCHTICS_VENUE_ID,
      home: false,
      priceScalePct: 150,
    });
  });
  // Added after the current season without drawing from rng: the seeded data stays as it was.
  for (const a of ARCHIVED_EVENTS) {
    const dow = new Date(`${a.date}T00:00:00Z`).getUTCDay();
    events.push({
      name: a.name,
      nameInet: `${slug(CLUB)}-vs-${slug(a.opponent)}-${a.date}`,
      description: `${CLUB} vs. ${a.opponent}`,
      date: a.date,
      time: dow === 0 || dow === 6 ? '15:00' : '19:30',
      organization: CLUB,
      venueName: VENUE_NAME,
      manifestName: 'ARENA 2016-17',
      seasonName: ARCHIVED_SEASON,
      category: 'E',
      duration: 120,
      planType: 'S',
      totalEvents: ARCHIVED_EVENTS.length,
      allowSingles: 'Y',
      onsaleDate: '2016-07-15',
      majorCat: 'SPORTS',
      minorCat: 'SOCCER',
      archticsVenueId: ARCHTICS_VENUE_ID,
      home: false,
      priceScalePct: 100,
      archived: true,
    });
  }
  events.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // event_id follows the calendar, like an Archtics event id sequence: 26xx for the current season,
  // 16xx for the archived one.
  const byDate = (list: typeof events) => [...list].sort((a, b) => a.date.localeCompare(b.date) || a.name.localeCompare(b.name));
  const current = byDate(events.filter((e) => !e.archived));
  const archived = byDate(events.filter((e) => e.archived));
  return events.map((e, idx) => ({ ...e, idx, eventId: e.archived ? 1601 + archived.indexOf(e) : 2601 + current.indexOf(e) }));
}

// ── Accounts ─────────────────────────────────────────────────────────────────────────────────

export interface Account {
  acctId: number;
  custNameId: number;
  nameType: 'I' | 'C';
  nameFirst: string;
  nameMi: string;
  nameLast: string;
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
  addDate: string;
  acctType: string;
  emailOptout: 0 | 1;
  /** '' when the account has none (then only system calls can read it). */
  pin: string;
}

export const FIRST_ACCT_ID = 100000;
export const ACCOUNT_COUNT = 2000;
export const STH_ACCT_ID = 100479;
export const CUST_NAME_ID_OFFSET = 200000;

const FIRST_NAMES = [
  'James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth',
  'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Carlos', 'Karen',
  'Daniel', 'Lisa', 'Matthew', 'Nancy', 'Anthony', 'Betty', 'Mark', 'Sandra', 'Steven', 'Ashley',
  'Andrew', 'Emily', 'Joshua', 'Michelle', 'Kenneth', 'Amanda', 'Kevin', 'Melissa', 'Brian', 'Olivia',
  'Wei', 'Priya', 'Mohammed', 'Sofia', 'Hiroshi', 'Fatima', 'Mateo', 'Aisha', 'Lucas', 'Chloe',
];
const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
  'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson',
  'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores',
  'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts',
  'Patel', 'Kim', 'Chen', 'Singh', 'OBrien', 'Murphy', 'Cohen', 'Rossi', 'Novak', 'Schmidt',
];
const STREETS = ['Main', 'Oak', 'Harbor', 'Maple', 'Cedar', 'Pine', 'Elm', 'Lake', 'Hill', 'Bay', 'Park', 'Washington', 'River', 'Sunset', 'Ridge'];
const STREET_SUFFIXES = ['St', 'Ave', 'Blvd', 'Rd', 'Ln', 'Dr', 'Ct', 'Way'];
const CITIES: readonly [string, string, number][] = [
  ['Harbor City', 'CA', 90710], ['Long Beach', 'CA', 90802], ['Torrance', 'CA', 90501],
  ['San Pedro', 'CA', 90731], ['Carson', 'CA', 90745], ['Lakewood', 'CA', 90712],
  ['Anaheim', 'CA', 92801], ['Irvine', 'CA', 92602], ['Pasadena', 'CA', 91101],
  ['Phoenix', 'AZ', 85001], ['Las Vegas', 'NV', 89101], ['Portland', 'OR', 97201],
];
const COMPANY_WORDS = ['Harbor', 'Pacific', 'Summit', 'Beacon', 'Anchor', 'Tidewater', 'Keystone', 'Northstar'];
const COMPANY_KINDS = ['Logistics', 'Holdings', 'Partners', 'Dental Group', 'Realty', 'Construction', 'Law Group'];
const EMAIL_DOMAINS = ['example.com', 'example.net', 'example.org'];

function generateAccounts(rng: Rng, holders: Set<number>): Account[] {
  const out: Account[] = [];
  const addStart = Date.parse('2010-01-01T00:00:00Z');
  const addEnd = Date.parse('2026-06-30T00:00:00Z');
  for (let i = 0; i < ACCOUNT_COUNT; i++) {
    const acctId = FIRST_ACCT_ID + i;
    const first = pick(rng, FIRST_NAMES);
    const last = pick(rng, LAST_NAMES);
    const company = rng() < 0.05;
    const [city, state, zip] = pick(rng, CITIES);
    const area = { CA: '562', AZ: '602', NV: '702', OR: '503' }[state] ?? '310';
    const phone = () => `${area}-555-${String(randInt(rng, 0, 9999)).padStart(4, '0')}`;
    const a: Account = {
      acctId,
      custNameId: acctId + CUST_NAME_ID_OFFSET,
      nameType: company ? 'C' : 'I',
      nameFirst: first,
      nameMi: String.fromCharCode(65 + randInt(rng, 0, 25)),
      nameLast: last,
      street1: `${randInt(rng, 10, 9899)} ${pick(rng, STREETS)} ${pick(rng, STREET_SUFFIXES)}`,
      city,
      state,
      zip: String(zip + randInt(rng, 0, 9)).padStart(5, '0'),
      country: 'USA',
      email: `${first}.${last}${i}@${pick(rng, EMAIL_DOMAINS)}`.toLowerCase(),
      addDate: isoDay(addStart + Math.floor(rng() * ((addEnd - addStart) / DAY)) * DAY),
      acctType: holders.has(acctId) ? 'STH' : company ? 'CORP' : 'IND',
      emailOptout: rng() < 0.1 ? 1 : 0,
      pin: String(randInt(rng, 0, 9999)).padStart(4, '0'),
    };
    if (company) a.companyName = `${pick(rng, COMPANY_WORDS)} ${pick(rng, COMPANY_KINDS)}`;
    if (rng() < 0.15) a.street2 = `Apt ${randInt(rng, 1, 40)}${pick(rng, ['A', 'B', 'C', 'D'])}`;
    if (rng() < 0.7) a.phoneDay = phone();
    if (rng() < 0.6) a.phoneCell = phone();
    out.push(a);
  }
  return out;
}

// ── Season-ticket blocks ─────────────────────────────────────────────────────────────────────

/** A run of adjacent seats owned by an account: for every home event (season) or one event. */
export interface SaleBlock {
  acctId: number;
  /** SeedData.events index, or -1 for every home event (a season-ticket block). */
  eventIdx: number;
  section: number;
  row: number;
  firstSeat: number;
  numSeats: number;
  priceCode: number;
  ticketType: string;
  /** Per seat, cents. */
  fullCents: number;
  /** Per seat, cents. */
  purchaseCents: number;
  purchaseDate: string;
}

export const SEASON_BLOCK = -1;

function generateSeasonBlocks(rng: Rng, holders: number[]): { blocks: SaleBlock[]; base: Uint8Array } {
  const base = new Uint8Array(SEAT_COUNT); // 1 = owned by a season-ticket holder
  const blocks: SaleBlock[] = [];
  const adult = TICKET_TYPES[0];
  const saleStart = Date.parse('2026-03-01T00:00:00Z');
  for (const acctId of holders) {
    const numBlocks = rng() < 0.2 ? 2 : 1;
    for (let b = 0; b < numBlocks; b++) {
      const size = randInt(rng, 2, 6);
      for (let attempt = 0; attempt < 60; attempt++) {
        // Holders favour the lower bowl and the club: sections 101–210 twice as often.
        const section = rng() < 0.67 ? randInt(rng, 0, 19) : randInt(rng, 20, SECTION_COUNT - 1);
        const row = randInt(rng, 0, ROWS_PER_SECTION - 1);
        const first = randInt(rng, 1, SEATS_PER_ROW - size + 1);
        let free = true;
        for (let n = 0; n < size && free; n++) if (base[seatIndex(section, row, first + n)]) free = false;
        if (!free) continue;
        for (let n = 0; n < size; n++) base[seatIndex(section, row, first + n)] = 1;
        const pc = rowPriceCode(section, row);
        const full = priceCents(pc, adult, 100);
        blocks.push({
          acctId,
          eventIdx: SEASON_BLOCK,
          section,
          row,
          firstSeat: first,
          numSeats: size,
          priceCode: pc,
          ticketType: adult.code,
          fullCents: full,
          purchaseCents: Math.round((full * 0.85) / 25) * 25, // season-ticket discount
          purchaseDate: isoDay(saleStart + randInt(rng, 0, 150) * DAY),
        });
        break;
      }
    }
  }
  return { blocks, base };
}

// ── Everything ───────────────────────────────────────────────────────────────────────────────

export interface SeedData {
  seed: number;
  events: EventInfo[];
  eventByName: Map<string, EventInfo>;
  accounts: Account[];
  seasonBlocks: SaleBlock[];
  /** 1 where a season-ticket holder owns the seat at every home event. */
  seasonBase: Uint8Array;
}

export function generate(seed: number): SeedData {
  const events = generateEvents(mulberry32(hash32(seed, 1)));
  // ~15% of the accounts hold season tickets; 100479 always does.
  const holderRng = mulberry32(hash32(seed, 2));
  const holderSet = new Set<number>([STH_ACCT_ID]);
  for (let i = 0; i < ACCOUNT_COUNT; i++) if (holderRng() < 0.15) holderSet.add(FIRST_ACCT_ID + i);
  const holders = [...holderSet].sort((a, b) => a - b);
  const accounts = generateAccounts(mulberry32(hash32(seed, 3)), holderSet);
  const { blocks, base } = generateSeasonBlocks(mulberry32(hash32(seed, 4)), holders);
  return {
    seed,
    events,
    eventByName: new Map(events.map((e) => [e.name, e])),
    accounts,
    seasonBlocks: blocks,
    seasonBase: base,
  };
}
