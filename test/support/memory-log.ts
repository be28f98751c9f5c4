/**
 * A log destination in memory, for tests of what the gateway writes: `text` as written, `lines()` as
 * parsed JSON (a line that is not JSON fails the test).
 */
import { Writable } from 'node:stream';

export class MemoryLog {
  text = '';
  readonly stream = new Writable({
    write: (chunk: Buffer | string, _enc, done) => {
      this.text += chunk.toString();
      done();
    },
  });

  lines<T = Record<string, any>>(): T[] {
    return this.text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        try {
          return JSON.parse(l) as T;
        } catch {
          throw new Error(`log line is not JSON: ${l}`);
        }
      });
  }
}
