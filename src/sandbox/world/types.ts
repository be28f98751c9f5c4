/**
 * The world's public contract (re-exported by index.ts): the sandbox server calls execute() with
 * each command and wraps the Outcome in the response envelope.
 */
import type { Command1Request } from '../../protocol/wire.js';
import type { CommandName } from '../reference.js';

export interface WorldClock {
  /** Epoch ms; the server passes its test-controllable clock. */
  now(): number;
}

/** command1 content besides cmd/ref, which the server adds. */
export interface Outcome {
  result: number;
  sql_code: number;
  error_detail?: string;
  /** seats_sold failures use error_desc (reference §6.2). */
  error_desc?: string;
  /** The command's output fields, wire names. */
  fields?: Record<string, unknown>;
}

export interface World {
  /** Runs one command atomically (synchronous: racing holds can't interleave). cmd is lower-case. */
  execute(cmd: CommandName, command1: Command1Request): Outcome;
  /** Back to the seeded state. */
  reset(): void;
  /** Which seeded world this is ('default', 'alt'), when it is one of them. */
  readonly name?: string;
  /** Sample ids for docs/tests: e.g. { seasonTicketHolder: 100479, events: ['EVENT01', …], pins… } */
  readonly samples: Record<string, unknown>;
}
