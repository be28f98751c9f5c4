/**
 * Deterministic data generation: the same seed gives the same events, accounts and season-ticket
 * blocks, byte for byte. Nothing here reads the real clock or Math.random.
 *
 * Event dates are fixed (season Sep 2026 – Aug 2027); opponents, people and seat blocks follow
 * the seed. Two worlds (WORLDS) share the shape — 40 home games, 4 concerts, 3 archived games,
 * 2,000 accounts, one venue — and not one code: names of events, venue, sections, rows, price
 * codes, ticket types, hold classes, and the account ids all differ.
 */
import {
  ALT_VENUE,
  DEFAULT_VENUE,
  ROWS_PER_SECTION,
  SEAT_COUNT,
  SEATS_PER_ROW,
  SECTION_COUNT,
  seatIndex,
  rowPriceCode,
  type Venue,
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
  /** A past season's event (WorldDef.archived): listed and searchable like any other. */
  archived?: boolean;
}

/** How one seeded world names things: everything a client must read from the service. */
export interface WorldDef {
  name: WorldName;
  venue: Venue;
  club: string;
  venueName: string;
  manifestName: string;
  archivedManifestName: string;
  homeSeason: string;
  concertSeason: string;
  archivedSeason: string;
  presenter: string;
  archticsVenueId: string;
  /** Event name of the i-th home game (0-based), ≤ 8 characters. */
  homeEventName(i: number): string;
  /** Event name of the i-th concert (0-based), ≤ 8 characters. */
  concertName(i: number): string;
  /**
   * Three games of an archived season, autumn 2016: the public page's event_search sample searches
   * 2016-10-01..2016-12-31 and must find events as written. They draw nothing from the seed's PRNG
   * (so the current season's data stays as it was) and take their event ids from their own range.
   */
  archived: readonly { name: string; date: string; opponent: string }[];
  opponents: readonly string[];
  concerts: readonly { date: string; performer: string; minor: string }[];
  /** Event ids follow the calendar: the current season's from here, the archived ones from archivedEventId. */
  firstEventId: number;
  archivedEventId: number;
  firstAcctId: number;
  /** Always a season-ticket holder. */
  sthAcctId: number;
  custNameIdOffset: number;
  firstOrderNum: number;
  emailDomains: readonly string[];
}

export const WORLD_NAMES = ['default', 'alt'] as const;
export type WorldName = (typeof WORLD_NAMES)[number];

export const HOME_EVENT_COUNT = 40;
export const ACCOUNT_COUNT = 2000;
const SEASON_START = '2026-09-05';
const two = (i: number) => String(i + 1).padStart(2, '0');

const DEFAULT_WORLD: WorldDef = {
  name: 'default',
  venue: DEFAULT_VENUE,
  club: 'Harbor City FC',
  venueName: 'Harbor City Arena',
  manifestName: 'ARENA 2026-27',
  archivedManifestName: 'ARENA 2016-17',
  homeSeason: '2026-27 Season',
  concertSeason: '2026-27 Concerts',
  archivedSeason: '2016-17 Season',
  presenter: 'Harbor City Arena Presents',
  archticsVenueId: '1043',
  homeEventName: (i) => `EVENT${two(i)}`,
  concertName: (i) => `CONC${two(i)}`,
  // Their names sort after every current event, so the current events keep their positions.
  archived: [
    { name: 'HIST1601', date: '2016-10-08', opponent: 'Bayside United' },
    { name: 'HIST1602', date: '2016-11-12', opponent: 'Capital City SC' },
    { name: 'HIST1603', date: '2016-12-10', opponent: 'Northern Lights FC' },
  ],
  opponents: [
    'Bayside United',
    'Capital City SC',
    'Northern Lights FC',
    'Redwood Rangers',
    'Granite Bay FC',
    'Lakeshore Athletic',
    'Prairie Wind SC',
    'Desert Sun FC',
    'Iron Valley United',
    'Coastal Breakers',
    'Summit City FC',
    'River Plate Rovers',
    'Pine Hollow SC',
    'Eastport Mariners',
    'Silver Creek FC',
    'Westfield Wanderers',
    'Canyon Rock United',
    'Maple Leaf Athletic',
    'Bluewater FC',
    'Highland Park SC',
  ],
  concerts: [
    { date: '2026-10-17', performer: 'The Midnight Owls', minor: 'ROCK' },
    { date: '2027-01-23', performer: 'Aurora Vale', minor: 'POP' },
    { date: '2027-04-10', performer: 'Brass Harbor Orchestra', minor: 'CLASSICAL' },
    { date: '2027-07-03', performer: 'Copper Canyon Band', minor: 'COUNTRY' },
  ],
  firstEventId: 2601,
  archivedEventId: 1601,
  firstAcctId: 100000,
  sthAcctId: 100479,
  custNameIdOffset: 200000,
  firstOrderNum: 500001,
  emailDomains: ['example.com', 'example.net', 'example.org'],
};

