/**
 * Bad input is BAD_USER_INPUT before any upstream call, and authorization (scope-auth on the
 * product tiers, account-bound tokens) refuses before any upstream call too — both asserted on
 * the sandbox's own counters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { codes, sandboxStats, startTestSandbox, TestGateway } from '../graphql/harness.js';
import { account, samplesOf } from '../support/worlds.js';
import {
  card,
  CHECKOUT,
  hold,
  HOLD_BEST,
  HOLD_SEATS,
  newKey,
  PAY,
  PRINT,
  RELEASE,
} from './support.js';

let sb: RunningSandbox;
let open: TestGateway;
let guarded: TestGateway;
/** The world's names (this file runs against any world): its first two accounts, its home games, a free seat block. */
let ACCT: number;
let OTHER_ACCT: number;
const ev = (i: number) => samplesOf(sb).homeEvents[i]!;
const seat = () => ({
  section: samplesOf(sb).freeSeats.section_name,
  row: samplesOf(sb).freeSeats.row_name,
});

const TOKENS = {
  admin: 'admin-token-0001',
  reader: 'reader-token-0001',
  mine: 'account-token-0001',
};
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

beforeAll(async () => {
  sb = await startTestSandbox();
  ACCT = account(sb);
  OTHER_ACCT = account(sb, 1);
  open = await TestGateway.start(sb);
  guarded = await TestGateway.start(sb, {
    GATEWAY_TOKENS: JSON.stringify([
      { token: TOKENS.admin, scopes: ['read', 'hold', 'buy'] },
      { token: TOKENS.reader, scopes: ['read'] },
      { token: TOKENS.mine, scopes: ['read', 'hold', 'buy'], acctId: ACCT },
    ]),
  });
});
afterAll(async () => {
  await open?.close();
  await guarded?.close();
  await sb?.close();
});

/** Runs `fn` and asserts the sandbox received no POST at all meanwhile. */
async function noUpstream<T>(fn: () => Promise<T>): Promise<T> {
  const before = (await sandboxStats(sb)).posts;
  const out = await fn();
  expect((await sandboxStats(sb)).posts).toBe(before);
  return out;
}

function payWith(overrides: Record<string, unknown>, cardOverrides: Record<string, unknown> = {}) {
  return open.exec(PAY, {
    input: {
      idempotencyKey: newKey(),
      acctId: ACCT,
      orderNum: 500001,
      amount: '10.00',
      card: { ...card(), ...cardOverrides },
      ...overrides,
    },
  });
}

describe('BAD_USER_INPUT, with no upstream call', () => {
  it.each([
    ['quantity 0', { quantity: 0 }],
    ['quantity above the maximum', { quantity: 21 }],
    ['an empty event name', { eventName: ' ' }],
  ])('holdBestAvailable: %s', async (_what, over) => {
    const r = await noUpstream(() =>
      open.exec(HOLD_BEST, { input: { eventName: ev(0), quantity: 2, ...over } }),
    );
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
  });

  it('holdSeats: seat number 0', async () => {
    const r = await noUpstream(() =>
      open.exec(HOLD_SEATS, { input: { eventName: ev(0), ...seat(), firstSeat: 0, quantity: 1 } }),
    );
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
  });

  it('an unknown price code is refused after one (cached) event_price_info read, and no hold is sent', async () => {
    const r = await open.exec(HOLD_BEST, {
      input: { eventName: ev(1), quantity: 2, priceCode: 'Z' },
    });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.errors![0].extensions).toMatchObject({ argument: 'priceCode' });
    const stats = await sandboxStats(sb);
    expect(stats.commands.seats_hold ?? 0).toBe(0);
    expect(stats.commands.event_price_info).toBeGreaterThanOrEqual(1);
  });

  it.each([
    ['a card number failing Luhn', {}, { number: '4111111111111112' }],
    ['a card number with letters', {}, { number: '4111-1111-1111-111X' }],
    ['an expiry in the past', {}, { expiry: '0120' }],
    ['an expiry that is not MMYY', {}, { expiry: '13/29' }],
    ['a CVV of two digits', {}, { cvv: '12' }],
    ['an amount with one decimal place', { amount: '10.5' }, {}],
    ['an amount with no decimal places', { amount: '10' }, {}],
    ['an amount as a float with three places', { amount: '10.005' }, {}],
    ['a zero amount', { amount: '0.00' }, {}],
    ['a short idempotency key', { idempotencyKey: 'abc' }, {}],
  ])('submitPayment: %s', async (_what, over, cardOver) => {
    const r = await noUpstream(() => payWith(over, cardOver));
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
  });

  it.each([
    [
      'createCustomer: an e-mail without a domain',
      () =>
        `mutation { createCustomer(input: { firstName: "A", lastName: "B", email: "ada@" }) { __typename } }`,
    ],
    [
      'createCustomer: an empty first name',
      () =>
        `mutation { createCustomer(input: { firstName: " ", lastName: "B", email: "a@b.org" }) { __typename } }`,
    ],
    [
      'updateCustomer: an e-mail with spaces',
      () =>
        `mutation { updateCustomer(input: { acctId: ${ACCT}, email: "a b@c.org" }) { __typename } }`,
    ],
    [
      'updateCustomer: clearing the last name',
      () =>
        `mutation { updateCustomer(input: { acctId: ${ACCT}, lastName: null }) { __typename } }`,
    ],
    [
      'updateCustomer: nothing to change',
      () => `mutation { updateCustomer(input: { acctId: ${ACCT} }) { __typename } }`,
    ],
    [
      'checkout: order number 0',
      () => `mutation { checkout(input: { orderNum: 0, acctId: ${ACCT} }) { __typename } }`,
    ],
    [
      'printTickets: an empty seat list',
      () =>
        `mutation { printTickets(input: { acctId: ${ACCT}, eventName: "${ev(0)}", seats: [] }) { __typename } }`,
    ],
  ])('%s', async (_what, doc) => {
    const r = await noUpstream(() => open.exec(doc()));
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
  });

  it('the card number never appears in an answer', async () => {
    const r = await payWith({ amount: '10' }, { number: '4242424242424242' });
    expect(JSON.stringify(r)).not.toContain('4242424242424242');
  });
});

