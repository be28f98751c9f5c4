/**
 * The embedded Archtics sandbox: `startSandbox()` runs a seeded world behind the real wire
 * protocol on 127.0.0.1 (any free port by default) and returns a handle for tests, the gateway's
 * embedded mode and benchmarks. Admin endpoints live under /__sandbox/ (see server.ts).
 */
import type { AddressInfo } from 'node:net';
import { SandboxClock } from './clock.js';
import { createWorld, isWorldName, WORLD_NAMES } from './world/index.js';
import { Sandbox, createSandboxHttpServer, type ResolvedOptions } from './server.js';
import type { RunningSandbox, SandboxOptions, World } from './types.js';

export type {
  RunningSandbox,
  SandboxOptions,
  ApiKeySpec,
  World,
  WorldFactory,
  Outcome,
  WorldClock,
} from './types.js';
export type { FaultRule, FaultKind } from './faults.js';
export type { SandboxStats } from './stats.js';
export type { Violation, ViolationRule, ConformanceOptions } from './conformance.js';
export { VIOLATION_RULES, IDEMPOTENT_WRITES } from './conformance.js';
export { SandboxClock } from './clock.js';
export { WORLD_NAMES, type WorldName } from './world/index.js';
export { ATS_VERSION } from './server.js';

export const SANDBOX_DEFAULTS: Omit<
  SandboxOptions,
  'world' | 'log' | 'keys' | 'dsns' | 'startTime'
> = {
  host: '127.0.0.1',
  port: 0,
  apiKey: 'sandbox-key',
  dsn: 'apigee',
  ratePerMinute: 80,
  ratePerDay: 5000,
  seed: 1,
  timeScale: 1,
  serviceTimeMs: {},
  asyncThresholdMs: 4_000,
  forceAsync: false,
  pollsToResult: 1,
  resultTtlMs: 10 * 60_000,
  faults: [],
};

export async function startSandbox(options: Partial<SandboxOptions> = {}): Promise<RunningSandbox> {
  const merged = { ...SANDBOX_DEFAULTS, ...options };
  if (!(Number.isInteger(merged.pollsToResult) && merged.pollsToResult >= 1))
    throw new RangeError('startSandbox: pollsToResult must be a whole number ≥ 1');
  const keys = options.keys ?? [{ key: merged.apiKey, dsns: [merged.dsn] }];
  if (keys.length === 0) throw new Error('startSandbox: keys must not be empty');
  const apiKey =
    options.apiKey !== undefined && keys.some((k) => k.key === options.apiKey)
      ? options.apiKey
      : keys[0]!.key;
  const resolved: ResolvedOptions = { ...merged, apiKey, keys };

  const clock = new SandboxClock(resolved.timeScale, resolved.startTime);
  const source = options.world ?? 'default';
  if (typeof source === 'string' && !isWorldName(source))
    throw new RangeError(`startSandbox: world must be one of ${WORLD_NAMES.join(', ')}`);
  const world: World =
    typeof source === 'string'
      ? createWorld({ seed: resolved.seed, clock, world: source })
      : typeof source === 'function'
        ? source({ seed: resolved.seed, clock })
        : source;
  const sandbox = new Sandbox(resolved, world, clock);
  const server = createSandboxHttpServer(sandbox);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(resolved.port, resolved.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;

  return {
    url: `http://${resolved.host}:${port}`,
    port,
    apiKey,
    dsn: resolved.dsn,
    clock,
    world,
    stats: () => sandbox.snapshot(),
    reset: () => sandbox.reset(),
    setFaults: (rules) => sandbox.faults.set(rules),
    close() {
      closed ??= new Promise<void>((resolve) => {
        sandbox.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
