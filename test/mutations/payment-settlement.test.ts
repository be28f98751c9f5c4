/**
 * The settlement rules of an unknown payment outcome, against a fake command API (the sandbox
 * cannot make a sent payment vanish): reads that show "not paid" are believed only once the send
 * can no longer be carried out upstream; disagreeing reads never lead to a send.
 */
import { GraphQLError } from 'graphql';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { submitPayment, type SubmitPaymentArgs } from '../../resolvers/payments.js';
import { ArchticsCommandError, UpstreamTimeoutError } from '../../src/archtics/errors.js';
import type { CheckOutResult, SeatBlock } from '../../src/archtics/types.js';
import { ManualClock } from '../../src/clock.js';
import type { GatewayContext } from '../../src/context.js';
import { createIdempotency } from '../../src/idempotency/index.js';
import { MemoryCartOwnerStore } from '../../src/store/index.js';

const IN_FLIGHT_MS = 60_000;

const priced: CheckOutResult = {
  items: [
    {
      lineItem: 1,
      eventName: 'EVENT01',
      section: '101',
      row: 'A',
      firstSeat: 7,
      numSeats: 2,
      priceCode: 'A',
      ticketTypeCode: 'ADULT',
      price: 14500,
      lineTotal: 29000,
    },
  ],
  serviceCharges: [],
  paymentPlans: [],
  subtotal: 29000,
  feesTotal: 1000,
  amountDue: 30000,
};

function block(seats: number[]): SeatBlock {
  return {
    eventName: 'EVENT01',
    eventId: 1,
    section: '101',
    row: 'A',
    firstSeat: seats[0],
    numSeats: seats.length,
    lastSeat: seats[seats.length - 1],
    seatIncrement: 1,
    priceCode: 'A',
    ticketTypeCode: 'ADULT',
    fullPrice: 14500,
    blockFullPrice: 0,
    purchasePrice: 14500,
    blockPurchasePrice: 0,
    seatStatus: 'S',
    purchaseDate: '2026-11-29',
    atomicSeats: seats.map((s) => ({ seat: String(s) })),
  };
}

/** A fake upstream whose world the test sets: is the cart there, which seats are sold. */
function fakeContext(timing: { inFlightMs?: number; leaseMs?: number } = {}) {
  const clock = new ManualClock();
  const world = {
    cartThere: true,
    sold: [] as number[],
    sends: 0,
    reads: 0,
    nextSend: 'lost' as 'lost' | 'ok' | 'hang',
    /** Ends a send made with nextSend 'hang' (still polling upstream until then). */
    finish: undefined as undefined | (() => void),
  };
  const api = {
    checkOut: async () => {
      if (!world.cartThere) throw new ArchticsCommandError('gone', 6004, 100, 'gone');
      return priced;
    },
    paymentRequest: async () => {
      world.sends++;
      if (world.nextSend === 'hang') await new Promise<void>((resolve) => (world.finish = resolve));
      if (world.nextSend === 'lost')
        throw new UpstreamTimeoutError('no answer', true, {
          command: 'payment_request',
          kind: 'write',
        });
      return { orderNum: 500001, confirmationNum: 'CONF1', payments: [] };
    },
    shoppingCart: async () => {
      if (!world.cartThere) throw new ArchticsCommandError('gone', 6004, 100, 'gone');
      return { orderNum: 500001, seats: [], subtotal: 0 };
    },
    seatsSold: async () => {
      world.reads++;
      return { count: 1, blocks: world.sold.length ? [block(world.sold)] : [] };
    },
  };
  const ctx = {
    auth: { scopes: ['read', 'hold', 'buy'], authenticated: false },
    api,
    freshApi: api,
    logger: pino({ level: 'silent' }),
    idempotency: createIdempotency({
      clock,
      inFlightMs: timing.inFlightMs ?? IN_FLIGHT_MS,
      leaseMs: timing.leaseMs ?? LEASE_MS,
    }),
    carts: new MemoryCartOwnerStore(clock),
  } as unknown as GatewayContext;
  return { ctx, world, clock };
}

