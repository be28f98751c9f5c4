/**
 * The loader factory: a command loader's DataLoader batch and its synchronous cached get are built
 * from one spec, so they send (or look up) the same request and project the answer the same way.
 */
import { describe, expect, it } from 'vitest';
import type { CommandDef } from '../../src/archtics/types.js';
import { commandLoader } from '../../src/loaders/index.js';

interface Req {
  ids: string[];
}
interface Res {
  rows: { id: string; n: number }[];
}
const def = { name: 'fake_read' } as unknown as CommandDef<Req, Res>;

/** An api whose cache holds `cached` answers (by request JSON) and whose runs answer every id. */
function fakeApi(cached: Map<string, Res>) {
  const runs: Req[] = [];
  const peeks: Req[] = [];
  return {
    runs,
    peeks,
    run: async <Q, R>(_def: CommandDef<Q, R>, req: Q): Promise<R> => {
      runs.push(req as unknown as Req);
      return { rows: (req as unknown as Req).ids.map((id) => ({ id, n: 1 })) } as unknown as R;
    },
    getFresh: <Q, R>(_def: CommandDef<Q, R>, req: Q): { value: R } | undefined => {
      peeks.push(req as unknown as Req);
      const hit = cached.get(JSON.stringify(req));
      return hit && { value: hit as unknown as R };
    },
  };
}

const select = (answer: Res, id: string) => answer.rows.find((r) => r.id === id)?.n ?? null;

describe('commandLoader', () => {
  it('one command per key: get answers a cached key at once with the same request and projection as the batch', async () => {
    const api = fakeApi(new Map([[JSON.stringify({ ids: ['A'] }), { rows: [{ id: 'A', n: 7 }] }]]));
    const loader = commandLoader(api as never, {
      command: def,
      key: (id: string) => id,
      request: (id: string) => ({ ids: [id] }),
      select,
    });
    expect(loader.get('A')).toBe(7); // at once, no promise
    const b = loader.get('B');
    expect(b).toBeInstanceOf(Promise);
    expect(await b).toBe(1);
    expect(api.runs).toEqual([{ ids: ['B'] }]);
    expect(api.peeks).toEqual([{ ids: ['A'] }, { ids: ['B'] }]);
  });

  it('many keys per command: one call for the keys of a tick; a cached key is peeked with the one-key request', async () => {
    const api = fakeApi(new Map([[JSON.stringify({ ids: ['C'] }), { rows: [{ id: 'C', n: 3 }] }]]));
    const loader = commandLoader(api as never, {
      command: def,
      key: (id: string) => id,
      many: { request: (ids: readonly string[]) => ({ ids: [...ids] }), maxBatchSize: 10 },
      select,
    });
    expect(loader.get('C')).toBe(3);
    expect(await Promise.all([loader.load('A'), loader.load('B')])).toEqual([1, 1]);
    expect(api.runs).toEqual([{ ids: ['A', 'B'] }]);
  });
});
