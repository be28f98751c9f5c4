/**
 * The ticket type of a hold that names none: read from the service (event_price_info, cached), never
 * a code only our sandbox uses. The first ticket type listed for the chosen price code, or for the
 * cheapest price code when none is chosen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTicketType } from '../../resolvers/holds.js';
import { fitsField } from '../../src/archtics/inputs.js';
import type { PriceCodeInfo } from '../../src/archtics/types.js';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { sandboxStats, startTestSandbox, TestGateway } from '../graphql/harness.js';
import { samplesOf } from '../support/worlds.js';
import { CHECKOUT, HOLD_BEST } from './support.js';

const codes: PriceCodeInfo[] = [
  {
    code: 'PLAT',
    description: 'Platinum',
    ticketTypes: [
      { code: '_M', description: 'Member', price: 9000 },
      { code: '_A', description: 'Full', price: 11000 },
    ],
  },
  {
    code: 'VAL',
    description: 'Value',
    ticketTypes: [
      { code: '_C', description: 'Junior', price: 1500 },
      { code: '_A', description: 'Full', price: 3000 },
    ],
  },
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

describe('against the alt world (ticket types _A, _C, _M; no ADULT anywhere)', () => {
  // With the command cache, as in production: the price list is read once for every hold.
  const env = {} as { sb: RunningSandbox; gw: TestGateway };
  beforeAll(async () => {
    env.sb = await startTestSandbox({ world: 'alt' });
    env.gw = await TestGateway.start(env.sb, {}, { cache: true });
  });
  afterAll(async () => {
    await env.gw?.close();
    await env.sb?.close();
  });
  type Data = Record<string, any>;

  async function heldTicketTypes(input: Record<string, unknown>): Promise<string[]> {
    const held = await env.gw.exec<Data, unknown>(HOLD_BEST, { input: { quantity: 1, ...input } });
    expect(held.errors, JSON.stringify(held.errors)).toBeUndefined();
    expect(held.data!.holdBestAvailable.__typename).toBe('HoldSeatsSuccess');
    const orderNum = held.data!.holdBestAvailable.orderNum as number;
    const co = await env.gw.exec<Data, unknown>(CHECKOUT, {
      input: { orderNum, acctId: samplesOf(env.sb).customer },
    });
    return co.data!.checkout.lineItems.map((i: any) => i.ticketType as string);
  }

  it('codes may start with an underscore (the gateway checked them as if they could not)', () => {
    expect(fitsField('ticket_type_code', '_A')).toBe(true);
    expect(fitsField('price_code', '_X1')).toBe(true);
  });

  it('no ticketType: the first one event_price_info lists for the chosen price code, read once (cached)', async () => {
    const s = samplesOf(env.sb);
    const before = await sandboxStats(env.sb);
    expect(
      await heldTicketTypes({ eventName: s.homeEvents[0], priceCode: s.priceCodes[3] }),
    ).toEqual([s.ticketTypes[0]]);
    expect(await heldTicketTypes({ eventName: s.homeEvents[0] })).toEqual([s.ticketTypes[0]]);
    const after = await sandboxStats(env.sb);
    expect((after.commands.event_price_info ?? 0) - (before.commands.event_price_info ?? 0)).toBe(
      1,
    );
  });

  it('a named ticket type of the world, in any case, is held as named', async () => {
    const s = samplesOf(env.sb);
    expect(
      await heldTicketTypes({
        eventName: s.homeEvents[1],
        ticketType: s.ticketTypes[1]!.toLowerCase(),
      }),
    ).toEqual([s.ticketTypes[1]]);
  });

  it('ADULT is not sold there: BAD_USER_INPUT, no hold sent', async () => {
    const s = samplesOf(env.sb);
    const before = await sandboxStats(env.sb);
    const r = await env.gw.exec<Data, unknown>(HOLD_BEST, {
      input: { eventName: s.homeEvents[2], quantity: 1, ticketType: 'ADULT' },
    });
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await sandboxStats(env.sb)).commands.seats_hold ?? 0).toBe(
      before.commands.seats_hold ?? 0,
    );
  });
});
