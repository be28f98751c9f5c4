/**
 * The sandbox world's stateful behaviour: the complete purchase flow, payment failures, hold
 * expiry on a fake clock, racing holds, ticket printing and reprinting, and reset.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { RESULT_CODES } from '../../src/sandbox/reference.js';
import { expectShape, SOLD_BLOCK, testWorld, type TestWorld } from './world-helpers.js';

let t: TestWorld;
let samples: Record<string, any>;
beforeEach(() => {
  t = testWorld(1);
  samples = t.world.samples as Record<string, any>;
});

const card = (cc_num: string, amount: unknown) => [
  {
    pmt_type: 'VI',
    amount,
    auth_mode: 'O',
    credit_card: { cc_num, cin: '123', exp_date: '1229', first_name: 'Test', last_name: 'Buyer' },
  },
];

/** Holds, checks out and returns what a payment needs. */
function checkedOutCart(acctId: number, fields: Record<string, unknown>) {
  const hold = t.okRun('seats_hold', fields);
  const co = t.okRun('check_out', { acct_id: acctId, order_num: hold.order_num_out });
  return { hold, co, orderNum: hold.order_num_out as number };
}

function pay(
  acctId: number,
  orderNum: number,
  amount: unknown,
  cc = samples.approvedCard as string,
) {
  return t.run('payment_request', {
    acct_id: acctId,
    order_num: orderNum,
    cart_items: [{ order_line_item: 1, dm_code: 'E' }],
    mop: card(cc, amount),
    ext_trans_id: 'ext-1',
  });
}

