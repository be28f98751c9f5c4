/**
 * Racing holds, and every typed business failure as a member of its payload (not an error).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sandboxStats, useSandboxedGateway } from '../graphql/harness.js';
import { account, samplesOf } from '../support/worlds.js';
import {
  advanceSandboxClock,
  CHECKOUT,
  DECLINED_CARD,
  heldAndCheckedOut,
  hold,
  HOLD_BEST,
  HOLD_SEATS,
  newKey,
  pay,
  PRINT,
} from './support.js';

const env = useSandboxedGateway();
/** The world's names (this file runs against any world: default, alt). */
const home = (i: number) => samplesOf(env.sb).homeEvents[i]!;

describe('racing holds', () => {
  it('10 concurrent holdSeats on one seat block: one HoldSeatsSuccess, nine SeatsUnavailable', async () => {
    // A block that no season ticket holds, in any world.
    const free = samplesOf(env.sb).freeSeats;
    const input = {
      eventName: home(29),
      section: free.section_name,
      row: free.row_name,
      firstSeat: free.seat_num + 4,
      quantity: 4,
    };
    const results = await Promise.all(
      Array.from({ length: 10 }, () => env.gw.exec<any, unknown>(HOLD_SEATS, { input })),
    );
    for (const r of results) expect(r.errors).toBeUndefined();
    const kinds = results.map((r) => r.data.holdSeats.__typename);
    expect(kinds.filter((k) => k === 'HoldSeatsSuccess')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'SeatsUnavailable')).toHaveLength(9);
    const winner = results.find((r) => r.data.holdSeats.__typename === 'HoldSeatsSuccess')!.data
      .holdSeats;
    expect(winner.heldSeats.map((s: any) => s.number)).toEqual(
      [4, 5, 6, 7].map((n) => free.seat_num + n),
    );
    const loser = results.find((r) => r.data.holdSeats.__typename === 'SeatsUnavailable')!.data
      .holdSeats;
    expect(loser.eventName).toBe(home(29));
    expect((await sandboxStats(env.sb)).executions.seats_hold_specific).toBe(10);
  });
});

