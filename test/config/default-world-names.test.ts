/**
 * No gateway test may silently depend on the default sandbox world's names (EVENTnn, ADULT/CHILD/
 * SENIOR, 100479, the 2016 HIST events, the concerts): a faithful service has other codes. A test
 * file that talks to a sandbox and names one of them must be on the list below, with its reason.
 * The list may only shrink: a new file that needs a name reads it from sandbox.world.samples.
 * Files that never start a sandbox (parsers, stubs) may use any fixture data they like.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const DEFAULT_WORLD_NAMES = /\bEVENT\d{2}\b|\bADULT\b|\bCHILD\b|\bSENIOR\b|\b100479\b|\bHIST16\d{2}\b|\bCONC\d{2}\b/;
const TALKS_TO_A_SANDBOX = /startSandbox|useSandbox|startStrictPair|startTestSandbox|useSandboxedGateway|TestGateway|sandboxGateway/;

/** Files that exist to test the default world itself. */
const TESTS_OF_THE_DEFAULT_WORLD = ['test/sandbox/'];

/** Gateway tests written against the default world before issue #11; to be moved to samples. */
const KNOWN_DEPENDENT = new Set<string>([
  'test/browser/graphiql.test.ts',
  'test/conformance/faults.test.ts',
  'test/conformance/purchase.test.ts',
  'test/conformance/reads.test.ts',
  'test/defer/defer.test.ts',
  'test/graphql/batching.test.ts',
  'test/graphql/nodes-and-pages.test.ts',
  'test/graphql/partial-answers.test.ts',
  'test/graphql/response-cache.test.ts',
  'test/hostile/cart-ownership.test.ts',
  'test/hostile/exposure.test.ts',
  'test/hostile/fuzz.test.ts',
  'test/package/pack.test.ts',
  'test/graphql/server.test.ts',
  'test/graphql/upstream-errors.test.ts',
  'test/logging/no-key.test.ts',
  'test/logging/operation-line.test.ts',
  'test/mutations/holds-and-failures.test.ts',
  'test/mutations/input-and-scopes.test.ts',
  'test/mutations/payment-exactly-once.test.ts',
  'test/mutations/payment-restart-durable.test.ts',
  'test/mutations/payment-restart-redis.test.ts',
  'test/mutations/purchase-flow.test.ts',
]);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.test\.ts$/.test(name) ? [path] : [];
  });
}

it('no gateway test talking to a sandbox names a default-world code unless it is listed', () => {
  const offenders: string[] = [];
  const dependent: string[] = [];
  for (const path of files(join(root, 'test'))) {
    const rel = relative(root, path).split('\\').join('/');
    if (TESTS_OF_THE_DEFAULT_WORLD.some((prefix) => rel.startsWith(prefix)) || rel === 'test/config/default-world-names.test.ts') continue;
    const text = readFileSync(path, 'utf8');
    if (!TALKS_TO_A_SANDBOX.test(text) || !DEFAULT_WORLD_NAMES.test(text)) continue;
    dependent.push(rel);
    if (!KNOWN_DEPENDENT.has(rel)) offenders.push(rel);
  }
  expect(offenders).toEqual([]);
  // The list only shrinks: an entry that no longer depends must be removed.
  expect([...KNOWN_DEPENDENT].filter((f) => !dependent.includes(f))).toEqual([]);
});