describe('the complete purchase flow', () => {
  it('hold → cart → check_out → payment → seats_sold → ticket_print → reprint voids', () => {
    const acct = samples.customer as number;
    expect(t.run('seats_sold', { acct_id: acct }).result).toBe(RESULT_CODES.noBlocksFound);

    const hold = t.okRun('seats_hold', {
      event_name: 'EVENT12',
      acct_id: acct,
      ticket_type: [
        { ticket_type_code: 'ADULT', num_seats: 2 },
        { ticket_type_code: 'CHILD', num_seats: 1 },
      ],
      price_code: 'D',
    });
    const cart = t.okRun('shopping_cart', { order_num: hold.order_num_out });
    expect(cart.acct_id).toBe(acct);
    expect(cart.seats).toEqual(hold.seats);
    const co = t.okRun('check_out', { acct_id: acct, order_num: hold.order_num_out });
    expect(co.subtotal).toBe(65 * 2 + 39);
    expect(co.amount_due).toBe(co.subtotal + 3 * 2.5 + 5);

    // The amount arrives as a decimal string here: exact cents.
    const paid = pay(acct, hold.order_num_out, co.amount_due.toFixed(2));
    expect(paid.result).toBe(0);
    expectShape(paid.fields, { order_num: 'int', confirmation_num: 'string', mop: 'array' });
    expect(paid.fields!.order_num).toBe(hold.order_num_out);
    expect((paid.fields!.mop as any[])[0]).toMatchObject({
      cc_captured: 'Y',
      amount: co.amount_due,
    });
    expect((paid.fields!.mop as any[])[0].cc_results).toBeTypeOf('string');
    expect(t.world.purchases()).toHaveLength(1);

    // The cart is gone; the seats are sold (not available, not holdable).
    expect(t.run('shopping_cart', { order_num: hold.order_num_out }).result).toBe(
      RESULT_CODES.unknownCart,
    );
    const run = hold.seats[0];
    const avail: string[] = t.okRun('get_avail_seats', {
      event_name: 'EVENT12',
      summary_flag: 'N',
      section_name: run.section_name,
    }).manifest.seats.data;
    expect(
      avail.some((r) => r.startsWith(`${run.section_name},${run.row_name},${run.seat_num},`)),
    ).toBe(false);
    expect(
      t.run('seats_hold_specific', {
        event_name: 'EVENT12',
        section_name: run.section_name,
        row_name: run.row_name,
        seat_num: run.seat_num,
      }).result,
    ).toBe(RESULT_CODES.seatsNotAvailable);

    // seats_sold shows them with their purchase prices.
    const sold = t.okRun('seats_sold', { acct_id: acct });
    expect(sold.Count).toBe(2);
    for (const b of sold.seats_array) expectShape(b, SOLD_BLOCK, 'block');
    expect(
      sold.seats_array.map((b: any) => [
        b.event_name,
        b.ticket_type_code,
        b.num_seat,
        b.purchase_price,
        b.purchase_date,
      ]),
    ).toEqual([
      ['EVENT12', 'ADULT', 2, 65, '2026-11-29'],
      ['EVENT12', 'CHILD', 1, 39, '2026-11-29'],
    ]);

    // Print: barcodes for the account's seats of the event; seats_sold shows them.
    const printed = t.okRun('ticket_print', {
      acct_id: acct,
      event_name: 'event12',
      delivery_method: 'E',
    });
    expect(printed.tickets).toHaveLength(3);
    for (const tk of printed.tickets)
      expectShape(tk, {
        event_name: 'string',
        section_name: 'string',
        row_name: 'string',
        seat_num: 'int',
        barcode: 'string',
        ticket_status: 'string',
      });
    const codes = printed.tickets.map((x: any) => x.barcode);
    expect(new Set(codes).size).toBe(3);
    const atomic = t
      .okRun('seats_sold', { acct_id: acct })
      .seats_array.flatMap((b: any) => b.atomic_seats);
    expect(atomic.map((a: any) => a.barcode)).toEqual(codes);
    expect(atomic[0]).toEqual({
      atomic_seat: String(run.seat_num),
      barcode: codes[0],
      ticket_status: 'PB',
    });

    // Reprint one seat: new barcode, the old one void.
    const again = t.okRun('ticket_print', {
      acct_id: acct,
      event_name: 'EVENT12',
      delivery_method: 'P',
      seats: [{ section_name: run.section_name, row_name: run.row_name, seat_num: run.seat_num }],
    });
    expect(again.tickets).toHaveLength(1);
    expect(again.tickets[0].barcode).not.toBe(codes[0]);
    expect(t.world.barcodeStatus(codes[0])).toBe('VOID');
    expect(t.world.barcodeStatus(again.tickets[0].barcode)).toBe('PB');
    expect(t.world.barcodeStatus(codes[1])).toBe('PB');
    const atomic2 = t
      .okRun('seats_sold', { acct_id: acct })
      .seats_array.flatMap((b: any) => b.atomic_seats);
    expect(atomic2[0].barcode).toBe(again.tickets[0].barcode);
  });

  it('a season-ticket holder prints the season seats; 5069 when the account has none for the event', () => {
    const printed = t.okRun('ticket_print', {
      acct_id: 100479,
      event_name: 'EVENT01',
      delivery_method: 'E',
    });
    expect(printed.tickets.length).toBeGreaterThanOrEqual(samples.holderSeats.num_seats);
    expect(
      t.run('ticket_print', { acct_id: 100479, event_name: 'CONC01', delivery_method: 'E' }),
    ).toMatchObject({
      result: RESULT_CODES.noBlocksFound,
    });
    expect(t.run('ticket_print', { acct_id: samples.customer, event_name: 'EVENT01' }).result).toBe(
      RESULT_CODES.noBlocksFound,
    );
    expect(
      t.run('ticket_print', {
        acct_id: 100479,
        event_name: 'EVENT01',
        seats: [{ section_name: '310', row_name: 'V', seat_num: 20 }],
      }).result,
    ).toBe(RESULT_CODES.noBlocksFound);
  });
});