/** SANDBOX_WORLD=alt: the same shape as the default world under other names (see the header). */
const ALT_WORLD: WorldDef = {
  name: 'alt',
  venue: ALT_VENUE,
  club: 'Northgate Rovers',
  venueName: 'Northgate Field',
  manifestName: 'NGF MAIN 26',
  archivedManifestName: 'NGF MAIN 16',
  homeSeason: 'Rovers Season 26/27',
  concertSeason: 'Northgate Live 26/27',
  archivedSeason: 'Rovers Season 16/17',
  presenter: 'Northgate Field Events',
  archticsVenueId: '7731',
  homeEventName: (i) => `R26G${two(i)}`,
  concertName: (i) => `LIVE26${String.fromCharCode(65 + i)}`,
  archived: [
    { name: 'R16G01', date: '2016-10-15', opponent: 'Eastmoor Town' },
    { name: 'R16G02', date: '2016-11-19', opponent: 'Kelso Athletic' },
    { name: 'R16G03', date: '2016-12-17', opponent: 'Ashby Wanderers' },
  ],
  opponents: [
    'Eastmoor Town',
    'Kelso Athletic',
    'Ashby Wanderers',
    'Brookfield City',
    'Corran Valley',
    'Dunmore Albion',
    'Fenwick Park',
    'Glenholm United',
    'Hartside Rangers',
    'Irvale Town',
    'Juniper Vale',
    'Kingsmere FC',
    'Larkhill Rovers',
    'Marlow Borough',
    'Netherby Athletic',
    'Oakridge Town',
    'Penmore United',
    'Quarry Bank',
    'Rosedale City',
    'Stourton Wanderers',
  ],
  concerts: [
    { date: '2026-10-24', performer: 'Glass Lanterns', minor: 'INDIE' },
    { date: '2027-02-06', performer: 'Mira Solenne', minor: 'POP' },
    { date: '2027-05-15', performer: 'Northgate Philharmonic', minor: 'CLASSICAL' },
    { date: '2027-07-24', performer: 'The Low Tides', minor: 'FOLK' },
  ],
  firstEventId: 8101,
  archivedEventId: 7101,
  firstAcctId: 3_000_001,
  sthAcctId: 3_000_777,
  custNameIdOffset: 5_000_000,
  firstOrderNum: 910_001,
  emailDomains: ['example.org', 'example.net'],
};

export const WORLDS: Readonly<Record<WorldName, WorldDef>> = {
  default: DEFAULT_WORLD,
  alt: ALT_WORLD,
};

export function isWorldName(name: unknown): name is WorldName {
  return typeof name === 'string' && (WORLD_NAMES as readonly string[]).includes(name);
}

// The default world's names, for its own tests and tools.
export const CLUB = DEFAULT_WORLD.club;
export const VENUE_NAME = DEFAULT_WORLD.venueName;
export const MANIFEST_NAME = DEFAULT_WORLD.manifestName;
export const HOME_SEASON = DEFAULT_WORLD.homeSeason;
export const CONCERT_SEASON = DEFAULT_WORLD.concertSeason;
export const ARCHIVED_SEASON = DEFAULT_WORLD.archivedSeason;
export const ARCHTICS_VENUE_ID = DEFAULT_WORLD.archticsVenueId;
export const FIRST_ACCT_ID = DEFAULT_WORLD.firstAcctId;
export const STH_ACCT_ID = DEFAULT_WORLD.sthAcctId;
export const CUST_NAME_ID_OFFSET = DEFAULT_WORLD.custNameIdOffset;

