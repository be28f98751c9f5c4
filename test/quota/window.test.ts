import { describe, expect, it } from 'vitest';
import {
  MemorySlotStore,
  forecastSlots,
  nextSlot,
  remaining,
  type WindowLimits,
} from '../../src/quota/window.js';

const limits: WindowLimits = { perWindow: 3, windowMs: 60_000, perDay: 5, dayMs: 86_400_000 };

describe('sliding-window log (pure)', () => {
  it('frees a slot exactly one window after the N-th most recent send', () => {
    const state = { sends: [0, 10_000, 20_000], pausedUntil: 0 };
    expect(nextSlot(state, 30_000, limits)).toBe(60_000);
    expect(nextSlot({ sends: [0, 10_000], pausedUntil: 0 }, 30_000, limits)).toBe(30_000);
  });

  it('forecasts the slot of each caller in line, day limit included', () => {
    const slots = forecastSlots({ sends: [0], pausedUntil: 0 }, 0, limits, 6);
    // two more now, then one per freed minute-slot, then the day (5) is spent until 24 h after send 1
    expect(slots).toEqual([0, 0, 60_000, 60_000, 86_400_000, 86_400_000]);
  });

  it('holds every slot until a pause ends', () => {
    expect(forecastSlots({ sends: [], pausedUntil: 5_000 }, 0, limits, 4)).toEqual([
      5_000, 5_000, 5_000, 65_000,
    ]);
  });

  it('counts what is left in the window and the day', () => {
    expect(remaining([0, 10_000, 70_000], 70_000, limits)).toEqual({ window: 2, day: 2 });
    expect(remaining([0, 10_000, 70_000], 60_000 + 10_000, { ...limits, perWindow: 1 })).toEqual({
      window: 0,
      day: 2,
    });
  });

  it('memory store records only sends it allows and keeps the log bounded', () => {
    const store = new MemorySlotStore(limits);
    expect([store.tryTake(0), store.tryTake(0), store.tryTake(0)]).toEqual([null, null, null]);
    expect(store.tryTake(59_999)).toBe(60_000);
    expect(store.tryTake(60_000)).toBeNull();
    for (let day = 1; day <= 10; day++) expect(store.tryTake(day * limits.dayMs)).toBeNull();
    expect(store.read().sends.length).toBe(5);
  });

  it('memory store: untake() gives back an unsent take (its send, and a poll to its claim)', () => {
    const store = new MemorySlotStore(limits);
    expect(
      store.tryTake(0, {
        kind: 'first',
        claim: 'c1',
        polls: 2,
        deadline: Infinity,
        expiresAt: 600_000,
      }),
    ).toBeNull();
    expect(store.tryTake(300, { kind: 'poll', claim: 'c1' })).toBeNull();
    expect(store.read(300)).toMatchObject({ sends: [0, 300], reserved: 1 });
    store.untake(300, { kind: 'poll', claim: 'c1' });
    expect(store.read(300)).toMatchObject({ sends: [0], reserved: 2 });
    store.pauseUntil(5_000);
    expect(store.pauseEnd()).toBe(5_000);
  });
});
