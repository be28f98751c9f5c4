/**
 * The sandbox's public shapes: options of startSandbox, the running handle, and the world contract
 * the server drives (src/sandbox/world/ implements it).
 */
import type { Product } from '../protocol/wire.js';
import type { CommandName } from './reference.js';
import type { SandboxClock } from './clock.js';
import type { ConformanceOptions } from './conformance.js';
import type { FaultRule } from './faults.js';
import type { SandboxStats } from './stats.js';
import type { WorldName } from './world/seed.js';
import type { World, WorldClock } from './world/types.js';

export type { Outcome, World, WorldClock } from './world/types.js';

/** How startSandbox builds a world (default: createWorld of src/sandbox/world/). */
export type WorldFactory = (opts: { seed: number; clock: WorldClock }) => World;

// ── Options and handle ──────────────────────────────────────────────────────────────────────

export interface ApiKeySpec {
  key: string;
  /** DSNs this key may use (case-insensitive); '*' = every known DSN. */
  dsns: string[] | '*';
  /** Products this key may call; default all. A command must also belong to the product. */
  products?: Product[];
  /** Per-key limits; default the sandbox's. */
  ratePerMinute?: number;
  ratePerDay?: number;
}

export interface SandboxOptions {
  /** Default 127.0.0.1. */
  host: string;
  /** 0 = any free port (default). */
  port: number;
  /** The default key (default "sandbox-key"); allowed every product on `dsn`. */
  apiKey: string;
  /** The default DSN (default "apigee"). */
  dsn: string;
  /** Replaces the default key with this set (apiKey then names the one the handle reports; default the first). */
  keys?: ApiKeySpec[];
  /** More DSNs that exist (so that a key not allowed one gets 401 DsnNotAllowed, not 404 UnknownDsn). */
  dsns?: string[];
  /** Per key, any 60-second window (default 80). */
  ratePerMinute: number;
  /** Per key, any 24-hour window (default 5000). */
  ratePerDay: number;
  /** Seeds the world and the fault dice (default 1). */
  seed: number;
  /** Real ms per sandbox ms: 0.01 runs sandbox time 100× faster (default 1). See clock.ts. */
  timeScale: number;
  /** Sandbox epoch ms at start (default now). */
  startTime?: number;
  /** Sandbox ms each command takes; `default` for the rest (defaults: 2, ats_ext_test_polling 10 000). */
  serviceTimeMs: Partial<Record<CommandName | 'default', number>>;
  /** A command whose service time is ≥ this answers 202 at once and runs at completion (default 4000). */
  asyncThresholdMs: number;
  /** Every command answers 202 first (default false; SANDBOX_ASYNC=always). */
  forceAsync: boolean;
  /**
   * With forceAsync: the result comes on this poll (1 = the first), never before, whatever the
   * command's service time (which still decides when it runs, if earlier). Default 1.
   */
  pollsToResult: number;
  /** Unclaimed queued results are dropped this long after completion (default 10 min). */
  resultTtlMs: number;
  /** Fault rules in force from the start (and again after reset). */
  faults: FaultRule[];
  /**
   * Which seeded world (src/sandbox/world/): 'default' (EVENT01…, ADULT, 100479…) or 'alt' (other
   * names for every code; SANDBOX_WORLD) — or a world instance or factory of your own.
   */
  world?: WorldName | World | WorldFactory;
  /**
   * Strict mode (default off): every POST is also judged against the protocol reference and each
   * deviation is recorded in stats().violations (see conformance.ts); 202s carry an extra SID cookie.
   * `true`, or the checker's tolerances.
   */
  strict?: boolean | Partial<ConformanceOptions>;
  /** Diagnostics (world crashes); default silent. Never given the key. */
  log?: (line: string) => void;
}

export interface RunningSandbox {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:4100. */
  url: string;
  port: number;
  apiKey: string;
  dsn: string;
  clock: SandboxClock;
  world: World;
  stats(): SandboxStats;
  /** Seeded state again, queues and quota cleared, counters zeroed, start-up faults restored. */
  reset(): void;
  /** Replaces the fault rules ([] clears them). */
  setFaults(rules: FaultRule[]): void;
  close(): Promise<void>;
}
