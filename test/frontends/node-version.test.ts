/**
 * The project runs on Node 24 whatever the machine's Node: `npm test` (this file) and `npm start`
 * (a child, whose start-up line names its runtime) both get node_modules/.bin/node from the `node`
 * devDependency.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('Node 24', () => {
  it('runs npm test', () => {
    expect(process.version).toMatch(/^v24\./);
  });

  it('runs npm start (its "listening" line names the runtime)', async () => {
    const child = spawn('npm', ['start'], {
      cwd: root,
      detached: true,
      env: {
        ...process.env,
        PORT: '0',
        LOG_LEVEL: 'info',
        DATA_DIR: mkdtempSync(join(tmpdir(), 'start-')),
        ARCHTICS_BASE_URL: '',
        REDIS_URL: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    try {
      const line = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`npm start said nothing about listening:\n${out}`)),
          50_000,
        );
        const onData = (chunk: Buffer) => {
          out += chunk.toString();
          const found = out.split('\n').find((l) => l.includes('GraphQL gateway listening'));
          if (found) {
            clearTimeout(timer);
            resolve(found);
          }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.once('exit', (code) => reject(new Error(`npm start exited (${code}):\n${out}`)));
      });
      expect(line).toMatch(/Node v24\.\d+\.\d+/);
    } finally {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    }
  }, 60_000);
});
