/**
 * Carts belong to the caller whose hold made them (issue #12): token A cannot read, release,
 * check out, pay for or print token B's cart — each path refused before any upstream call — and an
 * account-bound token cannot learn whether another account's e-mail address exists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import {
  codes,
  globalId,
  sandboxStats,
  startTestSandbox,
  TestGateway,
} from '../graphql/harness.js';
import { CHECKOUT, hold, newKey, pay, PRINT, RELEASE } from '../mutations/support.js';
import { account, samplesOf } from '../support/worlds.js';

const A = 'token-a-bound-to-acct-a';
const B = 'token-b-bound-to-acct-b';
const STAFF_A = 'staff-token-aaaaaaa';
const STAFF_B = 'staff-token-bbbbbbb';
const ALL = ['read', 'hold', 'buy'];
const as = (t: string) => ({ authorization: `Bearer ${t}` });

/** The world's first two accounts (any world: the tokens are bound once the sandbox says which). */
let ACCT: number;
let OTHER_ACCT: number;
const env = {} as { sb: RunningSandbox; gw: TestGateway };
beforeAll(async () => {
  env.sb = await startTestSandbox();
  ACCT = account(env.sb);
  OTHER_ACCT = account(env.sb, 1);
  const tokens = JSON.stringify([
    { token: A, scopes: ALL, acctId: ACCT },
    { token: B, scopes: ALL, acctId: OTHER_ACCT },
    { token: STAFF_A, scopes: ALL },
    { token: STAFF_B, scopes: ALL },
  ]);
  env.gw = await TestGateway.start(env.sb, { GATEWAY_TOKENS: tokens });
});
afterAll(async () => {
  await env.gw?.close();
  await env.sb?.close();
});
/** The home game these carts hold seats for. */
const EVENT = () => samplesOf(env.sb).homeEvents[33]!;

const CART =
  'query Cart($n: Int!) { cart(orderNum: $n) { orderNum seats { section row number } } }';
const NODE = 'query Node($id: ID!) { node(id: $id) { id ... on Cart { orderNum } } }';

/** POSTs the sandbox saw while `f` ran. */
async function postsDuring(f: () => Promise<void>): Promise<number> {
  const before = (await sandboxStats(env.sb)).posts;
  await f();
  return (await sandboxStats(env.sb)).posts - before;
}

describe.each([
  ['account-bound tokens', A, B],
  ['tokens not bound to an account', STAFF_A, STAFF_B],
])('%s: A cannot touch B’s cart', (_name, tokenA, tokenB) => {
  // B's cart is for the world's second account (read once the sandbox runs).
  let acctB: number;
  let orderNum: number;
  let amountDue: string;
  let heldSeats: { section: string; row: string; number: number }[];
  beforeAll(async () => {
    // No sandbox reset between the two: a reset sandbox issues the same order numbers again,
    // which a real service never does, and the first owner recorded for a number stays.
    acctB = OTHER_ACCT;
    orderNum = await hold(
      env.gw,
      EVENT(),
      2,
      as(tokenB),
      tokenB === STAFF_B ? { acctId: acctB } : {},
    );
    heldSeats = (await env.gw.exec<any, unknown>(CART, { n: orderNum }, as(tokenB))).data.cart
      .seats;
    const c = await env.gw.exec<any, unknown>(
      CHECKOUT,
      { input: { orderNum, acctId: acctB } },
      as(tokenB),
    );
    expect(c.data.checkout.__typename).toBe('CheckoutSuccess');
    amountDue = c.data.checkout.amountDue.amount;
  });

  it('B reads its own cart', async () => {
    const r = await env.gw.exec<any, unknown>(CART, { n: orderNum }, as(tokenB));
    expect(r.data.cart.orderNum).toBe(orderNum);
  });

  it('read: cart(orderNum) and node(id:) are null for A, as for a cart that does not exist; no POST', async () => {
    let cart: any;
    let node: any;
    const posts = await postsDuring(async () => {
      cart = await env.gw.exec<any, unknown>(CART, { n: orderNum }, as(tokenA));
      node = await env.gw.exec<any, unknown>(NODE, { id: globalId('Cart', orderNum) }, as(tokenA));
    });
    expect(cart.data).toEqual({ cart: null });
    expect(node.data).toEqual({ node: null });
    expect(posts).toBe(0);
  });

  it('release: FORBIDDEN, no POST, and the seats stay held', async () => {
    let r: any;
    const posts = await postsDuring(async () => {
      r = await env.gw.exec<any, unknown>(RELEASE, { orderNum }, as(tokenA));
    });
    expect(codes(r)).toEqual(['FORBIDDEN']);
    expect(posts).toBe(0);
    const still = await env.gw.exec<any, unknown>(CART, { n: orderNum }, as(tokenB));
    expect(still.data.cart.seats).toHaveLength(2);
  });

  it('checkout: FORBIDDEN, no POST', async () => {
    let r: any;
    const posts = await postsDuring(async () => {
      r = await env.gw.exec<any, unknown>(
        CHECKOUT,
        { input: { orderNum, acctId: tokenA === A ? ACCT : acctB } },
        as(tokenA),
      );
    });
    expect(codes(r)).toEqual(['FORBIDDEN']);
    expect(posts).toBe(0);
  });

  it('payment: FORBIDDEN, nothing charged', async () => {
    let r: any;
    const paymentsBefore = (await sandboxStats(env.sb)).commands.payment_request ?? 0;
    const posts = await postsDuring(async () => {
      r = await pay(
        env.gw,
        newKey(),
        tokenA === A ? ACCT : acctB,
        orderNum,
        amountDue,
        undefined,
        as(tokenA),
      );
    });
    expect(codes(r)).toEqual(['FORBIDDEN']);
    expect(posts).toBe(0);
    expect((await sandboxStats(env.sb)).commands.payment_request ?? 0).toBe(paymentsBefore);
  });

  it('then B pays, and A cannot print B’s tickets', async () => {
    const paid = await pay(env.gw, newKey(), acctB, orderNum, amountDue, undefined, as(tokenB));
    expect(paid.data!.submitPayment.__typename).toBe('PaymentSuccess');
    let r: any;
    const posts = await postsDuring(async () => {
      r = await env.gw.exec<any, unknown>(
        PRINT,
        { input: { acctId: acctB, eventName: EVENT() } },
        as(tokenA),
      );
    });
    // A bound token: not its account. A token not bound to an account: the seats are in B's cart.
    expect(codes(r)).toEqual(['FORBIDDEN']);
    expect(posts).toBe(0);
  });

  it('print: A naming one of B’s seats is FORBIDDEN too, no POST; B prints its own', async () => {
    let r: any;
    const posts = await postsDuring(async () => {
      r = await env.gw.exec<any, unknown>(
        PRINT,
        { input: { acctId: acctB, eventName: EVENT(), seats: [heldSeats[0]] } },
        as(tokenA),
      );
    });
    expect(codes(r)).toEqual(['FORBIDDEN']);
    expect(posts).toBe(0);
    const own = await env.gw.exec<any, unknown>(
      PRINT,
      { input: { acctId: acctB, eventName: EVENT(), seats: heldSeats } },
      as(tokenB),
    );
    expect(own.errors).toBeUndefined();
    expect(own.data.printTickets.__typename).toBe('PrintTicketsSuccess');
    expect(own.data.printTickets.tickets.length).toBeGreaterThanOrEqual(heldSeats.length);
  });
});

