/**
 * Conformance of the polled paths: `upstream { pollingTest }` (10 s of sandbox time = 1 s real here,
 * so the gateway polls several times and every interval is judged in real time), then the whole
 * purchase — holds → cart → checkout → payment → print — and customer create/update with EVERY
 * command answered 202 first (forceAsync), against a strict sandbox. In every cell of the matrix
 * (test/support/worlds.ts): both seeded worlds × both async modes (always: the result on poll 2).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sandboxStats } from '../graphql/harness.js';
import {
  CHECKOUT,
  HOLD_BEST,
  HOLD_SEATS,
  newKey,
  pay,
  PRINT,
  RELEASE,
} from '../mutations/support.js';
import { account, MATRIX, samplesOf } from '../support/worlds.js';
import { expectConformant, startStrictPair, type StrictPair } from './support.js';

type Data = Record<string, any>;

describe.each(MATRIX)('$label', (cell) => {
  describe('upstream { pollingTest }: several polls, each ≥ ~300 ms of real time after the previous POST', () => {
    let pair: StrictPair;
    // timeScale 0.1: the command's 10 s complete after 1 s of real time.
    beforeAll(async () => {
      pair = await startStrictPair({ sandbox: { timeScale: 0.1, ...cell.sandbox }, env: cell.env });
    });
    afterAll(() => pair?.close());

    it('polls to the result with the same body and every cookie, spaced out', async () => {
      const r = await pair.gw.exec<Data, unknown>(`{ upstream { pollingTest { __typename } } }`);
      expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
      const s = await expectConformant(pair.sb);
      expect(s.queued).toBe(1);
      expect(s.delivered).toBe(1);
      expect(s.polls).toBeGreaterThanOrEqual(2);
    });
  });

  describe('the purchase and the customer writes, every command polled (forceAsync)', () => {
    let pair: StrictPair;
    beforeAll(async () => {
      pair = await startStrictPair({
        sandbox: { timeScale: 0.1, forceAsync: true, ...cell.sandbox },
        env: cell.env,
      });
    });
    afterAll(() => pair?.close());
    afterEach(() => expectConformant(pair.sb));

    it('hold best available → add specific seats to the cart → cart → checkout → pay → print', async () => {
      const samples = samplesOf(pair.sb);
      const ACCT = account(pair.sb);
      const held = await pair.gw.exec<Data, unknown>(HOLD_BEST, {
        input: { eventName: samples.homeEvents[10], quantity: 2 },
      });
      expect(held.errors, JSON.stringify(held.errors)).toBeUndefined();
      expect(held.data!.holdBestAvailable.__typename).toBe('HoldSeatsSuccess');
      const orderNum = held.data!.holdBestAvailable.orderNum as number;

      const free = samples.freeSeats;
      const more = await pair.gw.exec<Data, unknown>(HOLD_SEATS, {
        input: {
          eventName: samples.homeEvents[11],
          section: free.section_name,
          row: free.row_name,
          firstSeat: free.seat_num,
          quantity: 2,
          orderNum,
        },
      });
      expect(more.errors, JSON.stringify(more.errors)).toBeUndefined();
      expect(more.data!.holdSeats.__typename).toBe('HoldSeatsSuccess');

      const cart = await pair.gw.exec<Data, unknown>(
        `query($n: Int!) { cart(orderNum: $n) { orderNum seats { section row number } subtotal { amount } } }`,
        { n: orderNum },
      );
      expect(cart.errors, JSON.stringify(cart.errors)).toBeUndefined();
      expect(cart.data!.cart.seats).toHaveLength(4);

      const co = await pair.gw.exec<Data, unknown>(CHECKOUT, { input: { orderNum, acctId: ACCT } });
      expect(co.data!.checkout.__typename).toBe('CheckoutSuccess');
      const paid = await pay(
        pair.gw,
        newKey(),
        ACCT,
        orderNum,
        co.data!.checkout.amountDue.amount as string,
      );
      expect(paid.errors, JSON.stringify(paid.errors)).toBeUndefined();
      expect(paid.data!.submitPayment.__typename).toBe('PaymentSuccess');

      const printed = await pair.gw.exec<Data, unknown>(PRINT, {
        input: { acctId: ACCT, eventName: samples.homeEvents[10] },
      });
      expect(printed.data!.printTickets.__typename).toBe('PrintTicketsSuccess');

      const s = await sandboxStats(pair.sb);
      expect(s.executions).toMatchObject({
        seats_hold: 1,
        seats_hold_specific: 1,
        payment_request: 1,
        ticket_print: 1,
      });
      expect(s.polls).toBeGreaterThanOrEqual(s.queued);
      expect(s.pending).toBe(0);
    });

    it('a declined card, then a released cart', async () => {
      const samples = samplesOf(pair.sb);
      const ACCT = account(pair.sb);
      const held = await pair.gw.exec<Data, unknown>(HOLD_BEST, {
        input: { eventName: samples.homeEvents[12], quantity: 1 },
      });
      const orderNum = held.data!.holdBestAvailable.orderNum as number;
      const co = await pair.gw.exec<Data, unknown>(CHECKOUT, {
        input: { orderNum, acctId: ACCT + 1 },
      });
      const declined = await pay(
        pair.gw,
        newKey(),
        ACCT + 1,
        orderNum,
        co.data!.checkout.amountDue.amount as string,
        samples.declinedCard,
      );
      expect(declined.data!.submitPayment.__typename).not.toBe('PaymentSuccess');
      const released = await pair.gw.exec<Data, unknown>(RELEASE, { orderNum });
      expect(released.data!.releaseCart.__typename).toBe('ReleaseCartSuccess');
    });

    it('createCustomer, then updateCustomer (customer_query, then customer_update)', async () => {
      const email = `conf-${randomUUID().slice(0, 8)}@example.net`;
      const created = await pair.gw.exec<Data, unknown>(
        `mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { __typename ... on CreateCustomerSuccess { acctId customer { email } } } }`,
        { i: { firstName: 'Grace', lastName: 'Hopper', email } },
      );
      expect(created.errors, JSON.stringify(created.errors)).toBeUndefined();
      expect(created.data!.createCustomer.__typename).toBe('CreateCustomerSuccess');
      const acctId = created.data!.createCustomer.acctId as number;
      const updated = await pair.gw.exec<Data, unknown>(
        `mutation($i: UpdateCustomerInput!) { updateCustomer(input: $i) { __typename ... on UpdateCustomerSuccess { customer { city } } } }`,
        { i: { acctId, city: 'Arlington' } },
      );
      expect(updated.errors, JSON.stringify(updated.errors)).toBeUndefined();
      expect(updated.data!.updateCustomer).toEqual({
        __typename: 'UpdateCustomerSuccess',
        customer: { city: 'Arlington' },
      });
      const s = await sandboxStats(pair.sb);
      expect(s.executions).toMatchObject({ customer_add: 1, customer_update: 1 });
    });
  });
});