describe('payment_request failures', () => {
  it('7030 not checked out (or for another account), 6004 unknown cart', () => {
    const hold = t.okRun('seats_hold', {
      event_name: 'EVENT09',
      ticket_type: [{ ticket_type_code: 'ADULT', num_seats: 1 }],
    });
    expect(pay(100479, hold.order_num_out, 1).result).toBe(RESULT_CODES.cartNotCheckedOut);
    t.okRun('check_out', { acct_id: 100479, order_num: hold.order_num_out });
    expect(pay(samples.customer, hold.order_num_out, 1).result).toBe(
      RESULT_CODES.cartNotCheckedOut,
    );
    expect(pay(100479, 123, 1).result).toBe(RESULT_CODES.unknownCart);
  });
  it('adding seats after check_out needs a new check_out', () => {
    const { co, orderNum } = checkedOutCart(100479, {
      event_name: 'EVENT09',
      ticket_type: [{ ticket_type_code: 'ADULT', num_seats: 1 }],
    });
    t.okRun('seats_hold', {
      event_name: 'EVENT09',
      order_num_in: orderNum,
      ticket_type: [{ ticket_type_code: 'ADULT', num_seats: 1 }],
    });
    expect(pay(100479, orderNum, co.amount_due).result).toBe(RESULT_CODES.cartNotCheckedOut);
  });
  it('7010 wrong amount says the calculated amount; exact cents from numbers or strings', () => {
    const { co, orderNum } = checkedOutCart(100479, {
      event_name: 'EVENT09',
      ticket_type: [{ ticket_type_code: 'ADULT', num_seats: 1 }],
      price_code: 'B',
    });
    expect(co.amount_due).toBe(103); // 95.50 + 2.50 + 5.00
    for (const wrong of [102.99, '103.01', 'abc', '103.001']) {
      const out = pay(100479, orderNum, wrong);
      expect(out.result, String(wrong)).toBe(RESULT_CODES.amountMismatch);
      expect(out.error_detail).toBe('Calculated amount to be approved: 103.00');
    }
    expect(pay(100479, orderNum, '103.000').result).toBe(0);
  });
  it('7020 declined for a card ending 0002 — the cart survives and can be paid', () => {
    const { co, orderNum } = checkedOutCart(100479, {
      event_name: 'EVENT09',
      ticket_type: [{ ticket_type_code: 'ADULT', num_seats: 1 }],
    });
    expect(pay(100479, orderNum, co.amount_due, samples.declinedCard).result).toBe(
      RESULT_CODES.cardDeclined,
    );
    expect(pay(100479, orderNum, co.amount_due).result).toBe(0);
  });
  it('no de-duplication: the same payment twice charges once, then sees no cart (6004)', () => {
    const { co, orderNum } = checkedOutCart(100479, {
      event_name: 'EVENT09',
      ticket_type: [{ ticket_type_code: 'ADULT', num_seats: 1 }],
    });
    expect(pay(100479, orderNum, co.amount_due).result).toBe(0);
    expect(pay(100479, orderNum, co.amount_due).result).toBe(RESULT_CODES.unknownCart);
    expect(t.world.purchases()).toHaveLength(1);
  });
  it('two carts paid one after the other are two purchases with distinct confirmations', () => {
    const a = checkedOutCart(100479, {
      event_name: 'EVENT09',
      ticket_type: [{ ticket_type_code: 'ADULT', num_seats: 1 }],
    });
    const b = checkedOutCart(100479, {
      event_name: 'EVENT09',
      ticket_type: [{ ticket_type_code: 'ADULT', num_seats: 1 }],
    });
    const pa = pay(100479, a.orderNum, a.co.amount_due);
    const pb = pay(100479, b.orderNum, b.co.amount_due);
    expect(pa.fields!.confirmation_num).not.toBe(pb.fields!.confirmation_num);
    expect(t.world.purchases()).toHaveLength(2);
  });
});

describe('hold expiry (15 minutes on the world clock)', () => {
  it('frees the seats and drops the cart', () => {
    const s = samples.freeSeats;
    const hold = t.okRun('seats_hold_specific', { ...s, num_seats: 2 });
    t.okRun('check_out', { acct_id: 100479, order_num: hold.order_num_out });
    t.clock.advance(15 * 60_000 - 1);
    t.okRun('shopping_cart', { order_num: hold.order_num_out });
    expect(t.run('seats_hold_specific', { ...s, num_seats: 1 }).result).toBe(
      RESULT_CODES.seatsNotAvailable,
    );
    t.clock.advance(1);
    expect(t.run('shopping_cart', { order_num: hold.order_num_out }).result).toBe(
      RESULT_CODES.unknownCart,
    );
    expect(pay(100479, hold.order_num_out, 1).result).toBe(RESULT_CODES.unknownCart);
    expect(
      t.run('seats_hold', {
        event_name: 'EVENT01',
        order_num_in: hold.order_num_out,
        ticket_type: [{ ticket_type_code: 'ADULT', num_seats: 1 }],
      }).result,
    ).toBe(RESULT_CODES.unknownCart);
    t.okRun('seats_hold_specific', { ...s, num_seats: 2 });
  });
  it('adding to a cart restarts its 15 minutes', () => {
    const first = t.okRun('seats_hold', {
      event_name: 'EVENT02',
      ticket_type: [{ ticket_type_code: 'ADULT', num_seats: 1 }],
    });
    t.clock.advance(10 * 60_000);
    const more = t.okRun('seats_hold', {
      event_name: 'EVENT02',
      order_num_in: first.order_num_out,
      ticket_type: [{ ticket_type_code: 'ADULT', num_seats: 1 }],
    });
    expect(more.hold_expires).toBe('2026-11-29 12:25:00');
    t.clock.advance(10 * 60_000);
    expect(t.okRun('shopping_cart', { order_num: first.order_num_out }).seats).toHaveLength(2);
  });
});

