/**
 * patches/ holds fixes to dependencies that upstream has not released yet (applied on install by
 * scripts/apply-patches.mjs through patch-package). A test per patch: if an install skipped it, or
 * a new version of the package arrived without the fix, this says so instead of a silent slowdown.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

describe('@envelop/response-cache: the result walk visits each list once', () => {
  const root = dirname(require.resolve('@envelop/response-cache/package.json'));
  for (const build of ['esm', 'cjs']) {
    it(`${build}/plugin.js has no second walk of arrays (nested lists cost 2^depth walks without the patch)`, () => {
      const source = readFileSync(join(root, build, 'plugin.js'), 'utf8');
      const walk = source.slice(source.indexOf('function removeMetadataFieldsFromResult'));
      const from = walk.indexOf('for (const key in data)');
      const loop = walk.slice(from, walk.indexOf('return data;', from));
      expect(loop).toContain("typeof value === 'object'");
      expect(loop).not.toContain('Array.isArray(value)');
    });
  }
});
