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
   * instead of backing off, so that a suite whose every command is polled twice stays short; and
   * GRAPHQL_MAX_UPSTREAM_CALLS × the POSTs a command costs, because the per-operation allowance
   * counts polls (the README's 25-holder dashboard, 56 calls, would stop at 60 otherwise).
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
    env: mode === 'always' ? { ARCHTICS_POLL_BACKOFF: '1', GRAPHQL_MAX_UPSTREAM_CALLS: String(60 * (1 + POLLS_TO_RESULT)) } : {},
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

export function samplesOf(sb: Pick<RunningSandbox, 'world'>): WorldSamples {
  return sb.world.samples as unknown as WorldSamples;
}

/** The i-th account id of the world's range (0 = the first; any account can buy). */
export function account(sb: Pick<RunningSandbox, 'world'>, i = 0): number {
  return samplesOf(sb).accountRange[0] + i;
}
