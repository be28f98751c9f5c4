/**
 * docs/configuration.md lists every environment variable the gateway reads (src/config.ts, plus
 * NODE_ENV in src/main.ts and the standalone sandbox's src/sandbox/main.ts), each as the first cell
 * of a table row; and it lists no variable that nothing reads any more.
 */
import { describe, expect, it } from 'vitest';
import { read } from './markdown.js';

const NAME = '[A-Z][A-Z0-9_]*';

/** Variable names a source file reads from the environment, found by how it reads them. */
function variablesRead(source: string): Set<string> {
  const patterns = [
    new RegExp(`\\b(?:str|int|num|flag|oneOf|setting)\\(\\s*(?:env,\\s*)?'(${NAME})'`, 'g'), // helpers
    new RegExp(`\\benv\\.(${NAME})\\b`, 'g'), // env.CORS_ORIGINS
    new RegExp(`\\bprocess\\.env\\.(${NAME})\\b`, 'g'),
    new RegExp(`\\bprocess\\.env\\[\\s*'(${NAME})'\\s*\\]`, 'g'),
    new RegExp(`\\bConfigError\\(\\s*'(${NAME})'`, 'g'),
  ];
  const names = new Set<string>();
  for (const p of patterns) for (const m of source.matchAll(p)) names.add(m[1]);
  // A family read by pattern: CACHE_TTL_<COMMAND>_MS.
  if (/\^CACHE_TTL_\(\[A-Z_\]\+\)_MS\$/.test(source)) names.add('CACHE_TTL_<COMMAND>_MS');
  return names;
}

/** The first cell of every table row of the page, when it is one or more `VARIABLE`s. */
function documented(page: string): Set<string> {
  const names = new Set<string>();
  for (const m of page.matchAll(/^\|\s*([^|]+?)\s*\|/gm)) {
    for (const v of m[1].matchAll(/`([A-Z][A-Z0-9_<>]*)`/g)) names.add(v[1]);
  }
  return names;
}

const config = read('src/config.ts');
const readByGateway = new Set([
  ...variablesRead(config),
  ...variablesRead(read('src/main.ts')),
  ...variablesRead(read('src/sandbox/main.ts')),
]);
const page = read('docs/configuration.md');
const listed = documented(page);

describe('docs/configuration.md', () => {
  it('the reader finds the variables of src/config.ts (so an empty match cannot pass)', () => {
    const fromConfig = variablesRead(config);
    expect(fromConfig.size).toBeGreaterThan(70);
    for (const v of [
      'ARCHTICS_BASE_URL',
      'GRAPHQL_MAX_UPSTREAM_CALLS',
      'GRAPHQL_TRUSTED_DOCUMENTS',
      'APQ_MAX_ENTRIES',
      'RESPONSE_CACHE',
      'DATA_DIR',
      'CORS_ORIGINS',
      'METRICS_TOKEN',
      'GRAPHIQL',
      'GRAPHQL_INTROSPECTION',
      'SANDBOX_ASYNC',
      'SANDBOX_POLLS_TO_RESULT',
      'IDEMPOTENCY_LEASE_MS',
      'ARCHTICS_REPLICAS',
      'REDIS_BREAKER_THRESHOLD',
      'GRAPHQL_OPERATION_DEADLINE_MS',
      'CACHE_TTL_<COMMAND>_MS',
    ]) {
      expect(fromConfig, v).toContain(v);
    }
  });

  it('lists every variable the gateway and the sandbox read', () => {
    expect([...readByGateway].filter((v) => !listed.has(v)).sort()).toEqual([]);
  });

  it('lists no variable that nothing reads', () => {
    expect([...listed].filter((v) => !readByGateway.has(v)).sort()).toEqual([]);
  });

  it('gives each variable one row', () => {
    const rows = [...page.matchAll(/^\|\s*`([A-Z][A-Z0-9_<>]*)`\s*\|/gm)].map((m) => m[1]);
    expect(rows.filter((v, i) => rows.indexOf(v) !== i)).toEqual([]);
  });
});
