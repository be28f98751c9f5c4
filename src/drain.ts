/**
 * Shutdown that finishes writes: what is in flight, and what a shutdown must wait for or report.
 *
 * - `requests`: every HTTP request from arrival to response, classified once it executes (query
 *   or mutation). A shutdown refuses new requests, gives reads a grace, and lets mutations run to
 *   their outcome (a write accepted upstream is polled to its result) within the polling horizon.
 * - `writes`: keyed writes (payments) with their idempotency key and where they stand. At exit,
 *   every write whose outcome is still unknown is logged with its key, so an operator (or the
 *   client's retry with that key, which settles by reading) can finish it.
 *
 * Built once per gateway (src/app.ts); src/plugins/drain.ts feeds `requests`, payments feed `writes`.
 */

export type RequestKind = 'unknown' | 'query' | 'mutation' | 'subscription';

export interface TrackedRequest {
  kind: RequestKind;
  requestId?: string;
  operationName?: string;
  startedAt: number;
  /** Ends the request's connection (a read past the grace). */
  cut?: () => void;
}

export type WriteState = 'pending' | 'sent' | 'done' | 'unknown' | 'open';

export interface TrackedWrite {
  what: string;
  idempotencyKey: string;
  requestId?: string;
  orderNum?: number;
  state: WriteState;
  /** Final outcome in words (paid, declined, …) once known. */
  outcome?: string;
  startedAt: number;
}

export interface WriteHandle {
  update(state: WriteState, outcome?: string): void;
  end(state: WriteState, outcome?: string): void;
}

export class Drain {
  private readonly live = new Set<TrackedRequest>();
  private readonly writing = new Set<TrackedWrite>();
  /** Writes that ended after the drain began: reported with their outcome. */
  private readonly endedWhileDraining: TrackedWrite[] = [];
  private waiters = new Set<() => void>();
  private drainingSince: number | undefined;

  /** True once a shutdown began: new requests are refused. */
  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  start(now = Date.now()): void {
    this.drainingSince ??= now;
  }

  // ── requests ─────────────────────────────────────────────────────────────────────────────

  begin(
    request: Omit<TrackedRequest, 'kind' | 'startedAt'> & Partial<Pick<TrackedRequest, 'kind'>>,
  ): TrackedRequest {
    const tracked: TrackedRequest = { kind: 'unknown', startedAt: Date.now(), ...request };
    this.live.add(tracked);
    return tracked;
  }

  end(tracked: TrackedRequest): void {
    if (this.live.delete(tracked)) this.changed();
  }

  requests(kinds?: readonly RequestKind[]): TrackedRequest[] {
    return [...this.live].filter((r) => !kinds || kinds.includes(r.kind));
  }

  /**
   * Resolves true when no request of `kinds` is left, false when `ms` ran out first. Bounded: it
   * never waits past `ms`.
   */
  idle(kinds: readonly RequestKind[], ms: number): Promise<boolean> {
    const none = () =>
      this.requests(kinds).length === 0 && (!kinds.includes('mutation') || this.writing.size === 0);
    if (none()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (!none()) return;
        finish(true);
      };
      const timer = setTimeout(() => finish(false), Math.max(0, ms));
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(ok);
      };
      this.waiters.add(check);
    });
  }

  // ── keyed writes ─────────────────────────────────────────────────────────────────────────

  write(w: Omit<TrackedWrite, 'state' | 'startedAt'>): WriteHandle {
    const tracked: TrackedWrite = { ...w, state: 'pending', startedAt: Date.now() };
    this.writing.add(tracked);
    return {
      update: (state, outcome) => {
        tracked.state = state;
        if (outcome !== undefined) tracked.outcome = outcome;
      },
      end: (state, outcome) => {
        tracked.state = state;
        if (outcome !== undefined) tracked.outcome = outcome;
        if (!this.writing.delete(tracked)) return;
        if (this.draining) this.endedWhileDraining.push(tracked);
        this.changed();
      },
    };
  }

  /** Keyed writes still running (their outcome not known yet). */
  writes(): TrackedWrite[] {
    return [...this.writing];
  }

  /** Keyed writes that ended after the drain began, with their final state. */
  finishedWhileDraining(): TrackedWrite[] {
    return [...this.endedWhileDraining];
  }

  private changed(): void {
    for (const w of [...this.waiters]) w();
  }
}
