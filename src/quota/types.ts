/**
 * The upstream budget gate's contract. Every POST to the service — polls included — first
 * acquires a slot here. The in-process limiter and the Redis (shared by replicas) limiter both
 * implement it.
 */
import type { CommandName } from '../protocol/wire.js';

/**
 * Polls of accepted commands go first, then writes, then reads. 'idle' is below them all: budget no
 * caller is waiting for (refresh-ahead). It never waits: granted at once when nobody else is in
 * line and the window keeps `headroom` slots free after it, otherwise refused at once.
 */
export type Priority = 'poll' | 'write' | 'read' | 'idle';

export interface AcquireOptions {
  priority: Priority;
  /** Epoch ms (on the limiter's clock). A slot that can't be had by then is refused at once. */
  deadline?: number;
  signal?: AbortSignal;
  command?: CommandName;
  /** 'idle' only: slots of the window that must stay free after this grant, for callers to come. */
  headroom?: number;
}

export interface QuotaSnapshot {
  /** Calls that may still be sent in the current 60-second window. */
  minuteRemaining: number;
  dayRemaining: number;
  /** Callers waiting for a slot. */
  queueLength: number;
  /** Epoch ms until which the service told us to stop (Retry-After), if any. */
  pausedUntil?: number;
}

export interface Limiter {
  /**
   * Resolves when one POST may be sent (and counts it). Rejects with RateLimitedError
   * (source "budget", with retryAfterSeconds) at once when the queue is full or the slot would
   * come after the deadline — never a hang.
   */
  acquire(opts: AcquireOptions): Promise<void>;
  /** The service answered 429 with Retry-After: send nothing before `ms` have passed. */
  pauseFor(ms: number): void;
  snapshot(): Promise<QuotaSnapshot>;
  /**
   * The same snapshot at once, without a promise — only a limiter whose store is in this process
   * has it (the Redis one does not). Lets a cached response carry its budget report synchronously.
   */
  snapshotNow?(): QuotaSnapshot;
  close(): Promise<void>;
}