describe('scopes and account-bound tokens', () => {
  it('with tokens configured, a request without a token is UNAUTHENTICATED and sends nothing', async () => {
    const r = await noUpstream(() =>
      guarded.exec(HOLD_BEST, { input: { eventName: ev(0), quantity: 1 } }),
    );
    expect(codes(r)).toEqual(['UNAUTHENTICATED']);
    const q = await noUpstream(() =>
      guarded.exec(
        `{ customer(acctId: ${ACCT}) { acctId } }`,
        undefined,
        bearer('not-a-valid-token'),
      ),
    );
    expect(codes(q)).toEqual(['UNAUTHENTICATED']);
  });

  it('a read-only token can read but not hold, check out, pay or print: FORBIDDEN, nothing sent', async () => {
    const reader = bearer(TOKENS.reader);
    for (const [doc, vars] of [
      [HOLD_BEST, { input: { eventName: ev(0), quantity: 1 } }],
      [HOLD_SEATS, { input: { eventName: ev(0), ...seat(), firstSeat: 1, quantity: 1 } }],
      [RELEASE, { orderNum: 500001 }],
      [CHECKOUT, { input: { orderNum: 500001, acctId: ACCT } }],
      [
        PAY,
        {
          input: {
            idempotencyKey: newKey(),
            acctId: ACCT,
            orderNum: 500001,
            amount: '10.00',
            card: card(),
          },
        },
      ],
      [PRINT, { input: { acctId: ACCT, eventName: ev(0) } }],
    ] as const) {
      const r = await noUpstream(() => guarded.exec(doc, vars, reader));
      expect(codes(r), doc).toEqual(['FORBIDDEN']);
    }
    const read = await guarded.exec<any, unknown>(
      `{ customer(acctId: ${ACCT}) { acctId } }`,
      undefined,
      reader,
    );
    expect(read.data.customer).toEqual({ acctId: ACCT });
  });

  it('an account-bound token cannot read, pay for, print for or update another account', async () => {
    const mine = bearer(TOKENS.mine);
    // Refused from the argument, before customer_query spends budget on an account it may not see.
    const read = await noUpstream(() =>
      guarded.exec<any, unknown>(`{ customer(acctId: ${OTHER_ACCT}) { acctId } }`, undefined, mine),
    );
    expect(codes(read)).toEqual(['FORBIDDEN']);
    for (const [doc, vars] of [
      [CHECKOUT, { input: { orderNum: 500001, acctId: OTHER_ACCT } }],
      [
        PAY,
        {
          input: {
            idempotencyKey: newKey(),
            acctId: OTHER_ACCT,
            orderNum: 500001,
            amount: '10.00',
            card: card(),
          },
        },
      ],
      [PRINT, { input: { acctId: OTHER_ACCT, eventName: ev(0) } }],
      [
        `mutation($a: Int!) { updateCustomer(input: { acctId: $a, city: "Oslo" }) { __typename } }`,
        { a: OTHER_ACCT },
      ],
      [HOLD_BEST, { input: { eventName: ev(0), quantity: 1, acctId: OTHER_ACCT } }],
      [
        `mutation { createCustomer(input: { firstName: "A", lastName: "B", email: "someone@example.org" }) { __typename } }`,
        {},
      ],
    ] as const) {
      const r = await noUpstream(() => guarded.exec(doc, vars, mine));
      expect(codes(r), doc).toEqual(['FORBIDDEN']);
    }
    const own = await guarded.exec<any, unknown>(
      `{ customer(acctId: ${ACCT}) { acctId } }`,
      undefined,
      mine,
    );
    expect(own.data.customer).toEqual({ acctId: ACCT });
  });

  it('an account-bound token cannot release or check out a cart bound to another account', async () => {
    const admin = bearer(TOKENS.admin);
    const orderNum = await hold(guarded, ev(2), 2, admin, { acctId: OTHER_ACCT });
    const mine = bearer(TOKENS.mine);
    const before = (await sandboxStats(sb)).executions;
    const release = await guarded.exec(RELEASE, { orderNum }, mine);
    expect(codes(release)).toEqual(['FORBIDDEN']);
    const co = await guarded.exec(CHECKOUT, { input: { orderNum, acctId: ACCT } }, mine);
    expect(codes(co)).toEqual(['FORBIDDEN']);
    const after = (await sandboxStats(sb)).executions;
    expect(after.abort_shopping_cart ?? 0).toBe(before.abort_shopping_cart ?? 0);
    expect(after.check_out ?? 0).toBe(before.check_out ?? 0);
    // Its own holds are bound to its account, and it may release them.
    const own = await hold(guarded, ev(2), 2, mine);
    const cart = await guarded.exec<any, unknown>(
      `query($n: Int!) { cart(orderNum: $n) { acctId } }`,
      { n: own },
      mine,
    );
    expect(cart.data.cart).toEqual({ acctId: ACCT });
    const released = await guarded.exec<any, unknown>(RELEASE, { orderNum: own }, mine);
    expect(released.data.releaseCart.__typename).toBe('ReleaseCartSuccess');
  });
});