const args: SubmitPaymentArgs = {
  idempotencyKey: 'settle-key-0001',
  acctId: 100000,
  orderNum: 500001,
  amount: '300.00',
  card: {
    type: 'VI',
    number: '4111111111111111',
    cvv: '123',
    expiry: '1239',
    firstName: 'Ada',
    lastName: 'Lovelace',
  },
};

const LEASE_MS = 5 * 60_000;

/** The GraphQL error a call ends with (its extensions), or 'no error'. */
async function extensionsOf(p: Promise<unknown>): Promise<Record<string, unknown> | string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof GraphQLError) return e.extensions;
    throw e;
  }
  return 'no error';
}

async function code(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e instanceof GraphQLError ? e.extensions.code : e;
  }
  return 'no error';
}

describe('settling an unknown payment outcome', () => {
  it('"cart there, nothing sold" is believed only past the in-flight horizon; then the payment is sent again, once', async () => {
    const { ctx, world, clock } = fakeContext();
    expect(await code(submitPayment(args, ctx))).toBe('PAYMENT_OUTCOME_UNKNOWN');
    expect(world.sends).toBe(1);

    await clock.advance(IN_FLIGHT_MS - 1_000);
    expect(await code(submitPayment(args, ctx))).toBe('PAYMENT_OUTCOME_UNKNOWN');
    expect(world.sends).toBe(1);

    await clock.advance(2_000);
    world.nextSend = 'ok';
    await expect(submitPayment(args, ctx)).resolves.toMatchObject({
      confirmationNum: 'CONF1',
      settledByReading: false,
    });
    expect(world.sends).toBe(2);
    await expect(submitPayment(args, ctx)).resolves.toMatchObject({ replayed: true });
    expect(world.sends).toBe(2);
  });

  it('cart gone and its seats sold to the account: paid, established by reading, nothing sent', async () => {
    const { ctx, world } = fakeContext();
    await code(submitPayment(args, ctx));
    world.cartThere = false;
    world.sold = [7, 8];
    await expect(submitPayment(args, ctx)).resolves.toMatchObject({
      settledByReading: true,
      confirmationNum: null,
      amount: 30000,
    });
    expect(world.sends).toBe(1);
  });

  it('cart gone and nothing sold: CartExpired, nothing sent', async () => {
    const { ctx, world, clock } = fakeContext();
    await code(submitPayment(args, ctx));
    world.cartThere = false;
    await clock.advance(IN_FLIGHT_MS * 2);
    await expect(submitPayment(args, ctx)).rejects.toMatchObject({
      name: 'CartExpired',
      settledByReading: true,
    });
    expect(world.sends).toBe(1);
  });

  it('reads that disagree (one seat sold, one not) stay unknown forever and never send', async () => {
    const { ctx, world, clock } = fakeContext();
    await code(submitPayment(args, ctx));
    world.sold = [7];
    await clock.advance(IN_FLIGHT_MS * 2);
    expect(await code(submitPayment(args, ctx))).toBe('PAYMENT_OUTCOME_UNKNOWN');
    expect(world.sends).toBe(1);
  });

  describe('a retry while an attempt with the key is in progress (issue 13: it held its connection 30 s and said "retry after 1 s")', () => {
    it("answers at once — the clock never moves — PAYMENT_OUTCOME_UNKNOWN with retryAfterSeconds = until the attempt's lease ends; nothing sent", async () => {
      const { ctx, world, clock } = fakeContext();
      world.nextSend = 'hang';
      const first = submitPayment(args, ctx);
      await new Promise((r) => setImmediate(r));
      expect(world.sends).toBe(1);

      // The manual clock does not move: a retry that waited for the attempt would never answer.
      expect(await extensionsOf(submitPayment(args, ctx))).toMatchObject({
        code: 'PAYMENT_OUTCOME_UNKNOWN',
        idempotencyKey: args.idempotencyKey,
        retryAfterSeconds: LEASE_MS / 1000,
      });
      await clock.advance(60_000);
      expect(await extensionsOf(submitPayment(args, ctx))).toMatchObject({
        retryAfterSeconds: (LEASE_MS - 60_000) / 1000,
      });
      expect(world.sends).toBe(1);

      world.nextSend = 'ok';
      world.finish!();
      await expect(first).resolves.toMatchObject({ confirmationNum: 'CONF1' });
    });

    it('after the attempt ends, the retry replays its outcome', async () => {
      const { ctx, world } = fakeContext();
      world.nextSend = 'hang';
      const first = submitPayment(args, ctx);
      await new Promise((r) => setImmediate(r));
      expect(await code(submitPayment(args, ctx))).toBe('PAYMENT_OUTCOME_UNKNOWN');
      world.nextSend = 'ok';
      world.finish!();
      await expect(first).resolves.toMatchObject({ confirmationNum: 'CONF1', replayed: false });
      await expect(submitPayment(args, ctx)).resolves.toMatchObject({
        confirmationNum: 'CONF1',
        replayed: true,
      });
      expect(world.sends).toBe(1);
    });

    it('an attempt that died (its lease not renewed): busy until its lease ends, then taken over and settled by reading, with what is left of the settlement horizon', async () => {
      const { ctx, world, clock } = fakeContext({ leaseMs: 10_000, inFlightMs: 60_000 });
      world.nextSend = 'hang';
      void submitPayment(args, ctx).catch(() => undefined); // never ends, never renews (manual clock): as good as a kill -9
      await new Promise((r) => setImmediate(r));
      expect(await extensionsOf(submitPayment(args, ctx))).toMatchObject({
        code: 'PAYMENT_OUTCOME_UNKNOWN',
        retryAfterSeconds: 10,
      });
      await clock.advance(10_000);
      // Taken over: the reads show the cart and no sale, which proves nothing while the send may
      // still be carried out — the retry-after is what is left of that horizon (60 s - 10 s).
      expect(await extensionsOf(submitPayment(args, ctx))).toMatchObject({
        code: 'PAYMENT_OUTCOME_UNKNOWN',
        retryAfterSeconds: 50,
      });
      expect(world.sends).toBe(1);
      expect(world.reads).toBe(1);
    });
  });

  describe("a new key meets the cart gone at checkout (its first attempt's record lost, or paid under another key)", () => {
    const seen = ['EVENT01|101|A|7', 'EVENT01|101|A|8'];

    it('its seats sold to the account: PaymentSuccess settled by reading; nothing sent', async () => {
      const { ctx, world } = fakeContext();
      await ctx.carts.addSeats(args.orderNum, seen, args.acctId);
      world.cartThere = false;
      world.sold = [7, 8];
      await expect(
        submitPayment({ ...args, idempotencyKey: 'other-key-0001' }, ctx),
      ).resolves.toMatchObject({ settledByReading: true, confirmationNum: null, replayed: false });
      expect(world.sends).toBe(0);
      expect(world.reads).toBe(1);
    });

    it('none of its seats sold: CartExpired proven by reading; nothing sent', async () => {
      const { ctx, world } = fakeContext();
      await ctx.carts.addSeats(args.orderNum, seen, args.acctId);
      world.cartThere = false;
      await expect(submitPayment(args, ctx)).rejects.toMatchObject({
        name: 'CartExpired',
        settledByReading: true,
      });
      expect(world.sends).toBe(0);
      expect(world.reads).toBe(1);
    });

    it('some sold, some not: PAYMENT_OUTCOME_UNKNOWN, the key stays open; nothing sent', async () => {
      const { ctx, world } = fakeContext();
      await ctx.carts.addSeats(args.orderNum, seen, args.acctId);
      world.cartThere = false;
      world.sold = [8];
      expect(await code(submitPayment(args, ctx))).toBe('PAYMENT_OUTCOME_UNKNOWN');
      expect((await ctx.idempotency.store.get(`payment:${args.idempotencyKey}`))?.state).toBe(
        'open',
      );
      expect(world.sends).toBe(0);
    });

    it("a cart never seen holding anything: the service's CartExpired stands, not settled by reading", async () => {
      const { ctx, world } = fakeContext();
      world.cartThere = false;
      await expect(submitPayment(args, ctx)).rejects.toMatchObject({
        name: 'CartExpired',
        settledByReading: false,
      });
      expect(world.reads).toBe(0);
    });

    it("a sent attempt records the cart's seats before the send", async () => {
      const { ctx } = fakeContext();
      await code(submitPayment(args, ctx));
      expect((await ctx.carts.get(args.orderNum))?.seats.sort()).toEqual(seen);
    });
  });
});
