/**
 * No gateway test may silently depend on the default sandbox world's names: a faithful service has
 * other codes (SANDBOX_WORLD=alt has none in common). Every file under test/ is read — tests, their
 * support modules and operation documents — and a file that reaches a sandbox (it, or a test module
 * it imports, starts one) must not name a code of the default world that the alt world lacks:
 * events, ticket types, sections/rows/price codes given as arguments, account ids, venue, club.
 * Names come from the worlds themselves (src/sandbox/world/seed.ts), so a new code is covered.
 *
 * Exempt: the files that exist to test the default world (DEFAULT_WORLD_TESTS), the ones naming a
 * default code to show the gateway does not assume it (NAMED_TO_SHOW_IT_IS_NOT_ASSUMED), and files that
 * never reach a sandbox (parsers, stubs: their fixture data is their own). A dependent file that is
 * neither is listed in STILL_DEPENDENT with what it still uses; the list may only shrink — a test
 * reads names from the world's samples (test/support/worlds.ts samplesOf) instead.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generate } from '../../src/sandbox/world/seed.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SELF = 'test/config/default-world-names.test.ts';

/** Files that exist to test the sandbox's default world itself. */
const DEFAULT_WORLD_TESTS = ['test/sandbox/'];

/** Files that name a default-world code only to show it is not assumed (issue #11's own regressions). */
const NAMED_TO_SHOW_IT_IS_NOT_ASSUMED = ['test/mutations/default-ticket-type.test.ts'];

/**
 * Gateway test files still written against the default world: none since they read the world's
 * samples (issue #11). A file may join only while it is being moved, with what it still uses.
 */
const STILL_DEPENDENT = new Set<string>([]);

// ── The default world's own names (absent from the alt world) ──────────────────────────────────

const def = generate(1, 'default');
const alt = generate(1, 'alt');
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const only = (a: readonly string[], b: readonly string[]) =>
  [...new Set(a)].filter((x) => !b.includes(x));

const bare = [
  ...only(
    def.events.map((e) => e.name),
    alt.events.map((e) => e.name),
  ),
  ...only(
    def.venue.ticketTypes.map((t) => t.code),
    alt.venue.ticketTypes.map((t) => t.code),
  ),
  def.world.venueName,
  def.world.club,
];
/** Short codes are only a dependency where they are passed as one: `section: '101'`, `priceCode: "B"`. */
const asArgument = (fields: string, names: readonly string[]) =>
  `(?:${fields})["']?\\s*[:=,]\\s*["'](?:${names.map(escape).join('|')})["']`;
const [firstAcct, lastAcct] = [
  def.world.firstAcctId,
  def.world.firstAcctId + def.accounts.length - 1,
];

/** Matches one default-world name; the account ids are matched as numbers in the default range. */
export const DEFAULT_WORLD_NAME = new RegExp(
  [
    `\\b(?:${bare.map(escape).join('|')})\\b`,
    asArgument('section|section_name|sectionName', only(def.venue.sections, alt.venue.sections)),
    asArgument('row|row_name|rowName', only(def.venue.rows, alt.venue.rows)),
    asArgument(
      'priceCode|price_code',
      only(
        def.venue.priceCodes.map((p) => p.code),
        alt.venue.priceCodes.map((p) => p.code),
      ),
    ),
    // Seat keys and global ids spell a seat as EVENT|section|row|seat.
    `\\|(?:${only(def.venue.sections, alt.venue.sections).join('|')})\\|`,
  ].join('|'),
  'g',
);

/** Numbers in the default account range, on lines that speak of accounts (not rate limits or sizes). */
function defaultAccountIds(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => /acct|account|customer|holder/i.test(line))
    .flatMap((line) => [...line.matchAll(/(?<![\w.])(\d{6})(?![\w.])/g)].map((m) => m[1]!))
    .filter((n) => Number(n) >= firstAcct && Number(n) <= lastAcct);
}

export function defaultWorldNames(text: string): string[] {
  return [
    ...new Set([
      ...[...text.matchAll(DEFAULT_WORLD_NAME)].map((m) => m[0]),
      ...defaultAccountIds(text),
    ]),
  ];
}

// ── Which files reach a sandbox ────────────────────────────────────────────────────────────────

