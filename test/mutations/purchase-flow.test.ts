/**
 * The whole purchase through GraphQL against the sandbox: search → hold → cart → checkout → pay →
 * print → the seats appear under customer(acctId) with the printed barcodes. In every cell of the
 * matrix (test/support/worlds.ts): both seeded worlds × both async modes; every name comes from the
 * world's samples, and a hold that names no ticket type gets one the service lists.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { resetSandbox, sandboxStats, useSandboxedGateway } from '../graphql/harness.js';
import { account, MATRIX, POLLS_TO_RESULT, samplesOf } from '../support/worlds.js';
import { CHECKOUT, HOLD_BEST, newKey, pay, PRINT } from './support.js';

const cents = (amount: string) => {
  const [whole, frac] = amount.split('.');
  return Number(whole) * 100 + Number(frac);
};

describe.each(MATRIX)('a purchase from search to printed tickets — $label', (cell) => {
  // Sandbox time 10× faster: holds, service times and queued results follow it; polls stay ≥ 300 ms real.
  const env = useSandboxedGateway({ sandbox: { timeScale: 0.1, ...cell.sandbox }, env: cell.env });
  beforeEach(() => resetSandbox(env.sb));

  it('sells the held seats to the account, once, and shows them under customer(acctId) with their barcodes', async () => {
    const search = await env.gw.exec<any, unknown>(
      `{ searchEvents(first: 3) { edges { available node { name } } } }`,
    );
    expect(search.errors).toBeUndefined();
    const eventName = search.data.searchEvents.edges.find((e: any) => e.available).node
      .name as string;

    const ACCT = account(env.sb);
    const held = await env.gw.exec<any, unknown>(HOLD_BEST, {
      input: { eventName, quantity: 3, priceCode: samplesOf(env.sb).priceCodes[1] },
    });
    expect(held.errors).toBeUndefined();
    const h = held.data.holdBestAvailable;
    expect(h.__typename).toBe('HoldSeatsSuccess');
    expect(h.heldSeats).toHaveLength(3);
    expect(
      h.heldSeats.every((s: any) => s.status === 'HELD' && /^\d+\.\d{2}$/.test(s.price.amount)),
    ).toBe(true);
    const orderNum = h.orderNum as number;

    const cart = await env.gw.exec<any, unknown>(
      `query($n: Int!) { cart(orderNum: $n) { orderNum seats { section row number } subtotal { amount } expiresAt } }`,
      { n: orderNum },
    );
    expect(cart.errors).toBeUndefined();
    expect(cart.data.cart.seats).toEqual(
      h.heldSeats.map(({ section, row, number }: any) => ({ section, row, number })),
    );

    const co = await env.gw.exec<any, unknown>(CHECKOUT, { input: { orderNum, acctId: ACCT } });
    const c = co.data.checkout;
    expect(c.__typename).toBe('CheckoutSuccess');
    expect(c.subtotal.amount).toBe(cart.data.cart.subtotal.amount);
    expect(cents(c.subtotal.amount) + cents(c.feesTotal.amount)).toBe(cents(c.amountDue.amount));
    expect(c.serviceCharges.reduce((s: number, x: any) => s + cents(x.amount.amount), 0)).toBe(
      cents(c.feesTotal.amount),
    );
    expect(c.lineItems.flatMap((i: any) => i.seats)).toEqual(cart.data.cart.seats);
    expect(c.paymentPlans.length).toBeGreaterThan(0);

    const paid = await pay(env.gw, newKey(), ACCT, orderNum, c.amountDue.amount);
    expect(paid.errors).toBeUndefined();
    expect(paid.data!.submitPayment).toMatchObject({
      __typename: 'PaymentSuccess',
      orderNum,
      acctId: ACCT,
      replayed: false,
      settledByReading: false,
      amount: { amount: c.amountDue.amount, currency: 'USD' },
    });
    expect(paid.data!.submitPayment.confirmationNumber).toMatch(/\S/);

    const printed = await env.gw.exec<any, unknown>(PRINT, { input: { acctId: ACCT, eventName } });
    expect(printed.data.printTickets.__typename).toBe('PrintTicketsSuccess');
    const barcodes = new Map<string, string>(
      printed.data.printTickets.tickets.map((t: any) => [
        `${t.section}|${t.row}|${t.number}`,
        t.barcode,
      ]),
    );
    for (const s of h.heldSeats)
      expect(barcodes.get(`${s.section}|${s.row}|${s.number}`)).toMatch(/^\d{8,}$/);

    const owned = await env.gw.exec<any, unknown>(
      `query($a: Int!, $e: String!) { customer(acctId: $a) { acctId seats(eventName: $e) { edges { node { section row number status barcode event { name } } } } } }`,
      { a: ACCT, e: eventName },
    );
    expect(owned.errors).toBeUndefined();
    const seats = owned.data.customer.seats.edges.map((e: any) => e.node);
    for (const s of h.heldSeats) {
      const mine = seats.find(
        (x: any) => x.section === s.section && x.row === s.row && x.number === s.number,
      );
      expect(mine).toMatchObject({
        status: 'SOLD',
        event: { name: eventName },
        barcode: barcodes.get(`${s.section}|${s.row}|${s.number}`),
      });
    }

    const stats = await sandboxStats(env.sb);
    expect(stats.executions.payment_request).toBe(1);
    expect(stats.executions.seats_hold).toBe(1);
  });

  it('releaseCart gives the seats back, and a second release finds the cart gone', async () => {
    const held = await env.gw.exec<any, unknown>(HOLD_BEST, {
      input: { eventName: samplesOf(env.sb).homeEvents[19], quantity: 2 },
    });
    const orderNum = held.data.holdBestAvailable.orderNum;
    const first = await env.gw.exec<any, unknown>(
      `mutation($n: Int!) { releaseCart(orderNum: $n) { __typename ... on ReleaseCartSuccess { orderNum released } } }`,
      { n: orderNum },
    );
    expect(first.data.releaseCart).toEqual({
      __typename: 'ReleaseCartSuccess',
      orderNum,
      released: true,
    });
    const again = await env.gw.exec<any, unknown>(
      `mutation($n: Int!) { releaseCart(orderNum: $n) { __typename ... on CartExpired { orderNum } } }`,
      { n: orderNum },
    );
    expect(again.data.releaseCart).toEqual({ __typename: 'CartExpired', orderNum });
    const cart = await env.gw.exec<any, unknown>(
      `query($n: Int!) { cart(orderNum: $n) { orderNum } }`,
      { n: orderNum },
    );
    expect(cart.data.cart).toBeNull();
  });
  it('holdBestAvailable without ticketType or priceCode → checkout → submitPayment → printTickets: one payment_request', async () => {
    const samples = samplesOf(env.sb);
    const acctId = account(env.sb, 7);
    const eventName = samples.homeEvents[2];
    const held = await env.gw.exec<any, unknown>(HOLD_BEST, { input: { eventName, quantity: 2 } });
    expect(held.errors, JSON.stringify(held.errors)).toBeUndefined();
    expect(held.data.holdBestAvailable.__typename).toBe('HoldSeatsSuccess');
    const orderNum = held.data.holdBestAvailable.orderNum as number;

    const co = await env.gw.exec<any, unknown>(CHECKOUT, { input: { orderNum, acctId } });
    expect(co.data.checkout.__typename).toBe('CheckoutSuccess');
    // The default ticket type is read from the service: the first one event_price_info lists for
    // the cheapest price code (in both seeded worlds, the world's first ticket type).
    expect(co.data.checkout.lineItems.map((i: any) => i.ticketType)).toEqual([
      samples.ticketTypes[0],
    ]);
    expect(samples.priceCodes).toContain(co.data.checkout.lineItems[0].priceCode);

    const paid = await pay(env.gw, newKey(), acctId, orderNum, co.data.checkout.amountDue.amount);
    expect(paid.errors, JSON.stringify(paid.errors)).toBeUndefined();
    expect(paid.data!.submitPayment).toMatchObject({
      __typename: 'PaymentSuccess',
      orderNum,
      acctId,
      replayed: false,
    });

    const printed = await env.gw.exec<any, unknown>(PRINT, { input: { acctId, eventName } });
    expect(printed.data.printTickets.__typename).toBe('PrintTicketsSuccess');
    expect(printed.data.printTickets.tickets).toHaveLength(2);
    for (const t of printed.data.printTickets.tickets) {
      expect(samples.sections).toContain(t.section);
      expect(samples.rows).toContain(t.row);
    }

    const stats = await sandboxStats(env.sb);
    expect(stats.commands.payment_request).toBe(1);
    expect(stats.executions.payment_request).toBe(1);
    expect(stats.executions.seats_hold).toBe(1);
    expect(stats.executions.ticket_print).toBe(1);
    const sent = Object.values(stats.commands).reduce((a, b) => a + b, 0);
    // always: every command answered 202 first and was polled to its result on poll 2; auto: none.
    expect(stats.queued).toBe(cell.async === 'always' ? sent : 0);
    expect(stats.polls).toBe(cell.async === 'always' ? sent * POLLS_TO_RESULT : 0);
  });
});