function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function generateEvents(rng: Rng, w: WorldDef): EventInfo[] {
  const events: Omit<EventInfo, 'idx' | 'eventId'>[] = [];
  for (let i = 0; i < HOME_EVENT_COUNT; i++) {
    const date = addDays(SEASON_START, Math.round(i * 9.1));
    const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
    const opponent =
      w.opponents[(i + randInt(rng, 0, w.opponents.length - 1)) % w.opponents.length];
    events.push({
      name: w.homeEventName(i),
      nameInet: `${slug(w.club)}-vs-${slug(opponent)}-${date}`,
      description: `${w.club} vs. ${opponent}`,
      date,
      time: dow === 0 || dow === 6 ? '15:00' : '19:30',
      organization: w.club,
      venueName: w.venueName,
      manifestName: w.manifestName,
      seasonName: w.homeSeason,
      category: 'E',
      duration: 120,
      planType: 'S',
      totalEvents: HOME_EVENT_COUNT,
      allowSingles: 'Y',
      onsaleDate: '2026-07-15',
      majorCat: 'SPORTS',
      minorCat: 'SOCCER',
      archticsVenueId: w.archticsVenueId,
      home: true,
      priceScalePct: 100,
    });
  }
  w.concerts.forEach((c, i) => {
    events.push({
      name: w.concertName(i),
      description: `${c.performer} Live`,
      date: c.date,
      time: '20:00',
      performer: c.performer,
      organization: w.presenter,
      venueName: w.venueName,
      manifestName: w.manifestName,
      seasonName: w.concertSeason,
      category: 'O',
      duration: 150,
      planType: 'N',
      totalEvents: 1,
      allowSingles: 'Y',
      onsaleDate: addDays(c.date, -90),
      majorCat: 'MUSIC',
      minorCat: c.minor,
      archticsVenueId: w.archticsVenueId,
      home: false,
      priceScalePct: 150,
    });
  });
  // Added after the current season without drawing from rng: the seeded data stays as it was.
  for (const a of w.archived) {
    const dow = new Date(`${a.date}T00:00:00Z`).getUTCDay();
    events.push({
      name: a.name,
      nameInet: `${slug(w.club)}-vs-${slug(a.opponent)}-${a.date}`,
      description: `${w.club} vs. ${a.opponent}`,
      date: a.date,
      time: dow === 0 || dow === 6 ? '15:00' : '19:30',
      organization: w.club,
      venueName: w.venueName,
      manifestName: w.archivedManifestName,
      seasonName: w.archivedSeason,
      category: 'E',
      duration: 120,
      planType: 'S',
      totalEvents: w.archived.length,
      allowSingles: 'Y',
      onsaleDate: '2016-07-15',
      majorCat: 'SPORTS',
      minorCat: 'SOCCER',
      archticsVenueId: w.archticsVenueId,
      home: false,
      priceScalePct: 100,
      archived: true,
    });
  }
  events.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // event_id follows the calendar, like an Archtics event id sequence: 26xx for the current season,
  // 16xx for the archived one.
  const byDate = (list: typeof events) =>
    [...list].sort((a, b) => a.date.localeCompare(b.date) || a.name.localeCompare(b.name));
  const current = byDate(events.filter((e) => !e.archived));
  const archived = byDate(events.filter((e) => e.archived));
  return events.map((e, idx) => ({
    ...e,
    idx,
    eventId: e.archived
      ? w.archivedEventId + archived.indexOf(e)
      : w.firstEventId + current.indexOf(e),
  }));
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

const FIRST_NAMES = [
  'James',
  'Mary',
  'Robert',
  'Patricia',
  'John',
  'Jennifer',
  'Michael',
  'Linda',
  'David',
  'Elizabeth',
  'William',
  'Barbara',
  'Richard',
  'Susan',
  'Joseph',
  'Jessica',
  'Thomas',
  'Sarah',
  'Carlos',
  'Karen',
  'Daniel',
  'Lisa',
  'Matthew',
  'Nancy',
  'Anthony',
  'Betty',
  'Mark',
  'Sandra',
  'Steven',
  'Ashley',
  'Andrew',
  'Emily',
  'Joshua',
  'Michelle',
  'Kenneth',
  'Amanda',
  'Kevin',
  'Melissa',
  'Brian',
  'Olivia',
  'Wei',
  'Priya',
  'Mohammed',
  'Sofia',
  'Hiroshi',
  'Fatima',
  'Mateo',
  'Aisha',
  'Lucas',
  'Chloe',
];
const LAST_NAMES = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Hernandez',
  'Lopez',
  'Gonzalez',
  'Wilson',
  'Anderson',
  'Thomas',
  'Taylor',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Perez',
  'Thompson',
  'White',
  'Harris',
  'Sanchez',
  'Clark',
  'Ramirez',
  'Lewis',
  'Robinson',
  'Walker',
  'Young',
  'Allen',
  'King',
  'Wright',
  'Scott',
  'Torres',
  'Nguyen',
  'Hill',
  'Flores',
  'Green',
  'Adams',
  'Nelson',
  'Baker',
  'Hall',
  'Rivera',
  'Campbell',
  'Mitchell',
  'Carter',
  'Roberts',
  'Patel',
  'Kim',
  'Chen',
  'Singh',
  'OBrien',
  'Murphy',
  'Cohen',
  'Rossi',
  'Novak',
  'Schmidt',
];
const STREETS = [
  'Main',
  'Oak',
  'Harbor',
  'Maple',
  'Cedar',
  'Pine',
  'Elm',
  'Lake',
  'Hill',
  'Bay',
  'Park',
  'Washington',
  'River',
  'Sunset',
  'Ridge',
];
const STREET_SUFFIXES = ['St', 'Ave', 'Blvd', 'Rd', 'Ln', 'Dr', 'Ct', 'Way'];
const CITIES: readonly [string, string, number][] = [
  ['Harbor City', 'CA', 90710],
  ['Long Beach', 'CA', 90802],
  ['Torrance', 'CA', 90501],
  ['San Pedro', 'CA', 90731],
  ['Carson', 'CA', 90745],
  ['Lakewood', 'CA', 90712],
  ['Anaheim', 'CA', 92801],
  ['Irvine', 'CA', 92602],
  ['Pasadena', 'CA', 91101],
  ['Phoenix', 'AZ', 85001],
  ['Las Vegas', 'NV', 89101],
  ['Portland', 'OR', 97201],
];
const COMPANY_WORDS = [
  'Harbor',
  'Pacific',
  'Summit',
  'Beacon',
  'Anchor',
  'Tidewater',
  'Keystone',
  'Northstar',
];
const COMPANY_KINDS = [
  'Logistics',
  'Holdings',
  'Partners',
  'Dental Group',
  'Realty',
  'Construction',
  'Law Group',
];