/** Starting a sandbox: the sandbox package itself, or the embedded one through the gateway's entry. */
const STARTS_A_SANDBOX =
  /\bstartSandbox\s*\(|from ['"][./]*src\/sandbox\/index\.js['"]|from ['"][./]*src\/main\.js['"]|src\/main\.ts|npm run (?:sandbox|start)/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory())
      return name === 'artifacts' || name === 'gql' ? [] : files(path);
    return [path];
  });
}

/** Relative imports of a test module, as paths under the root. */
function localImports(path: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const target = resolve(dirname(path), m[1]!).replace(/\.js$/, '.ts');
    out.push(relative(root, target).split('\\').join('/'));
  }
  return out;
}

function scan() {
  const all = files(join(root, 'test')).map((p) => ({
    rel: relative(root, p).split('\\').join('/'),
    text: readFileSync(p, 'utf8'),
  }));
  const byRel = new Map(all.map((f) => [f.rel, f]));
  const reaches = new Map<string, boolean>();
  const reachesSandbox = (rel: string, seen = new Set<string>()): boolean => {
    const known = reaches.get(rel);
    if (known !== undefined) return known;
    const f = byRel.get(rel);
    if (!f || seen.has(rel)) return false;
    seen.add(rel);
    // Documents and data next to the tests are read by tests that do (operations/*.graphql).
    const yes =
      !rel.endsWith('.ts') ||
      STARTS_A_SANDBOX.test(f.text) ||
      localImports(join(root, rel), f.text).some(
        (i) => i.startsWith('test/') && reachesSandbox(i, seen),
      );
    reaches.set(rel, yes);
    return yes;
  };
  const dependent = new Map<string, string[]>();
  for (const f of all) {
    if (
      f.rel === SELF ||
      DEFAULT_WORLD_TESTS.some((p) => f.rel.startsWith(p)) ||
      NAMED_TO_SHOW_IT_IS_NOT_ASSUMED.includes(f.rel)
    )
      continue;
    const names = defaultWorldNames(f.text);
    if (names.length > 0 && reachesSandbox(f.rel)) dependent.set(f.rel, names);
  }
  return { all, dependent, reachesSandbox };
}

describe('no gateway test depends on the default world’s names', () => {
  it('the names are the default world’s own and match where tests would use them', () => {
    expect(bare).toEqual(
      expect.arrayContaining([
        'EVENT01',
        'CONC01',
        'HIST1601',
        'ADULT',
        'CHILD',
        'SENIOR',
        'Harbor City Arena',
      ]),
    );
    const hits = (s: string) => defaultWorldNames(s);
    expect(hits(`{ input: { eventName: 'EVENT11', ticketType: "ADULT" } }`)).toEqual([
      'EVENT11',
      'ADULT',
    ]);
    expect(hits(`customer(acctId: 100479) { x } const ACCT = 100000;`)).toEqual([
      '100479',
      '100000',
    ]);
    expect(hits(`{ section: '101', row: 'A', priceCode: 'B' }`)).toHaveLength(3);
    expect(hits(`globalId('Seat', 'EVENT09|101|A|1')`)).toEqual(['EVENT09', '|101|']);
    // Not dependencies: rate limits, other numbers, the alt world's names, words in prose.
    expect(
      hits(
        `ratePerMinute: 100_000, ARCHTICS_RATE_PER_MINUTE: '100000', 2_000_000, R26G01 _A N1 'A' section row`,
      ),
    ).toEqual([]);
  });

  it('files reaching a sandbox through a support module are found (the old scan read *.test.ts with a fixed list of helpers)', () => {
    const { reachesSandbox } = scan();
    expect(reachesSandbox('test/mutations/support.ts')).toBe(true);
    expect(reachesSandbox('test/federation/support.ts')).toBe(true);
    expect(reachesSandbox('test/frontends/support.ts')).toBe(true);
    expect(reachesSandbox('test/archtics/parsers.test.ts')).toBe(false);
  });

  it('none outside the default world’s own tests, except the listed ones (a list that only shrinks)', () => {
    const { dependent } = scan();
    const offenders = [...dependent]
      .filter(([rel]) => !STILL_DEPENDENT.has(rel))
      .map(([rel, names]) => `${rel}: ${names.slice(0, 8).join(', ')}`);
    expect(offenders).toEqual([]);
    expect([...STILL_DEPENDENT].filter((rel) => !dependent.has(rel))).toEqual([]);
  });
});
