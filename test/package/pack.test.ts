/**
 * The package as another project installs it: `npm run build` (dist/ with .d.ts), `npm pack`, then
 * a scratch project with its OWN graphql installs the tarball — offline, from the tarball and npm's
 * cache — and, in a child process on the same Node, runs the gateway factory against the package's
 * sandbox, stitches the gateway into its own schema (introspected, built with its graphql) and
 * reads the subgraph SDL. The postinstall check must not get in its way.
 *
 * Offline: npm's cache holds the tarballs `npm ci` fetched, not the registry's metadata, so the
 * scratch project gets a lockfile cut from ours (the versions we test with) and runs `npm ci --offline`.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  license: string;
  engines: Record<string, string>;
  exports: Record<string, unknown>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};

/** npm in a child, with the environment of neither this project's npm run nor its INIT_CWD. */
function npm(args: string[], cwd: string): string {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k !== 'INIT_CWD' && !k.startsWith('npm_')),
  );
  return execFileSync('npm', args, {
    cwd,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

interface LockEntry {
  dev?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [k: string]: unknown;
}

/**
 * A package-lock for a project that depends on `deps` (names in our lockfile) and on our tarball:
 * the entries of our lockfile that the tarball's dependencies and `deps` reach, resolved the way
 * Node does (nested node_modules first, then upwards), without their dev flags.
 */
function consumerLock(
  deps: string[],
  tarball: string,
): { lock: unknown; dependencies: Record<string, string> } {
  const packages = (
    JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, LockEntry>;
    }
  ).packages;
  const out: Record<string, unknown> = {};
  const resolve = (from: string, dep: string): string | undefined => {
    for (let base = from; ;) {
      const at = `${base ? `${base}/` : ''}node_modules/${dep}`;
      if (packages[at]) return at;
      if (!base) return undefined;
      const i = base.lastIndexOf('/node_modules/');
      base = i === -1 ? '' : base.slice(0, i);
    }
  };
  const visit = (path: string, entry: LockEntry): void => {
    if (out[path]) return;
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...rest } = entry;
    out[path] = rest;
    const requiredPeers = Object.keys(entry.peerDependencies ?? {}).filter(
      (n) => !entry.peerDependenciesMeta?.[n]?.optional,
    );
    for (const name of [
      ...Object.keys(entry.dependencies ?? {}),
      ...Object.keys(entry.optionalDependencies ?? {}),
      ...requiredPeers,
    ]) {
      const at = resolve(path, name);
      if (at) visit(at, packages[at]);
    }
  };
  const self: LockEntry = {
    version: pkg.version,
    resolved: `file:${tarball}`,
    integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`,
    hasInstallScript: true,
    license: pkg.license,
    dependencies: pkg.dependencies,
    peerDependencies: pkg.peerDependencies,
    engines: pkg.engines,
  };
  const dependencies = {
    ...Object.fromEntries(deps.map((d) => [d, packages[`node_modules/${d}`].version as string])),
    [pkg.name]: `file:${tarball}`,
  };
  out[''] = { name: 'consumer', dependencies };
  visit(`node_modules/${pkg.name}`, self);
  for (const d of deps) visit(`node_modules/${d}`, packages[`node_modules/${d}`]);
  return {
    lock: { name: 'consumer', lockfileVersion: 3, requires: true, packages: out },
    dependencies,
  };
}

const CONSUMER = /* js */ `
import { createGateway, loadConfig, COST_HEADER } from 'archtics-graphql-gateway';
import { startSandbox } from 'archtics-graphql-gateway/sandbox';
import { createStitchingSubschema } from 'archtics-graphql-gateway/stitching';
import { printSubgraphSDL } from 'archtics-graphql-gateway/subgraph';
import { stitchSchemas } from '@graphql-tools/stitch';
import { buildSchema, execute, parse } from 'graphql';

// The world's own names, as a newcomer reads them from the sandbox (TEST_SANDBOX_WORLD picks another world).
const sb = await startSandbox({ host: '127.0.0.1', port: 0, ...(process.env.TEST_SANDBOX_WORLD ? { world: process.env.TEST_SANDBOX_WORLD } : {}) });
const { seasonTicketHolder: holder, accountRange, homeEvents: home, concerts } = sb.world.samples;
const other = accountRange[0] + 12;
const gateway = await createGateway({
  // Events name by name (CACHE_CATALOGUE=false), as the call counts below assume.
  config: loadConfig({ ARCHTICS_BASE_URL: sb.url, ARCHTICS_API_KEY: sb.apiKey, ARCHTICS_DSN: sb.dsn, LOG_LEVEL: 'silent', DATA_DIR: './data', CACHE_CATALOGUE: 'false' }),
});
const crm = buildSchema('type Lead { id: ID! acctId: Int! customer: Customer interestedIn: [Event!]! } type Customer { acctId: Int! } type Event { name: String! } type Query { leads: [Lead!]! }');
crm.getQueryType().getFields().leads.resolve = () => [
  { id: 'L1', acctId: holder, customer: { acctId: holder }, interestedIn: [{ name: home[0] }, { name: concerts[0] }] },
  { id: 'L2', acctId: other, customer: { acctId: other }, interestedIn: [{ name: home[1] }] },
];
const schema = stitchSchemas({ subschemas: [await createStitchingSubschema({ yoga: gateway.yoga }), { schema: crm }] });
const result = await execute({ schema, document: parse('{ leads { id customer { acctId lastName } interestedIn { name venue date } } }') });
const res = await gateway.yoga.fetch('http://127.0.0.1/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: \`{ event(name: "\${home[2]}") { name } }\` }) });
console.log(JSON.stringify({
  names: { holder, other, home: home.slice(0, 3), concerts: concerts.slice(0, 1) },
  result,
  eventDetails: sb.stats().commands.event_details ?? 0,
  subgraphHasKeys: /@key\\(fields: "name"\\)/.test(printSubgraphSDL()),
  costHeader: res.headers.get(COST_HEADER),
}));
await gateway.close();
await sb.close();
`;

describe('the packed package in another project', () => {
  let work: string;
  let tarball: string;
  let project: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'archtics-pack-'));
    npm(['run', 'build'], root);
    const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', work], root)) as {
      filename: string;
      files: { path: string }[];
    }[];
    tarball = join(work, packed[0].filename);
    project = join(work, 'consumer');
    mkdirSync(project);
    const { lock, dependencies } = consumerLock(['graphql', '@graphql-tools/stitch'], tarball);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies }),
    );
    writeFileSync(join(project, 'package-lock.json'), JSON.stringify(lock));
    npm(['ci', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], project);
    writeFileSync(join(project, 'consumer.mjs'), CONSUMER);
  }, 600_000); // tsc emitting dist/ takes most of it
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('ships dist/ with declarations for every export, the schema files, and no sources or tests', () => {
    const files = (
      JSON.parse(npm(['pack', '--dry-run', '--json'], root)) as { files: { path: string }[] }[]
    )[0].files.map((f) => f.path);
    for (const entry of Object.values(pkg.exports)) {
      if (typeof entry === 'string') expect(files).toContain(entry.replace(/^\.\//, ''));
      else {
        const { types, default: js } = entry as { types: string; default: string };
        expect(files).toContain(js.replace(/^\.\//, ''));
        expect(files).toContain(types.replace(/^\.\//, ''));
      }
    }
    expect(files).toContain('schema/schema.graphql');
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(
      files.some(
        (f) => f.startsWith('test/') || f.startsWith('dist/test/') || f.startsWith('bench/'),
      ),
    ).toBe(false);
    expect(pkg.peerDependencies.graphql).toBeDefined();
  });

  it("installs with the project's own graphql as the only copy", () => {
    const copies = npm(['ls', 'graphql', '--all', '--parseable'], project)
      .trim()
      .split('\n')
      .filter(Boolean);
    expect(new Set(copies)).toEqual(new Set([join(project, 'node_modules', 'graphql')]));
    expect(existsSync(join(project, 'node_modules', pkg.name, 'dist', 'src', 'index.d.ts'))).toBe(
      true,
    );
    expect(readdirSync(join(project, 'node_modules', pkg.name))).not.toContain('src');
  });

  it("creates the gateway, stitches it into the project's schema and reads the subgraph SDL", () => {
    const out = execFileSync(process.execPath, ['consumer.mjs'], {
      cwd: project,
      encoding: 'utf8',
      timeout: 120_000,
    });
    const report = JSON.parse(out.trim().split('\n').at(-1)!) as {
      names: { holder: number; other: number; home: string[]; concerts: string[] };
      result: { data?: any; errors?: unknown[] };
      eventDetails: number;
      subgraphHasKeys: boolean;
      costHeader: string | null;
    };
    expect(report.result.errors).toBeUndefined();
    const { holder, other, home, concerts } = report.names;
    expect(report.result.data.leads).toEqual([
      {
        id: 'L1',
        customer: { acctId: holder, lastName: expect.any(String) },
        interestedIn: [
          { name: home[0], venue: expect.any(String), date: expect.any(String) },
          { name: concerts[0], venue: expect.any(String), date: expect.any(String) },
        ],
      },
      {
        id: 'L2',
        customer: { acctId: other, lastName: expect.any(String) },
        interestedIn: [{ name: home[1], venue: expect.any(String), date: expect.any(String) }],
      },
    ]);
    // Every event of the stitched operation in one event_details; then one for the third home game.
    expect(report.eventDetails).toBe(2);
    expect(report.subgraphHasKeys).toBe(true);
    expect(report.costHeader).toMatch(/^archtics;calls=1;/);
  });
});
