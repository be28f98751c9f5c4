/**
 * The ticket type of a hold that names none: read from the service (event_price_info, cached), never
 * a code only our sandbox uses. The first ticket type listed for the chosen price code, or for the
 * cheapest price code when none is chosen.
 */
import { describe, expect, it } from 'vitest';
import { defaultTicketType } from '../../resolvers/holds.js';
import type { PriceCodeInfo } from '../../src/archtics/types.js';

const codes: PriceCodeInfo[] = [
  { code: 'PLAT', description: 'Platinum', ticketTypes: [{ code: '_M', description: 'Member', price: 9000 }, { code: '_A', description: 'Full', price: 11000 }] },
  { code: 'VAL', description: 'Value', ticketTypes: [{ code: '_C', description: 'Junior', price: 1500 }, { code: '_A', description: 'Full', price: 3000 }] },
  { code: 'EMPTY', description: 'Nothing sold', ticketTypes: [] },
];

describe('defaultTicketType', () => {
  it('is the first ticket type listed for the chosen price code', () => {
    expect(defaultTicketType(codes, 'PLAT')).toBe('_M');
    expect(defaultTicketType(codes, 'VAL')).toBe('_C');
  });

  it('is the first ticket type of the cheapest price code when none is chosen', () => {
    expect(defaultTicketType(codes, undefined)).toBe('_C');
    expect(defaultTicketType([codes[0]], undefined)).toBe('_M');
  });

  it('is undefined when the price code sells nothing or is unknown (the hold is then refused as BAD_USER_INPUT)', () => {
    expect(defaultTicketType(codes, 'EMPTY')).toBeUndefined();
    expect(defaultTicketType(codes, 'NOPE')).toBeUndefined();
    expect(defaultTicketType([], undefined)).toBeUndefined();
  });
});