function generateAccounts(rng: Rng, holders: Set<number>, w: WorldDef): Account[] {
  const out: Account[] = [];
  const addStart = Date.parse('2010-01-01T00:00:00Z');
  const addEnd = Date.parse('2026-06-30T00:00:00Z');
  for (let i = 0; i < ACCOUNT_COUNT; i++) {
    const acctId = w.firstAcctId + i;
    const first = pick(rng, FIRST_NAMES);
    const last = pick(rng, LAST_NAMES);
    const company = rng() < 0.05;
    const [city, state, zip] = pick(rng, CITIES);
    const area = { CA: '562', AZ: '602', NV: '702', OR: '503' }[state] ?? '310';
    const phone = () => `${area}-555-${String(randInt(rng, 0, 9999)).padStart(4, '0')}`;
    const a: Account = {
      acctId,
      custNameId: acctId + w.custNameIdOffset,
      nameType: company ? 'C' : 'I',
      nameFirst: first,
      nameMi: String.fromCharCode(65 + randInt(rng, 0, 25)),
      nameLast: last,
      street1: `${randInt(rng, 10, 9899)} ${pick(rng, STREETS)} ${pick(rng, STREET_SUFFIXES)}`,
      city,
      state,
      zip: String(zip + randInt(rng, 0, 9)).padStart(5, '0'),
      country: 'USA',
      email: `${first}.${last}${i}@${pick(rng, w.emailDomains)}`.toLowerCase(),
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

function generateSeasonBlocks(
  rng: Rng,
  holders: number[],
  venue: Venue,
): { blocks: SaleBlock[]; base: Uint8Array } {
  const base = new Uint8Array(SEAT_COUNT); // 1 = owned by a season-ticket holder
  const blocks: SaleBlock[] = [];
  const adult = venue.fullPrice;
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
        for (let n = 0; n < size && free; n++)
          if (base[seatIndex(section, row, first + n)]) free = false;
        if (!free) continue;
        for (let n = 0; n < size; n++) base[seatIndex(section, row, first + n)] = 1;
        const pc = rowPriceCode(section, row);
        const full = venue.priceCents(pc, adult, 100);
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
  /** The world's names (WORLDS). */
  world: WorldDef;
  venue: Venue;
  events: EventInfo[];
  eventByName: Map<string, EventInfo>;
  accounts: Account[];
  seasonBlocks: SaleBlock[];
  /** 1 where a season-ticket holder owns the seat at every home event. */
  seasonBase: Uint8Array;
}

export function generate(seed: number, world: WorldName = 'default'): SeedData {
  const w = WORLDS[world];
  // The alt world draws its own people and seats from the same seed; the default world's draws stay as they were.
  const rng = (stream: number) =>
    mulberry32(world === 'default' ? hash32(seed, stream) : hash32(seed, stream, 0xa17));
  const events = generateEvents(rng(1), w);
  // ~15% of the accounts hold season tickets; the world's sthAcctId always does.
  const holderRng = rng(2);
  const holderSet = new Set<number>([w.sthAcctId]);
  for (let i = 0; i < ACCOUNT_COUNT; i++) if (holderRng() < 0.15) holderSet.add(w.firstAcctId + i);
  const holders = [...holderSet].sort((a, b) => a - b);
  const accounts = generateAccounts(rng(3), holderSet, w);
  const { blocks, base } = generateSeasonBlocks(rng(4), holders, w.venue);
  return {
    seed,
    world: w,
    venue: w.venue,
    events,
    eventByName: new Map(events.map((e) => [e.name.toUpperCase(), e])),
    accounts,
    seasonBlocks: blocks,
    seasonBase: base,
  };
}
