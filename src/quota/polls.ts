/**
 * How many polls a command is expected to need, learnt from its recent answers. The protocol lets
 * the service answer any command 202 (reference §3), so a first send may cost one POST or several:
 * the planner (limiter.ts) reserves what a command is expected to need before granting it.
 *
 * Per command, the last `sampleSize` commands that ended are kept as (was it accepted with a 202,
 * how many polls did it take). The estimate is the share of 202s times the polls per accepted
 * command, both pulled towards a pessimistic prior (every command 202, `priorPolls` polls) whose
 * weight starts at `priorWeight` samples and falls by one with each real sample: a fresh gateway
 * reserves generously, and its first few answers teach it what this service really does.
 */
import type { CommandName } from '../protocol/wire.js';

/** What one ended command taught: accepted = answered 202 first; polls = POSTs after the first send. */
export interface PollSample {
  accepted: boolean;
  polls: number;
}

export interface PollLearning {
  /** Polls assumed per accepted command before any answer (default 3). */
  priorPolls: number;
  /** Weight of the prior, in samples, before the first answer; each real sample takes one off (default 4). */
  priorWeight: number;
  /** Ended commands remembered per command name (default 32). */
  sampleSize: number;
}

export const DEFAULT_POLL_LEARNING: PollLearning = {
  priorPolls: 3,
  priorWeight: 4,
  sampleSize: 32,
};

export interface PollEstimate {
  /** Share of first sends answered 202. */
  acceptedShare: number;
  /** Polls an accepted command takes to its result (≥ 1). */
  pollsToResult: number;
  /** acceptedShare × pollsToResult: what a first send is expected to cost in polls. */
  expectedPolls: number;
  /** Real samples behind the estimate. */
  samples: number;
  /** Of them, commands seen accepted (answered 202 first). */
  acceptedSamples: number;
}

/** The estimate from a command's recent samples (newest last or first: order does not matter). */
export function estimatePolls(
  samples: readonly PollSample[],
  learning: PollLearning = DEFAULT_POLL_LEARNING,
): PollEstimate {
  const w = Math.max(0, learning.priorWeight - samples.length);
  let accepted = 0;
  let polls = 0;
  for (const s of samples) {
    if (!s.accepted) continue;
    accepted++;
    polls += Math.max(1, s.polls);
  }
  const acceptedShare = w + samples.length > 0 ? (w + accepted) / (w + samples.length) : 1;
  const pollsToResult =
    w + accepted > 0 ? (w * learning.priorPolls + polls) / (w + accepted) : learning.priorPolls;
  return {
    acceptedShare,
    pollsToResult,
    expectedPolls: acceptedShare * pollsToResult,
    samples: samples.length,
    acceptedSamples: accepted,
  };
}

/** Samples per command, bounded: the in-process book (the Redis store keeps the same in lists). */
export class PollBook {
  private readonly byCommand = new Map<string, PollSample[]>();

  constructor(private readonly sampleSize: number) {}

  add(command: CommandName | string, sample: PollSample): void {
    let list = this.byCommand.get(command);
    if (!list) this.byCommand.set(command, (list = []));
    list.push(sample);
    if (list.length > this.sampleSize) list.splice(0, list.length - this.sampleSize);
  }

  get(command: CommandName | string): readonly PollSample[] {
    return this.byCommand.get(command) ?? [];
  }

  set(command: CommandName | string, samples: PollSample[]): void {
    this.byCommand.set(command, samples.slice(-this.sampleSize));
  }
}

/** A sample on the wire (Redis lists): "1:2" = accepted, 2 polls. */
export function encodeSample(s: PollSample): string {
  return `${s.accepted ? 1 : 0}:${Math.max(0, Math.round(s.polls))}`;
}

export function decodeSample(raw: string): PollSample | undefined {
  const m = /^([01]):(\d+)$/.exec(raw);
  return m ? { accepted: m[1] === '1', polls: Number(m[2]) } : undefined;
}
