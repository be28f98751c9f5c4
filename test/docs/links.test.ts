/**
 * Every relative link of the documentation (README.md, docs/**\/*.md, bench/README.md) resolves to a
 * file of this repository, and every `#anchor` to a heading of its target. No link or path points
 * outside the repository (a reader of the package or of GitHub has no /work/…).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, anchors, documentationFiles, linkTargets, read, slug } from './markdown.js';

const files = documentationFiles();

describe('the documentation files', () => {
  it('include the README, the docs/ pages and bench/README.md', () => {
    expect(files).toContain('README.md');
    expect(files).toContain('bench/README.md');
    for (const page of [
      'configuration',
      'operations',
      'sandbox',
      'federation',
      'errors',
      'architecture',
    ]) {
      expect(files).toContain(`docs/${page}.md`);
    }
  });
});

describe.each(files)('%s', (file) => {
  const text = read(file);
  const links = linkTargets(text).filter((t) => !/^(https?:|mailto:)/i.test(t));

  it('links only to files inside the repository, and they exist', () => {
    const broken: string[] = [];
    for (const target of links) {
      const [path] = target.split('#');
      if (path === '') continue; // an anchor of this file
      if (path.startsWith('/') || /^[a-z]+:/i.test(path)) {
        broken.push(`${target}: not a relative link`);
        continue;
      }
      const resolved = normalize(join(dirname(join(ROOT, file)), decodeURIComponent(path)));
      const inside = relative(ROOT, resolved);
      if (inside.startsWith('..') || inside.split(sep)[0] === 'node_modules')
        broken.push(`${target}: outside the repository`);
      else if (!existsSync(resolved)) broken.push(`${target}: no such file`);
    }
    expect(broken).toEqual([]);
  });

  it('links to headings that exist', () => {
    const broken: string[] = [];
    for (const target of links) {
      const hash = target.indexOf('#');
      if (hash < 0) continue;
      const path = target.slice(0, hash);
      const anchor = decodeURIComponent(target.slice(hash + 1));
      const targetFile =
        path === ''
          ? join(ROOT, file)
          : normalize(join(dirname(join(ROOT, file)), decodeURIComponent(path)));
      if (
        !targetFile.endsWith('.md') ||
        !existsSync(targetFile) ||
        statSync(targetFile).isDirectory()
      )
        continue; // reported above
      if (!anchors(read(relative(ROOT, targetFile))).has(anchor)) broken.push(target);
    }
    expect(broken).toEqual([]);
  });

  it('names no path outside the repository', () => {
    expect(text).not.toMatch(/\/work\/|file:\/\/|\]\(\.\.\/\.\.\/\.\.\//);
  });
});

describe('the link reader', () => {
  it('finds links outside code only, and makes GitHub anchors', () => {
    expect(linkTargets('[a](x.md) `[b](y.md)`\n```\n[c](z.md)\n```\n![d](p.png "t")')).toEqual([
      'x.md',
      'p.png',
    ]);
    expect(slug('Redis as a dependency (`REDIS_URL`)')).toBe('redis-as-a-dependency-redis_url');
    expect(slug('Hold → cart → checkout → pay → print')).toBe('hold--cart--checkout--pay--print');
    expect([...anchors('# A\n## A\n```\n# B\n```\n')]).toEqual(['a', 'a-1']);
  });
});