describe('typed failures', () => {
  it('CardDeclined for a card ending 0002 that passes Luhn; the same key answers the same, and the seats stay held', async () => {
    const { orderNum, amountDue } = await heldAndCheckedOut(env.gw, home(30));
    const key = newKey();
    const declined = await pay(env.gw, key, account(env.sb), orderNum, amountDue, DECLINED_CARD);
    expect(declined.errors).toBeUndefined();
    expect(declined.data!.submitPayment.__typename).toBe('CardDeclined');
    const again = await pay(env.gw, key, account(env.sb), orderNum, amountDue, DECLINED_CARD);
    expect(again.data!.submitPayment.__typename).toBe('CardDeclined');
    expect((await sandboxStats(env.sb)).executions.payment_request).toBe(1);
    const cart = await env.gw.exec<any, unknown>(
      `query($n: Int!) { cart(orderNum: $n) { orderNum } }`,
      { n: orderNum },
    );
    expect(cart.data.cart).toEqual({ orderNum });
  });

  it('AmountMismatch carries the calculated amount as Money; nothing is charged', async () => {
    const { orderNum, amountDue } = await heldAndCheckedOut(env.gw, home(31));
    const before = (await sandboxStats(env.sb)).executions.payment_request ?? 0;
    const r = await pay(env.gw, newKey(), account(env.sb), orderNum, '1.00');
    expect(r.data!.submitPayment).toMatchObject({
      __typename: 'AmountMismatch',
      calculatedAmount: { amount: amountDue, currency: 'USD' },
    });
    expect((await sandboxStats(env.sb)).executions.payment_request ?? 0).toBe(before);
  });

  it('CartExpired after the hold lapses (sandbox clock +16 min), for checkout and for payment', async () => {
    const { orderNum, amountDue } = await heldAndCheckedOut(env.gw, home(32));
    await advanceSandboxClock(env.sb, 16 * 60_000);
    const co = await env.gw.exec<any, unknown>(CHECKOUT, {
      input: { orderNum, acctId: account(env.sb) },
    });
    expect(co.data.checkout).toMatchObject({ __typename: 'CartExpired', orderNum });
    const paid = await pay(env.gw, newKey(), account(env.sb), orderNum, amountDue);
    expect(paid.data!.submitPayment).toMatchObject({ __typename: 'CartExpired', orderNum });
  });

  it('EmailAlreadyExists names the existing account; a new address creates one', async () => {
    const existing = env.sb.world.samples as { customerEmail: string; customer: number };
    const taken = await env.gw.exec<any, unknown>(
      `mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { __typename ... on CreateCustomerSuccess { acctId } ... on EmailAlreadyExists { email existingAcctId account { acctId email } } } }`,
      { i: { firstName: 'Twin', lastName: 'Person', email: existing.customerEmail } },
    );
    expect(taken.data.createCustomer).toEqual({
      __typename: 'EmailAlreadyExists',
      email: existing.customerEmail,
      existingAcctId: existing.customer,
      account: { acctId: existing.customer, email: existing.customerEmail },
    });
    const email = `new-${randomUUID().slice(0, 8)}@example.net`;
    const created = await env.gw.exec<any, unknown>(
      `mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { __typename ... on CreateCustomerSuccess { acctId customer { email firstName } } } }`,
      { i: { firstName: 'Grace', lastName: 'Hopper', email } },
    );
    expect(created.data.createCustomer).toMatchObject({
      __typename: 'CreateCustomerSuccess',
      customer: { email, firstName: 'Grace' },
    });
  });

  it('NotFound: an unknown event to hold, an unknown account to check out, no seats to print', async () => {
    const ev = await env.gw.exec<any, unknown>(HOLD_BEST, {
      input: { eventName: 'NOPE99', quantity: 1 },
    });
    expect(ev.data.holdBestAvailable).toMatchObject({ __typename: 'NotFound' });
    const orderNum = await hold(env.gw, home(33), 1);
    const acct = await env.gw.exec<any, unknown>(CHECKOUT, {
      input: { orderNum, acctId: 999_999 },
    });
    expect(acct.data.checkout).toMatchObject({ __typename: 'NotFound', what: 'ACCOUNT' });
    const none = await env.gw.exec<any, unknown>(PRINT, {
      input: { acctId: account(env.sb), eventName: home(34) },
    });
    expect(none.data.printTickets).toMatchObject({ __typename: 'NotFound', what: 'SEATS' });
    const upd = await env.gw.exec<any, unknown>(
      `mutation { updateCustomer(input: { acctId: 999999, city: "Oslo" }) { __typename } }`,
    );
    expect(upd.data.updateCustomer.__typename).toBe('NotFound');
  });
});

describe('updateCustomer sends the whole record (customer_update replaces it)', () => {
  it('changes the patched fields, keeps the others, clears the ones set to null', async () => {
    const acctId = account(env.sb, 7);
    const before = await env.gw.exec<any, unknown>(
      `query($a: Int!) { customer(acctId: $a) { firstName lastName email city state country } }`,
      { a: acctId },
    );
    const r = await env.gw.exec<any, unknown>(
      `mutation($i: UpdateCustomerInput!) { updateCustomer(input: $i) { __typename ... on UpdateCustomerSuccess { customer { firstName lastName email city state country } } } }`,
      { i: { acctId, city: 'Bergen', state: null } },
    );
    expect(r.errors).toBeUndefined();
    const expected = { ...before.data.customer, city: 'Bergen', state: '' };
    expect(r.data.updateCustomer.customer).toEqual(expected);
    const after = await env.gw.exec<any, unknown>(
      `query($a: Int!) { customer(acctId: $a) { firstName lastName email city state country } }`,
      { a: acctId },
    );
    expect(after.data.customer).toEqual(expected);
  });
});
