/**
 * Counters for tests and benchmarks (GET /__sandbox/stats). Command names are lower-case.
 * - posts: every POST to a ticketing path, refused or not; byProduct splits them by product path.
 * - polls: POSTs recognised as polls of a queued command (past auth and quota).
 * - commands: new commands received (valid envelopes that are not polls), per command.
 * - executions: commands that actually ran in the world, per command (a write sent twice: 2).
 * - accepted202: every 202 answer (first sends and polls); queued: first sends answered 202.
 * - delivered: queued results handed out; expired: queued results never claimed.
 * - rateLimited429: every 429 (real and forced); byStatus: every answer by HTTP status.
 * - headerErrors: envelopes refused with header.result 1, 2 or 3.
 * - maxPostsInAnyMinute: most POSTs seen inside any 60-second window (sandbox clock).
 */
import type { Violation, ViolationRule } from './conformance.js';
import { FAULT_KINDS, type FaultKind } from './faults.js';
import { PeakWindow } from './quota.js';

export interface SandboxStats {
  posts: number;
  polls: number;
  commands: Record<string, number>;
  executions: Record<string, number>;
  accepted202: number;
  queued: number;
  delivered: number;
  expired: number;
  pending: number;
  rateLimited429: number;
  byProduct: Record<string, number>;
  byStatus: Record<string, number>;
  headerErrors: Record<'1' | '2' | '3', number>;
  faults: Record<FaultKind, number>;
  maxPostsInAnyMinute: number;
  postsInLastMinute: number;
  /** Strict mode only: protocol violations seen (conformance.ts), oldest first. */
  violations?: Violation[];
  /** Strict mode only: violations per rule (rules never broken are absent). */
  violationCounts?: Partial<Record<ViolationRule, number>>;
}

export class StatsRecorder {
  posts = 0;
  polls = 0;
  commands: Record<string, number> = {};
  executions: Record<string, number> = {};
  accepted202 = 0;
  queued = 0;
  delivered = 0;
  rateLimited429 = 0;
  byProduct: Record<string, number> = {};
  byStatus: Record<string, number> = {};
  headerErrors: Record<'1' | '2' | '3', number> = { '1': 0, '2': 0, '3': 0 };
  readonly peak = new PeakWindow();

  post(product: string | undefined, now: number): void {
    this.posts++;
    if (product) bump(this.byProduct, product);
    this.peak.record(now);
  }

  status(code: number): void {
    bump(this.byStatus, String(code));
    if (code === 202) this.accepted202++;
    if (code === 429) this.rateLimited429++;
  }

  command(cmd: string): void {
    bump(this.commands, cmd);
  }

  execution(cmd: string): void {
    bump(this.executions, cmd);
  }

  reset(): void {
    this.posts =
      this.polls =
      this.accepted202 =
      this.queued =
      this.delivered =
      this.rateLimited429 =
        0;
    this.commands = {};
    this.executions = {};
    this.byProduct = {};
    this.byStatus = {};
    this.headerErrors = { '1': 0, '2': 0, '3': 0 };
    this.peak.reset();
  }

  snapshot(
    now: number,
    extra: { pending: number; expired: number; faults: Record<FaultKind, number> },
  ): SandboxStats {
    const faults = {} as Record<FaultKind, number>;
    for (const k of FAULT_KINDS) faults[k] = extra.faults[k];
    return {
      posts: this.posts,
      polls: this.polls,
      commands: { ...this.commands },
      executions: { ...this.executions },
      accepted202: this.accepted202,
      queued: this.queued,
      delivered: this.delivered,
      expired: extra.expired,
      pending: extra.pending,
      rateLimited429: this.rateLimited429,
      byProduct: { ...this.byProduct },
      byStatus: { ...this.byStatus },
      headerErrors: { ...this.headerErrors },
      faults,
      maxPostsInAnyMinute: this.peak.max,
      postsInLastMinute: this.peak.current(now),
    };
  }
}

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}
