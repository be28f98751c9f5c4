/**
 * A command definition (src/archtics/commands/) is the only place on the client's side that names
 * a command's wire string or its result numbers; the cache names no command at all. The names and
 * codes come from the sandbox's own reading of the reference, so this holds whatever the client's
 * definitions say.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, RESULT_CODES } from '../../src/sandbox/reference.js';

const root = join(import.meta.dirname, '../..');

function filesUnder(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(root, path)).isDirectory()
      ? filesUnder(path)
      : path.endsWith('.ts')
        ? [path]
        : [];
  });
}

const gateway = ['src', 'resolvers', 'schema']
  .flatMap(filesUnder)
  .filter(
    (f) =>
      !f.startsWith(join('src', 'sandbox')) && !f.startsWith(join('src', 'archtics', 'commands')),
  );
const quoted = new RegExp(`["'\`](${COMMAND_NAMES.join('|')})["'\`]`);
const codes = new RegExp(`\\b(${Object.values(RESULT_CODES).join('|')})\\b`);
const bare = new RegExp(`\\b(${COMMAND_NAMES.join('|')})\\b`);

function offenders(files: readonly string[], pattern: RegExp): string[] {
  return files.flatMap((file) =>
    readFileSync(join(root, file), 'utf8')
      .split('\n')
      .flatMap((line, i) =>
        pattern.test(line) ? [`${relative(root, join(root, file))}:${i + 1}: ${line.trim()}`] : [],
      ),
  );
}

describe('one home per command', () => {
  it('scans the gateway (a sanity check of the scan itself)', () => {
    expect(gateway.length).toBeGreaterThan(50);
    expect(gateway).toContain(join('src', 'cache', 'runner.ts'));
    expect(
      offenders([join('src', 'archtics', 'commands', 'eventDetails.ts')], quoted).length,
    ).toBeGreaterThan(0);
  });

  it('no wire string of a command outside src/archtics/commands/ and the sandbox', () => {
    expect(offenders(gateway, quoted)).toEqual([]);
  });

  it('no result number outside src/archtics/commands/ and the sandbox', () => {
    expect(offenders(gateway, codes)).toEqual([]);
  });

  it('src/cache names no command, not even in a comment', () => {
    expect(offenders(filesUnder(join('src', 'cache')), bare)).toEqual([]);
  });
});
