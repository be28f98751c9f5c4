/**
 * The upstream budget gate's contract. Every POST to the service — polls included — first
 * acquires a slot here. The in-process limiter and the Redis (shared by replicas) limiter both
 * implement it.
 */
import type { MaybePromise } from '@whatwg-node/promise-helpers';
import type { CommandName } from '../protocol/wire.js';

/**
 * Polls of accepted commands go first, then writes, then reads. 'idle' is below them all: work no
 * caller waits for (refresh-ahead). It never waits in line: granted at once only from slots that
 * no reserved poll and no caller in line needs, leaving `headroom` more free; otherwise refused.
 */
export type Priority = 'poll' | 'write' | 'read' | 'idle';

export interface AcquireOptions {
  priority: Priority;
  /**
   * Epoch ms (on the limiter's clock). A slot that can't be had by then is refused at once; for a
   * first send with a claim, the slots of the polls it is expected to need must come by then too.
   */
  deadline?: number;
  /**
   * Epoch ms: this POST's own slot must come by then, or it is refused at once (RateLimitedError)
   * instead of waiting — for a caller with another answer to give meanwhile (a stale cache entry):
   * a Retry-After pause or a full window holds back the send, not the answer.
   */
  startBy?: number;
  /**
   * A first send's poller: clock ms from the first send to its `polls`-th poll at the earliest (the
   * waits between polls). Its last expected poll must come by the deadline counting them too: a
   * slot free now is not a poll that may go now.
   */
  pollWaitMs?: (polls: number) => number;
  signal?: AbortSignal;
  command?: CommandName;
  /**
   * The command this POST belongs to (Limiter.claim): the same claim on its first send, any
   * re-send and every poll. Without one, the POST is planned alone (no polls reserved for it).
   */
  claim?: Claim;
  /**
   * Whose fair share this POST draws on (the request's caller: a token digest or a client address
   * digest, never a token). Default: the claim's caller. Without one, no share applies (FIFO).
   */
  caller?: string;
  /** 'idle' only: slots that must stay free now after it (and its expected polls), for callers to come. */
  headroom?: number;
}

/**
 * One upstream command's hold on the budget, from its first send until it ends. While it is open,
 * the planner keeps slots reserved for the polls the command is still expected to need, so that
 * first sends granted after it cannot starve them.
 */
export interface Claim {
  readonly command: CommandName;
  /** Whose fair share the command's POSTs draw on (Limiter.claim's `caller`). */
  readonly caller?: string;
  /**
   * What the POST just sent was answered: 202 (accepted: polls follow; the reservation is renewed),
   * 200 (the result: what the command took is learnt, its reservation released). Others change nothing.
   */
  answered(status: number): void;
  /** The command is over, whatever became of it: releases what it still holds. Idempotent. */
  settle(): void;
}

/**
 * One granted POST, from acquire() until its bytes go out. The sender still awaits things between
 * the two (its cookie jar), and a 429 for another command can pause the key meanwhile; so it asks
 * `stillClear()` after its last await, right before sending.
 */
export interface Grant {
  /**
   * Whether the POST may go now. False when the service's pause (a 429's Retry-After, seen by this
   * process or, over a shared store, by any replica) ends later than now: the slot has then been
   * given back — the send is out of the window's log and a poll is not counted against its claim —
   * and the sender acquires again (the planner waits out the pause). Synchronous over an in-process
   * store, so nothing can run between the answer and the send.
   */
  stillClear(): boolean | Promise<boolean>;
  /** The POST will not be sent after all (aborted): the slot goes back. No-op once cleared. */
  giveBack(): void | Promise<void>;
}

export interface QuotaSnapshot {
  /** Calls that may still be sent in the current 60-second window. */
  minuteRemaining: number;
  dayRemaining: number;
  /** Callers waiting for a slot. */
  queueLength: number;
  /** Epoch ms until which the service told us to stop (Retry-After), if any. */
  pausedUntil?: number;
  /** Polls that accepted commands are still expected to need (slots held for them); absent when none. */
  reservedPolls?: number;
}

export interface Limiter {
  /**
   * Resolves when one POST may be sent (and counts it), with the Grant to check right before the
   * send (a limiter without a pause of its own may resolve with nothing). Rejects with
   * RateLimitedError (source "budget", with retryAfterSeconds) at once when the queue is full or
   * the slot would come after the deadline — never a hang.
   */
  acquire(opts: AcquireOptions): Promise<Grant | void>;
  /**
   * Opens the budget claim of one command, before its first send (see Claim). A limiter without a
   * planner may leave it out: commands are then planned one POST at a time. `caller`: whose fair
   * share its POSTs — first send and polls — draw on.
   */
  claim?(command: CommandName, caller?: string): Claim;
  /** The service answered 429 with Retry-After: send nothing before `ms` have passed. */
  pauseFor(ms: number): void;
  /**
   * Calls left this minute and today, queue length: at once (no promise) when the budget's store
   * is in this process, so a cached response carries its report synchronously; a promise when it
   * is shared (Redis).
   */
  snapshot(): MaybePromise<QuotaSnapshot>;
  close(): Promise<void>;
}
