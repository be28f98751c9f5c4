/**
 * GraphiQL's renderer inlines its assets (a 9 MB module, about 80 MB of a process's memory): it is
 * loaded on the first page view, not when the gateway starts, so a process that never shows
 * GraphiQL never carries it (memory.test.ts's RSS bound counts on that). Run in a child process, whose
 * module graph starts empty.
 */
import { fork } from 'node:child_process';
import { expect, it } from 'vitest';

it('the GraphiQL renderer is loaded on the first page view, not at start', async () => {
  const child = fork(new URL('./graphiql-lazy-child.ts', import.meta.url).pathname, [], {
    execPath: process.execPath,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const report = await new Promise<Record<string, unknown>>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Record<string, unknown>));
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before reporting`)));
  });
  expect(report).toEqual({ atStart: false, afterPage: true, status: 200, isGraphiQL: true });
}, 60_000);
