/**
 * In-flight coalescing: while one upstream read for a key is on its way, identical reads join it
 * instead of sending their own. One flight may carry many keys (a multi-item read's one call), and
 * a read of many keys joins every flight carrying some of them and leads one for the rest. The shared fetch has its own AbortController, aborted only when
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
    readonly keys: readonly string[],
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
  /** Key → the flight carrying it (a flight of many keys is under each of them). */
  private readonly flights = new Map<string, Flight<unknown>>();

  /**
   * The flights for `keys`: those already under way are joined; the keys none carries are led in
   * ONE new flight, `fetch` of them (none when every key is in flight).
   */
  acquire<T>(
    keys: readonly string[],
    tags: readonly string[],
    startedAt: number,
    fetch: (keys: readonly string[], flight: Flight<T>) => Promise<FlightResult<T>>,
  ): { joined: Flight<T>[]; led?: Flight<T> } {
    const joined = new Set<Flight<T>>();
    const rest: string[] = [];
    for (const key of keys) {
      const existing = this.flights.get(key) as Flight<T> | undefined;
      if (existing) joined.add(existing);
      else rest.push(key);
    }
    if (rest.length === 0) return { joined: [...joined] };
    const led = new Flight<T>(rest, tags, startedAt, (f) => fetch(rest, f));
    for (const key of rest) this.flights.set(key, led as Flight<unknown>);
    const forget = () => {
      for (const key of rest)
        if (this.flights.get(key) === (led as Flight<unknown>)) this.flights.delete(key);
    };
    led.promise.then(forget, forget);
    return { joined: [...joined], led };
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
