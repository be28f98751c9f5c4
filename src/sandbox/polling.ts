/**
 * The 202 queue (reference §3). A command whose service time reaches the async threshold is
 * accepted with two cookies, CID (which command) and QTKN (a secret token), and EXECUTES AT ITS
 * COMPLETION TIME (acceptance + service time, on the sandbox clock) — not at acceptance and not at
 * the poll that finds it done. So the world changes when the command completes even if nobody
 * polls, and a poll never runs anything. Due commands are run by `runDue()`, which the server calls
 * before every request, on a timer per command, and whenever the clock is advanced.
 *
 * A result is delivered once; after that, or 10 minutes after completion (unclaimed), its cookies
 * name nothing and a POST carrying them is a new command.
 */
import { randomBytes } from 'node:crypto';
import type { CommandName } from './reference.js';
import type { SandboxClock } from './clock.js';

export interface QueuedCommand {
  cid: string;
  qtkn: string;
  apiKey: string;
  product: string;
  /** The exact bytes first sent: a poll must repeat them. */
  body: Buffer;
  cmd: CommandName;
  acceptedAt: number;
  readyAt: number;
  /**
   * Set in the 202-first mode with a polls-to-result: the result is delivered on this poll (the
   * command runs then at the latest) and not before, whatever its service time.
   */
  resultOnPoll?: number;
  /** Polls received so far. */
  polls: number;
  /** Set once executed: the answer to deliver. */
  response?: { status: number; body: string };
  expiresAt?: number;
  timer?: NodeJS.Timeout;
}

export type Lookup =
  { state: 'pending'; entry: QueuedCommand } | { state: 'ready'; entry: QueuedCommand };

export class PollQueue {
  private readonly byCid = new Map<string, QueuedCommand>();
  /** No entry completes or expires before this: runDue, called on every request, skips the scan until then. */
  private earliest = Infinity;
  expired = 0;

  constructor(
    /** Runs a due command (world.execute) and returns its answer. */
    private readonly execute: (entry: QueuedCommand) => { status: number; body: string },
    private readonly resultTtlMs: number,
    private readonly clock: SandboxClock,
  ) {}

  get size(): number {
    return this.byCid.size;
  }

  enqueue(init: Omit<QueuedCommand, 'cid' | 'qtkn' | 'polls'>): QueuedCommand {
    const entry: QueuedCommand = {
      ...init,
      polls: 0,
      cid: randomBytes(12).toString('hex'),
      qtkn: randomBytes(18).toString('base64url'),
    };
    this.byCid.set(entry.cid, entry);
    this.earliest = Math.min(this.earliest, entry.readyAt);
    this.wakeAt(entry, entry.readyAt);
    return entry;
  }

  /** A timer so that the command completes (or its result expires) at `at` even with no traffic. */
  private wakeAt(entry: QueuedCommand, at: number): void {
    clearTimeout(entry.timer);
    // Timers may fire a hair early against the wall clock, and setTimeout turns delays past
    // 2^31-1 ms into 1 ms (so they are capped): either way, re-arm until the entry moved on.
    entry.timer = setTimeout(
      () => {
        this.runDue();
        if (this.byCid.get(entry.cid) === entry && at > this.clock.now()) this.wakeAt(entry, at);
      },
      Math.min(2 ** 31 - 1, Math.ceil(this.clock.toRealMs(at - this.clock.now())) + 1),
    );
    entry.timer.unref();
  }

  /** Whether `cid` names a queued command (pending, or done and not yet delivered nor expired). */
  has(cid: string): boolean {
    return this.byCid.has(cid);
  }

  /** A poll is CID+QTKN naming a live entry of the same key and product, with a byte-identical body. */
  find(
    cookies: Record<string, string>,
    apiKey: string,
    product: string,
    body: Buffer,
  ): Lookup | undefined {
    const cid = cookies.CID;
    if (!cid) return undefined;
    const entry = this.byCid.get(cid);
    if (
      !entry ||
      entry.qtkn !== cookies.QTKN ||
      entry.apiKey !== apiKey ||
      entry.product !== product ||
      !entry.body.equals(body)
    )
      return undefined;
    return entry.response === undefined ? { state: 'pending', entry } : { state: 'ready', entry };
  }

  /**
   * A poll of `entry` is served (it passed the quota and the faults): counts it and says what it
   * gets. With a polls-to-result the result comes on that poll, not before, whatever the service time.
   */
  poll(entry: QueuedCommand): 'pending' | 'ready' {
    entry.polls++;
    if (entry.resultOnPoll === undefined) return entry.response === undefined ? 'pending' : 'ready';
    if (entry.polls < entry.resultOnPoll) return 'pending';
    if (entry.response === undefined) this.complete(entry);
    return 'ready';
  }

  /** Runs one queued command now (its poll number came before its service time ran out). */
  private complete(entry: QueuedCommand): void {
    clearTimeout(entry.timer);
    const now = this.clock.now();
    entry.response = this.execute(entry);
    entry.expiresAt = now + this.resultTtlMs;
    this.wakeAt(entry, entry.expiresAt);
    this.earliest = Math.min(this.earliest, entry.expiresAt);
  }

  /** Hands out a ready result once: its cookies are dead from here on. */
  deliver(entry: QueuedCommand): { status: number; body: string } {
    clearTimeout(entry.timer);
    this.byCid.delete(entry.cid);
    return entry.response!;
  }

  /** Executes every command due by `now` (in completion order), then drops results unclaimed for too long. */
  runDue(now = this.clock.now()): void {
    if (now < this.earliest) return;
    const due = [...this.byCid.values()]
      .filter((e) => e.response === undefined && e.readyAt <= now)
      .sort((a, b) => a.readyAt - b.readyAt);
    for (const entry of due) {
      clearTimeout(entry.timer);
      entry.response = this.execute(entry);
      entry.expiresAt = entry.readyAt + this.resultTtlMs;
      this.wakeAt(entry, entry.expiresAt);
    }
    for (const entry of this.byCid.values()) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) {
        clearTimeout(entry.timer);
        this.byCid.delete(entry.cid);
        this.expired++;
      }
    }
    this.earliest = Infinity;
    for (const e of this.byCid.values())
      this.earliest = Math.min(this.earliest, e.expiresAt ?? e.readyAt);
  }

  clear(): void {
    for (const entry of this.byCid.values()) clearTimeout(entry.timer);
    this.byCid.clear();
    this.earliest = Infinity;
    this.expired = 0;
  }
}

/** Parses a Cookie header into name → value (first one wins). */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name && !(name in out)) out[name] = part.slice(eq + 1).trim();
  }
  return out;
}
