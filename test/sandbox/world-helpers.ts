/**
 * Shared helpers of the world tests: a world on a fake clock, a terse command runner, and an
 * exact-shape check (every required field present with its type, nothing undocumented).
 */
import { expect } from 'vitest';
import type { CommandName } from '../../src/sandbox/reference.js';
import { createWorld, type Outcome, type SandboxWorld } from '../../src/sandbox/world/index.js';

/** 2026-11-29 12:00 UTC: inside the season, so event_search's default window finds events. */
export const START = Date.UTC(2026, 10, 29, 12, 0, 0);

export interface TestWorld {
  world: SandboxWorld;
  clock: { now(): number; advance(ms: number): void; set(ms: number): void };
  run(cmd: CommandName, fields?: Record<string, unknown>): Outcome;
  /** Runs and asserts success; returns the output fields. */
  okRun(cmd: CommandName, fields?: Record<string, unknown>): Record<string, any>;
}

export function testWorld(seed = 1): TestWorld {
  let now = START;
  const clock = {
    now: () => now,
    advance: (ms: number) => void (now += ms),
    set: (ms: number) => void (now = ms),
  };
  const world = createWorld({ seed, clock });
  const run = (cmd: CommandName, fields: Record<string, unknown> = {}) =>
    world.execute(cmd, { cmd, uid: 'tester', dsn: 'apigee', ...fields });
  const okRun = (cmd: CommandName, fields: Record<string, unknown> = {}) => {
    const out = run(cmd, fields);
    expect(out, `${cmd} ${JSON.stringify(out).slice(0, 300)}`).toMatchObject({
      result: 0,
      sql_code: 0,
    });
    expect(out.error_detail).toBeUndefined();
    return (out.fields ?? {}) as Record<string, any>;
  };
  return { world, clock, run, okRun };
}

type Kind = 'string' | 'number' | 'int' | 'array' | 'object' | '0|1';

/** Field spec: name → kind; a trailing "?" on the name marks an optional field. */
export type Shape = Record<string, Kind>;

export function expectShape(value: unknown, shape: Shape, where = 'value'): void {
  expect(value, where).toBeTypeOf('object');
  const obj = value as Record<string, unknown>;
  const allowed = new Set<string>();
  for (const [rawName, kind] of Object.entries(shape)) {
    const optional = rawName.endsWith('?');
    const name = optional ? rawName.slice(0, -1) : rawName;
    allowed.add(name);
    const v = obj[name];
    if (v === undefined) {
      expect(optional, `${where}.${name} is required`).toBe(true);
      continue;
    }
    expect(v, `${where}.${name} is never null`).not.toBeNull();
    const ok =
      kind === 'string'
        ? typeof v === 'string'
        : kind === 'number'
          ? typeof v === 'number' && Number.isFinite(v)
          : kind === 'int'
            ? Number.isInteger(v)
            : kind === 'array'
              ? Array.isArray(v)
              : kind === '0|1'
                ? v === 0 || v === 1
                : typeof v === 'object' && !Array.isArray(v);
    expect(ok, `${where}.${name} should be ${kind}, got ${JSON.stringify(v)}`).toBe(true);
  }
  for (const key of Object.keys(obj))
    expect(allowed.has(key), `${where}.${key} is not documented`).toBe(true);
}

/** A price JSON number with at most two decimals. */
export function expectMoney(v: unknown): void {
  expect(typeof v).toBe('number');
  expect(Math.abs((v as number) * 100 - Math.round((v as number) * 100))).toBeLessThan(1e-6);
}

export const HELD_RUN: Shape = {
  event_name: 'string',
  section_name: 'string',
  row_name: 'string',
  seat_num: 'int',
  num_seats: 'int',
  last_seat: 'int',
  price_code: 'string',
  ticket_type_code: 'string',
  price: 'number',
};

export const SOLD_BLOCK: Shape = {
  event_name: 'string',
  event_id: 'int',
  section_name: 'string',
  row_name: 'string',
  seat_num: 'int',
  num_seat: 'int',
  last_seat: 'int',
  seat_increment: 'int',
  price_code: 'string',
  ticket_type_code: 'string',
  full_price: 'number',
  block_full_price: 'number',
  purchase_price: 'number',
  block_purchase_price: 'number',
  seat_status_ind: 'string',
  purchase_date: 'string',
  atomic_seats: 'array',
};
