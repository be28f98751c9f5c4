/**
 * The embedded Archtics sandbox's world: seeded, deterministic data (events, a 12,000-seat venue,
 * ~2,000 accounts with season-ticket holders) and the handler of every command of the protocol
 * reference §4. The HTTP server (src/sandbox/server.ts) handles transport, auth, products,
 * polling, quota and faults, and calls execute() for the command itself.
 *
 * Imports nothing from the project but src/protocol/: the sandbox is an independent peer of the
 * command client, so tests against it prove the client.
 */
import type { Command1Request } from '../../protocol/wire.js';
import type { CommandName } from '../reference.js';
import { abortShoppingCart, checkOut, shoppingCart } from './carts.js';
import { customerAdd, customerQuery, customerUpdate } from './customers.js';
import { eventDetails, eventSearch } from './events.js';
import { ok, str } from './format.js';
import { eventPriceInfo, getAvailSeats, seatsHold, seatsHoldSpecific } from './inventory.js';
import { DECLINED_CARD_SUFFIX, paymentRequest } from './purchases.js';
import { generate, SEASON_BLOCK, type SeedData, type WorldName } from './seed.js';
import { buildState, expireCarts, HOLD_MS, type Purchase, type WorldState } from './state.js';
import { ticketPrint, seatsSold } from './tickets.js';
import type { Outcome, World, WorldClock } from './types.js';
import { rowPriceCode, SEATS_PER_ROW, seatIndex } from './venue.js';

export type { Outcome, World, WorldClock } from './types.js';
export { WORLD_NAMES, isWorldName, type WorldName } from './seed.js';

/** The world plus read-only views for tests (not part of the wire). */
export interface SandboxWorld extends World {
  /** 'PB' for a valid printed barcode, 'VOID' once reprinted, undefined if never issued. */
  barcodeStatus(barcode: string): 'PB' | 'VOID' | undefined;
  /** Payments taken, oldest first. */
  purchases(): readonly Purchase[];
}

type Handler = (state: WorldState, c: Command1Request) => Outcome;

const HANDLERS: Record<CommandName, Handler> = {
  ping: (state, c) =>
    ok({
      system_available: 1,
      digit_available: 1,
      cpu_load: 3 + (state.commandsRun % 7),
      db_connections: 12,
      active_requests: 1,
      db_name: (str(c.dsn) ?? 'sandbox').toLowerCase(),
    }),
  // The server delays the answer by 10 s (reference §3); the command itself only succeeds.
  ats_ext_test_polling: () => ok(),
  event_search: eventSearch,
  event_details: eventDetails,
  customer_query: customerQuery,
  seats_sold: seatsSold,
  customer_add: customerAdd,
  customer_update: customerUpdate,
  get_avail_seats: getAvailSeats,
  event_price_info: eventPriceInfo,
  seats_hold: seatsHold,
  seats_hold_specific: seatsHoldSpecific,
  shopping_cart: shoppingCart,
  abort_shopping_cart: abortShoppingCart,
  check_out: checkOut,
  payment_request: paymentRequest,
  ticket_print: ticketPrint,
};

/** Seed data is immutable (state.ts copies what commands change): worlds of one seed share it. */
const seedCache = new Map<string, SeedData>();

function seedData(seed: number, world: WorldName): SeedData {
  const key = `${world}:${seed}`;
  let data = seedCache.get(key);
  if (!data) {
    data = generate(seed, world);
    if (seedCache.size >= 4) seedCache.delete(seedCache.keys().next().value!);
    seedCache.set(key, data);
  }
  return data;
}

/** A seeded world: `world` picks the names (default, or alt — see seed.ts WORLDS). */
export function createWorld(opts: {
  seed: number;
  clock: WorldClock;
  world?: WorldName;
}): SandboxWorld {
  const world = opts.world ?? 'default';
  const data = seedData(opts.seed, world);
  let state = buildState(data, opts.clock);
  const samples = buildSamples(data);
  return {
    execute(cmd, command1) {
      const handler = HANDLERS[String(cmd).toLowerCase() as CommandName];
      if (!handler) throw new Error(`Unknown command: ${String(cmd)}`);
      state.commandsRun++;
      expireCarts(state);
      return handler(state, command1 ?? ({} as Command1Request));
    },
    reset() {
      state = buildState(data, opts.clock);
    },
    name: world,
    samples,
    barcodeStatus: (barcode) => state.barcodeStatus.get(barcode),
    purchases: () => state.purchases,
  };
}

/** Ids that exist in every world of this seed, for docs, tests and the playground. */
function buildSamples(data: SeedData): Record<string, unknown> {
  const { venue, world } = data;
  const holder = data.accounts.find((a) => a.acctId === world.sthAcctId)!;
  const holderBlocks = new Set(data.seasonBlocks.map((b) => b.acctId));
  const plain = data.accounts.find((a) => !holderBlocks.has(a.acctId) && a.nameType === 'I')!;
  const block = data.seasonBlocks.find(
    (b) => b.acctId === world.sthAcctId && b.eventIdx === SEASON_BLOCK,
  )!;
  const home = data.events.filter((e) => e.home);
  // Ten adjacent seats no season-ticket holder owns (free at every event of a fresh world).
  let freeSeats: Record<string, unknown> | undefined;
  outer: for (let s = 0; s < venue.sections.length; s++)
    for (let r = 0; r < venue.rows.length; r++) {
      let run = 0;
      for (let n = 1; n <= SEATS_PER_ROW; n++) {
        run = data.seasonBase[seatIndex(s, r, n)] ? 0 : run + 1;
        if (run === 10) {
          freeSeats = {
            event_name: home[0].name,
            section_name: venue.sections[s],
            row_name: venue.rows[r],
            seat_num: n - 9,
            num_seats: 10,
            price_code: venue.priceCodes[rowPriceCode(s, r)]!.code,
          };
          break outer;
        }
      }
    }
  return {
    world: world.name,
    seed: data.seed,
    seasonTicketHolder: world.sthAcctId,
    seasonTicketHolderPin: holder.pin,
    seasonTicketHolderEmail: holder.email,
    holderSeats: {
      event_name: home[0].name,
      section_name: venue.sections[block.section],
      row_name: venue.rows[block.row],
      seat_num: block.firstSeat,
      num_seats: block.numSeats,
    },
    customer: plain.acctId,
    customerPin: plain.pin,
    customerEmail: plain.email,
    accountRange: [data.accounts[0].acctId, data.accounts[data.accounts.length - 1].acctId],
    events: data.events.map((e) => e.name),
    homeEvents: home.map((e) => e.name),
    concerts: data.events.filter((e) => !e.home && !e.archived).map((e) => e.name),
    archivedEvents: data.events.filter((e) => e.archived).map((e) => e.name),
    eventDates: Object.fromEntries(data.events.map((e) => [e.name, e.date])),
    venueName: home[0].venueName,
    seasonName: home[0].seasonName,
    archticsVenueId: world.archticsVenueId,
    sections: [...venue.sections],
    rows: [...venue.rows],
    seatsPerRow: SEATS_PER_ROW,
    priceCodes: venue.priceCodes.map((p) => p.code),
    ticketTypes: venue.ticketTypes.map((t) => t.code),
    holdClasses: [...venue.holdClasses],
    freeSeats,
    holdMinutes: HOLD_MS / 60_000,
    approvedCard: '4111111111111111',
    // Passes the Luhn check (gateways validate cards before sending), and ends in 0002.
    declinedCard: `400000000000${DECLINED_CARD_SUFFIX}`,
  };
}