describe('e-mail addresses of other accounts', () => {
  it('customerByEmail: another account’s address reads null for a bound token, like an unknown one', async () => {
    const other = await env.gw.exec<any, unknown>(
      `{ customer(acctId: ${OTHER_ACCT}) { email } }`,
      undefined,
      as(B),
    );
    const email = other.data.customer.email as string;
    expect(email).toMatch(/@/);
    const taken = await env.gw.exec<any, unknown>(
      'query E($e: String!) { customerByEmail(email: $e) { acctId } }',
      { e: email },
      as(A),
    );
    const unknown = await env.gw.exec<any, unknown>(
      'query E($e: String!) { customerByEmail(email: $e) { acctId } }',
      { e: 'nobody-at-all@example.org' },
      as(A),
    );
    expect(taken.data).toEqual({ customerByEmail: null });
    expect(taken.errors).toBeUndefined();
    expect(unknown.data).toEqual({ customerByEmail: null });
    const own = await env.gw.exec<any, unknown>(
      'query E($e: String!) { customerByEmail(email: $e) { acctId } }',
      { e: email },
      as(B),
    );
    expect(own.data).toEqual({ customerByEmail: { acctId: OTHER_ACCT } });
  });

  it('updateCustomer: a bound token may not change its e-mail (the answer would tell whether another account has it)', async () => {
    const other = await env.gw.exec<any, unknown>(
      `{ customer(acctId: ${OTHER_ACCT}) { email } }`,
      undefined,
      as(B),
    );
    let taken: any;
    let free: any;
    const posts = await postsDuring(async () => {
      taken = await env.gw.exec<any, unknown>(
        'mutation U($a: Int!, $e: String!) { updateCustomer(input: { acctId: $a, email: $e }) { __typename } }',
        { a: ACCT, e: other.data.customer.email },
        as(A),
      );
      free = await env.gw.exec<any, unknown>(
        'mutation U($a: Int!, $e: String!) { updateCustomer(input: { acctId: $a, email: $e }) { __typename } }',
        { a: ACCT, e: 'free-address-1@example.org' },
        as(A),
      );
    });
    expect(codes(taken)).toEqual(['FORBIDDEN']);
    expect(codes(free)).toEqual(['FORBIDDEN']);
    expect(taken.errors[0].message).toBe(free.errors[0].message);
    expect(posts).toBe(0);
    const city = await env.gw.exec<any, unknown>(
      'mutation U($a: Int!) { updateCustomer(input: { acctId: $a, city: "Oslo" }) { __typename } }',
      { a: ACCT },
      as(A),
    );
    expect(city.errors).toBeUndefined();
  });
});
