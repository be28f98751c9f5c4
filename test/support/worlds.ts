/**
 * The test matrix of issue #11: suites that must hold against ANY faithful service run in both
 * seeded worlds (default, alt — no code in common) × both async modes (auto: 202 only for slow
 * commands; always: every command answers 202 first and its result comes on poll 2). Use with
 * `describe.each(MATRIX)('$label', (cell) => …)` and start the sandbox with `cell.sandbox`.
 *
 * Tests inside read every name (events, sections, rows, price codes, ticket types, accounts) from
 * `samplesOf(sandbox)`, never from the default world.
 */
import type { RunningSandbox, SandboxOptions, WorldName } from '../../src/sandbox/index.js';
import { generate } from '../../src/sandbox/world/seed.js';

export type AsyncMode = 'auto' | 'always';

export interface MatrixCell {
  world: WorldName;
  async: AsyncMode;
  /** e.g. "alt world, SANDBOX_ASYNC=always (result on poll 2)". */
  label: string;
  /** Sandbox options of this cell: spread them after a suite's own (they pick the world and the mode). */
  sandbox: Partial<Pick<SandboxOptions, 'forceAsync' | 'pollsToResult'>> & { world: WorldName };
  /**
   * Gateway settings of this cell. With always: a poll every 300 ms (the reference's minimum)
   * instead of backing off, so that a suite whose every command is polled twice stays short. The
   * default GRAPHQL_MAX_UPSTREAM_CALLS (60 commands, polls not counted) holds in every cell: the
   * README's 25-holder dashboard (56 commands, 168 POSTs with the result on poll 2) passes.
   */
  env: Record<string, string>;
  /**
   * POSTs one command costs in this mode (1; always: 1 + POLLS_TO_RESULT): a suite sized for a
   * per-minute budget multiplies that budget by it, on both sides, so that it tests the same flows.
   */
  postsPerCommand: number;
}

export const WORLDS: readonly WorldName[] = ['default', 'alt'];
export const ASYNC_MODES: readonly AsyncMode[] = ['auto', 'always'];

/** With always, the result comes on this poll (SANDBOX_POLLS_TO_RESULT). */
export const POLLS_TO_RESULT = 2;

export const MATRIX: readonly MatrixCell[] = WORLDS.flatMap((world) =>
  ASYNC_MODES.map((mode): MatrixCell => ({
    world,
    async: mode,
    label: `${world} world, SANDBOX_ASYNC=${mode}${mode === 'always' ? ` (result on poll ${POLLS_TO_RESULT})` : ''}`,
    sandbox:
      mode === 'always' ? { world, forceAsync: true, pollsToResult: POLLS_TO_RESULT } : { world },
    env: mode === 'always' ? { ARCHTICS_POLL_BACKOFF: '1' } : {},
    postsPerCommand: mode === 'always' ? 1 + POLLS_TO_RESULT : 1,
  })),
);

/** What a seeded world's /__sandbox/info `samples` holds (src/sandbox/world/index.ts buildSamples). */
export interface WorldSamples {
  world: WorldName;
  seed: number;
  seasonTicketHolder: number;
  seasonTicketHolderPin: string;
  holderSeats: {
    event_name: string;
    section_name: string;
    row_name: string;
    seat_num: number;
    num_seats: number;
  };
  customer: number;
  customerPin: string;
  accountRange: [number, number];
  events: string[];
  homeEvents: string[];
  concerts: string[];
  archivedEvents: string[];
  eventDates: Record<string, string>;
  venueName: string;
  seasonName: string;
  sections: string[];
  rows: string[];
  seatsPerRow: number;
  priceCodes: string[];
  ticketTypes: string[];
  holdClasses: string[];
  freeSeats: {
    event_name: string;
    section_name: string;
    row_name: string;
    seat_num: number;
    num_seats: number;
    price_code: string;
  };
  approvedCard: string;
  declinedCard: string;
}

/**
 * TEST_SANDBOX_WORLD=alt runs a file written against the world's samples in the other world, to show
 * that it depends on no name of the default one: the test harnesses start their sandboxes with it
 * (a suite's own `world` option still wins).
 */
export function testWorld(): { world: WorldName } | Record<string, never> {
  const world = process.env.TEST_SANDBOX_WORLD as WorldName | undefined;
  return world ? { world } : {};
}

export function samplesOf(sb: Pick<RunningSandbox, 'world'>): WorldSamples {
  return sb.world.samples as unknown as WorldSamples;
}

/** The i-th account id of the world's range (0 = the first; any account can buy). */
export function account(sb: Pick<RunningSandbox, 'world'>, i = 0): number {
  return samplesOf(sb).accountRange[0] + i;
}

/** The seeded data behind a sandbox's world (events with their descriptions, venue, people). */
export function worldData(sb: Pick<RunningSandbox, 'world'>): ReturnType<typeof generate> {
  const { seed, world } = samplesOf(sb);
  return generate(Number(seed), world);
}

/** One event of the sandbox's world, by name (its description, dates, kind). */
export function worldEvent(
  sb: Pick<RunningSandbox, 'world'>,
  name: string,
): ReturnType<typeof generate>['events'][number] {
  const event = worldData(sb).events.find((e) => e.name === name);
  if (!event) throw new Error(`no event ${name} in the sandbox's world`);
  return event;
}