describe('racing holds', () => {
  it('100 holds on the same 10 seats: 10 held in total, none twice', () => {
    const s = samples.freeSeats;
    const held = new Map<number, number>();
    let wins = 0;
    for (let i = 0; i < 100; i++) {
      const seat = s.seat_num + ((i * 7) % 10);
      const out = t.run('seats_hold_specific', { ...s, seat_num: seat, num_seats: 1 });
      if (out.result === 0) {
        wins++;
        expect(held.has(seat)).toBe(false);
        held.set(seat, (out.fields as any).order_num_out);
      } else expect(out.result).toBe(RESULT_CODES.seatsNotAvailable);
    }
    expect(wins).toBe(10);
    expect(new Set(held.values()).size).toBe(10);
  });
  it('best-available holds never hand out the same seat twice, and stop with 6001 when the row is full', () => {
    const taken = new Set<string>();
    let failures = 0;
    for (let i = 0; i < 100; i++) {
      const out = t.run('seats_hold', {
        event_name: 'EVENT20',
        section_name: '101',
        price_code: 'A',
        ticket_type: [{ ticket_type_code: 'ADULT', num_seats: 4 }],
      });
      if (out.result !== 0) {
        failures++;
        expect(out.result).toBe(RESULT_CODES.notEnoughSeats);
        continue;
      }
      for (const r of (out.fields as any).seats)
        for (let n = r.seat_num; n <= r.last_seat; n++) {
          const key = `${r.row_name}${n}`;
          expect(taken.has(key)).toBe(false);
          taken.add(key);
        }
    }
    expect(failures).toBeGreaterThan(0);
  });
});

describe('reset', () => {
  it('restores the seeded state', () => {
    const before = JSON.stringify([
      t.run('customer_query', { acct_id: 100479, call_reason: 'S' }),
      t.run('get_avail_seats', { event_name: 'EVENT05', summary_flag: 'Y' }),
      t.run('seats_sold', { acct_id: 100479 }),
    ]);
    t.okRun('customer_update', {
      call_reason: 'S',
      customer: { acct_id: 100479, email: 'changed@example.com' },
    });
    t.okRun('customer_add', {
      customer: { name_first: 'N', name_last: 'E', email: 'new@example.com' },
    });
    const { co, orderNum } = checkedOutCart(100479, {
      event_name: 'EVENT05',
      ticket_type: [{ ticket_type_code: 'ADULT', num_seats: 2 }],
    });
    expect(pay(100479, orderNum, co.amount_due).result).toBe(0);
    t.okRun('ticket_print', { acct_id: 100479, event_name: 'EVENT05' });
    const pending = t.okRun('seats_hold', {
      event_name: 'EVENT05',
      ticket_type: [{ ticket_type_code: 'ADULT', num_seats: 2 }],
    });

    t.world.reset();
    const after = JSON.stringify([
      t.run('customer_query', { acct_id: 100479, call_reason: 'S' }),
      t.run('get_avail_seats', { event_name: 'EVENT05', summary_flag: 'Y' }),
      t.run('seats_sold', { acct_id: 100479 }),
    ]);
    expect(after).toBe(before);
    expect(t.run('customer_query', { email: 'new@example.com', call_reason: 'S' }).result).toBe(
      RESULT_CODES.customerNotFound,
    );
    expect(t.run('shopping_cart', { order_num: pending.order_num_out }).result).toBe(
      RESULT_CODES.unknownCart,
    );
    expect(t.world.purchases()).toHaveLength(0);
    // Order numbers start over too: a replay after reset gives the same answers.
    expect(
      t.okRun('seats_hold', {
        event_name: 'EVENT05',
        ticket_type: [{ ticket_type_code: 'ADULT', num_seats: 2 }],
      }).order_num_out,
    ).toBe(500001);
  });
});
