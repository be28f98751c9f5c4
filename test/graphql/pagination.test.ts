/**
 * Pages cut from a memoised, presorted list (Customer.seats over a cached seats_sold answer) are
 * exactly the pages the sort-every-time path gives, for every combination of first/last/after/before;
 * the memo is per answer (same frozen blocks → same list) and never applies to unfrozen blocks.
 */
import { describe, expect, it } from 'vitest';
import type { SeatBlock } from '../../src/archtics/types.js';
import {
  checkPage,
  cursorOf,
  paginate,
  paginateSorted,
  paginateSortedShared,
} from '../../resolvers/pagination.js';
import { seatCursors, seatsFromBlocks, sortedSeatsFromBlocks } from '../../resolvers/seats.js';

function block(
  eventName: string,
  section: string,
  row: string,
  firstSeat: number,
  numSeats: number,
  atomic: number[] = [],
): SeatBlock {
  return {
    eventName,
    eventId: 1,
    section,
    row,
    firstSeat,
    numSeats,
    lastSeat: firstSeat + numSeats - 1,
    seatIncrement: 1,
    priceCode: 'A',
    ticketTypeCode: 'ADULT',
    fullPrice: 1000 as SeatBlock['fullPrice'],
    blockFullPrice: 1000 as SeatBlock['blockFullPrice'],
    purchasePrice: 900 as SeatBlock['purchasePrice'],
    blockPurchasePrice: 900 as SeatBlock['blockPurchasePrice'],
    seatStatus: 'S',
    purchaseDate: '2026-01-02',
    atomicSeats: atomic.map((n) => ({
      seat: String(n),
      barcode: `B${n}`,
      ticketStatus: 'P',
    })) as SeatBlock['atomicSeats'],
  };
}

// Deliberately out of order: events, natural section/row order ("2" < "10"), seat numbers.
const BLOCKS: SeatBlock[] = [
  block('EVENT10', '101', 'B', 5, 3),
  block('EVENT02', '10', 'A', 1, 4),
  block('event02', '2', 'AA', 7, 2, [8, 7]),
  block('EVENT02', '2', 'A', 3, 3),
  block('EVENT01', '300', 'C', 11, 1),
];

function deepFrozen<T>(v: T): T {
  if (v && typeof v === 'object') {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFrozen(x);
  }
  return v;
}

describe('presorted pages', () => {
  it('match the sort-every-time pages for every first/last/after/before', () => {
    const seats = seatsFromBlocks(BLOCKS);
    const sorted = sortedSeatsFromBlocks(deepFrozen(structuredClone(BLOCKS)));
    const cursors = [
      undefined,
      ...sorted.map((s) => cursorOf(seatCursors, s)),
      cursorOf(seatCursors, {
        eventName: 'EVENT05',
        section: '1',
        row: 'A',
        number: 1,
        status: 'SOLD',
      }),
    ];
    let cases = 0;
    for (const size of [undefined, 0, 1, 2, 5, 100]) {
      for (const dir of ['first', 'last'] as const) {
        for (const after of cursors) {
          for (const before of [undefined, cursors[3], cursors[9], cursors[cursors.length - 1]]) {
            const page = checkPage({ [dir]: size, after, before }, seatCursors);
            expect(paginateSorted(sorted, page, seatCursors)).toEqual(
              paginate(seats, page, seatCursors),
            );
            cases++;
          }
        }
      }
    }
    expect(cases).toBeGreaterThan(100);
  });

  it('memoise per frozen answer, never for unfrozen blocks', () => {
    const frozen = deepFrozen(structuredClone(BLOCKS));
    const once = sortedSeatsFromBlocks(frozen);
    expect(sortedSeatsFromBlocks(frozen)).toBe(once);
    expect(Object.isFrozen(once) && once.every((s) => Object.isFrozen(s))).toBe(true);
    expect(once.map((s) => `${s.eventName}|${s.section}|${s.row}|${s.number}`).slice(0, 4)).toEqual(
      ['EVENT01|300|C|11', 'EVENT02|2|A|3', 'EVENT02|2|A|4', 'EVENT02|2|A|5'],
    );
    expect(once.find((s) => s.number === 8)?.barcode).toBe('B8');

    const plain = structuredClone(BLOCKS);
    const a = sortedSeatsFromBlocks(plain);
    expect(sortedSeatsFromBlocks(plain)).not.toBe(a);
    expect(a).toEqual(once);
  });

  it('share one frozen page per frozen list and page, equal to a fresh one', () => {
    const sorted = sortedSeatsFromBlocks(deepFrozen(structuredClone(BLOCKS)));
    const first = checkPage({ first: 3 }, seatCursors);
    const page = paginateSortedShared(sorted, first, seatCursors);
    expect(page).toEqual(paginateSorted(sorted, first, seatCursors));
    expect(paginateSortedShared(sorted, checkPage({ first: 3 }, seatCursors), seatCursors)).toBe(
      page,
    );
    expect(
      Object.isFrozen(page) && Object.isFrozen(page.edges[0]) && Object.isFrozen(page.pageInfo),
    ).toBe(true);
    const next = checkPage({ first: 3, after: page.pageInfo.endCursor }, seatCursors);
    expect(paginateSortedShared(sorted, next, seatCursors)).toEqual(
      paginateSorted(sorted, next, seatCursors),
    );
    const plain = sortedSeatsFromBlocks(structuredClone(BLOCKS));
    expect(paginateSortedShared(plain, first, seatCursors)).not.toBe(
      paginateSortedShared(plain, first, seatCursors),
    );
  });
});
