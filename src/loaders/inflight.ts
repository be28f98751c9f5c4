/**
 * Counts one operation's upstream commands in flight, so that the event loader can hold its batch
 * open until every other load that might still ask for events has answered.
 *
 * Why: an operation like "25 customers → their seats → each seat's event" learns its event names
 * at 25 different moments (one per seats_sold answer). DataLoader's default schedule (end of the
 * current tick) would send one event_details per answer. Waiting until nothing else of this
 * operation is in flight turns them into one call. Nothing can deadlock: the commands counted here
 * never wait on the event loader.
 */
import type { CommandDef, CommandRunner, RunOptions } from '../archtics/types.js';

/** Upper bound on re-checks while waiting to be idle (each one waits for a real answer). */
const MAX_IDLE_ROUNDS = 10_000;

export class InflightTracker {
  private count = 0;
  private waiters: Array<() => void> = [];

  get inflight(): number {
    return this.count;
  }

  /** A runner that counts the commands it runs. */
  wrap(runner: CommandRunner): CommandRunner {
    return {
      run: async <Req, Res>(
        def: CommandDef<Req, Res>,
        req: Req,
        opts?: RunOptions,
      ): Promise<Res> => {
        this.count++;
        try {
          return await runner.run(def, req, opts);
        } finally {
          this.count--;
          if (this.count === 0) this.wake();
        }
      },
      // Answered at once: never in flight, nothing to count.
      getFresh: (def, req, opts) => runner.getFresh?.(def, req, opts),
    };
  }

  /**
   * Resolves once no counted command is in flight and every resolver woken by the last answer
   * has run (a macrotask turn lets graphql-js and other loaders queue their follow-up loads).
   */
  async idle(): Promise<void> {
    for (let round = 0; round < MAX_IDLE_ROUNDS; round++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.count === 0) return;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** DataLoader batchScheduleFn: dispatch when the operation is otherwise idle. */
  readonly scheduleWhenIdle = (dispatch: () => void): void => {
    void this.idle().then(dispatch);
  };

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
