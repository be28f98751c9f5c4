/**
 * In-flight coalescing: while one upstream read for a key is on its way, identical reads join it
 * instead of sending their own. The shared fetch has its own AbortController, aborted only when
 * every caller that joined has given up — one impatient caller must not fail the others.
 *
 * A write that invalidates a tag "poisons" the flights carrying it: their answer (possibly read
 * before the write) is still returned to those already waiting, but is not stored, and later
 * callers start a fresh fetch instead of joining.
 */

export interface FlightResult<T> {
  value: T;
  /** 'upstream': this flight called the inner runner; 'l2'/'peer': it found the answer shared. */
  source: 'upstream' | 'l2' | 'peer';
  /** When the stored answer goes stale, and its tags (for Provenance); undefined when it was not stored. */
  expiresAt?: number;
  tags?: readonly string[];
}

export class Flight<T> {
  readonly controller = new AbortController();
  /** Set when a write invalidated one of `tags` meanwhile: don't store the answer. */
  poisoned = false;
  private callers = 0;
  readonly promise: Promise<FlightResult<T>>;

  constructor(
    readonly key: string,
    readonly tags: readonly string[],
    /** Epoch ms when the fetch started (for the L2 race check). */
    readonly startedAt: number,
    fetch: (flight: Flight<T>) => Promise<FlightResult<T>>,
  ) {
    this.promise = fetch(this);
    // Nobody may be left with an unhandled rejection if every caller gave up.
    this.promise.catch(() => undefined);
  }

  /** Waits for the shared answer, or for this caller's own signal. */
  join(signal?: AbortSignal): Promise<FlightResult<T>> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.callers++;
    if (!signal) return this.promise.finally(() => this.callers--);
    return new Promise<FlightResult<T>>((resolve, reject) => {
      let done = false;
      const leave = () => {
        if (done) return;
        done = true;
        this.callers--;
        signal.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        leave();
        reject(signal.reason);
        // The last one out cancels the upstream work (queue wait, polling).
        if (this.callers === 0) this.controller.abort(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.promise.then(
        (v) => {
          leave();
          resolve(v);
        },
        (e) => {
          leave();
          reject(e);
        },
      );
    });
  }
}

export class Coalescer {
  private readonly flights = new Map<string, Flight<unknown>>();

  get inFlight(): number {
    return this.flights.size;
  }

  /** The flight for `key`: joined when one is under way, else started with `fetch`. */
  acquire<T>(
    key: string,
    tags: readonly string[],
    startedAt: number,
    fetch: (flight: Flight<T>) => Promise<FlightResult<T>>,
  ): { flight: Flight<T>; leader: boolean } {
    const existing = this.flights.get(key) as Flight<T> | undefined;
    if (existing) return { flight: existing, leader: false };
    const flight = new Flight<T>(key, tags, startedAt, fetch);
    this.flights.set(key, flight as Flight<unknown>);
    const forget = () => {
      if (this.flights.get(key) === (flight as Flight<unknown>)) this.flights.delete(key);
    };
    flight.promise.then(forget, forget);
    return { flight, leader: true };
  }

  /** A write touched these tags: flights carrying any of them must not be stored or joined. */
  poison(tags: readonly string[]): void {
    if (tags.length === 0) return;
    const set = new Set(tags);
    for (const [key, flight] of this.flights) {
      if (flight.tags.some((t) => set.has(t))) {
        flight.poisoned = true;
        this.flights.delete(key);
      }
    }
  }
}
