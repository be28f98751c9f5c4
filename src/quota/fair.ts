/**
 * Fair shares of the upstream budget per caller (the planner's rule, limiter.ts; the stores keep
 * each caller's use of the window, window.ts and redis.ts). A caller is a token (its digest) or,
 * with tokens off, a client address (its digest): `RunOptions.caller`, set from the request.
 *
 * - **Use**: a caller's sends in the last window plus the polls its open claims still hold.
 * - **Order** (max-min fair): within a priority, the line is served by water-filling — the caller
 *   with the least use (counting what this forecast already gave it) goes next, FIFO within a
 *   caller. A light caller is never queued behind a heavy one's backlog.
 * - **Share**: the window divided by the active callers — those that used it in the last window or
 *   wait for it (at least two: room is always kept for one more). Up to its share a caller may use
 *   the whole window.
 * - **Borrowing** (work-conserving: an idle caller's share is anyone's): beyond its share a caller
 *   takes a slot only when (1) the unused shares of the other active callers stay free in the
 *   window, and (2) `reserve` slots of every window are left to lighter callers within its last
 *   quarter — at most perWindow − reserve sends in any 3/4 window — for a caller not yet active.
 *   A sliding window fills in a burst and frees only as sends age out: without (1) a caller that
 *   came first would keep the others to the reserve for a whole window; without (2) a caller alone
 *   could spend a whole minute in a second and the next caller would wait a minute.
 *
 * What a caller cannot have before its deadline is refused at once (RATE_LIMITED, retryAfterSeconds
 * = when its next slot would come), as for any other send.
 */
import type { WindowLimits } from './window.js';
import { CLAIM_CALLER_SEPARATOR } from './window.js';

export interface ReserveShape {
  /** Sends allowed in any `windowMs` to a caller over its share (the rest is the reserve). */
  perWindow: number;
  windowMs: number;
}

/**
 * The window an over-share caller is held to: perWindow − ⌈perWindow/4⌉ sends in any 3/4 window.
 * Three quarters of the sends in three quarters of the time keeps a caller alone at the full rate,
 * only smoothed; the quarter left is what a newcomer's first operation finds while an earlier
 * burst ages out (an eighth, 10 of 80, was less than one cold dashboard's first commands).
 */
export function reserveShape(limits: WindowLimits): ReserveShape {
  const reserve = Math.max(1, Math.ceil(limits.perWindow / 4));
  return {
    perWindow: Math.max(1, limits.perWindow - reserve),
    windowMs: Math.max(1, Math.floor((limits.windowMs * 3) / 4)),
  };
}

/** A caller's share of the window when `callers` use it or wait for it (at least two). */
export function fairShare(perWindow: number, callers: number): number {
  return perWindow / Math.max(2, callers);
}

/**
 * The windows a caller over its share is held to (Take.shapes): the reserve for newcomers, and the
 * whole window less the unused shares of the other active callers (`usage`: each caller's use).
 */
export function borrowingShapes(
  limits: WindowLimits,
  share: number,
  usage: ReadonlyMap<string, number>,
  active: Iterable<string>,
  caller: string,
): ReserveShape[] {
  let othersRoom = 0;
  for (const other of active)
    if (other !== caller) othersRoom += Math.max(0, share - (usage.get(other) ?? 0));
  const shapes = [reserveShape(limits)];
  const room = Math.ceil(othersRoom - 1e-9);
  if (room > 0)
    shapes.push({ perWindow: Math.max(1, limits.perWindow - room), windowMs: limits.windowMs });
  return shapes;
}

/** A claim id that names its caller, so every store can count the claim's polls in its use. */
export function claimId(base: string, caller?: string): string {
  return caller
    ? `${base}${CLAIM_CALLER_SEPARATOR}${caller.replaceAll(CLAIM_CALLER_SEPARATOR, '_')}`
    : base;
}
