/**
 * A fake inner CommandRunner for cache tests: answers from a function, counts calls per command,
 * counts them on the caller's trace like the real client, and can be held open (a gate) so that
 * tests line up concurrent callers deterministically.
 */
import type { CommandDef, CommandRunner, RunOptions } from '../../src/archtics/types.js';

export interface FakeCall {
  command: string;
  req: unknown;
  opts: RunOptions;
}

export class FakeRunner implements CommandRunner {
  calls: FakeCall[] = [];
  /** Next answers per command; default: a fresh object naming the call number. */
  answer: (command: string, req: unknown, n: number) => unknown = (command, req, n) =>
    command === 'event_details' ? fakeEventDetails(req, n) : { command, req, n };
  /** Set to make the next calls fail with this error. */
  failWith?: () => unknown;
  private gate?: Promise<void>;
  private openGate?: () => void;
  private gated?: string;

  /** Holds calls (of `command` only, when given) until release(). */
  hold(command?: string): void {
    this.gated = command;
    this.gate = new Promise((r) => (this.openGate = r));
  }

  release(): void {
    this.openGate?.();
    this.gate = undefined;
  }

  count(command: string): number {
    return this.calls.filter((c) => c.command === command).length;
  }

  async run<Req, Res>(def: CommandDef<Req, Res>, req: Req, opts: RunOptions = {}): Promise<Res> {
    this.calls.push({ command: def.name, req, opts });
    if (opts.trace) opts.trace.calls++;
    const n = this.calls.length;
    if (this.gate && (this.gated === undefined || this.gated === def.name)) {
      const gate = this.gate;
      await new Promise<void>((resolve, reject) => {
        void gate.then(resolve);
        opts.signal?.addEventListener('abort', () => reject(opts.signal!.reason), { once: true });
      });
    }
    if (this.failWith) throw this.failWith();
    return this.answer(def.name, req, n) as Res;
  }
}

export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise<void>((r) => setImmediate(r));
}

/** An event_details answer naming each asked event (those starting "NOPE" are unknown). */
export function fakeEventDetails(
  req: unknown,
  n = 0,
): { count: number; events: { name: string; description: string }[] } {
  const names = ((req as { names?: string[] }).names ?? [])
    .map((x) => x.trim().toUpperCase())
    .filter((x) => !x.startsWith('NOPE'));
  const events = [...new Set(names)].sort().map((name) => ({ name, description: `${name} #${n}` }));
  return { count: events.length, events };
}
