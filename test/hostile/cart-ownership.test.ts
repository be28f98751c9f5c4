/**
 * Carts belong to the caller whose hold made them (issue #12): token A cannot read, release,
 * check out, pay for or print token B's cart — each path refused before any upstream call — and an
 * account-bound token cannot learn whether another account's e-mail address exists.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { codes, globalId, sandboxStats, useSandboxedGateway } from '../graphql/harness.js';
import { ACCT, CHECKOUT, hold, newKey, OTHER_ACCT, pay, PRINT, RELEASE } from '../mutations/support.js';

const A = 'token-a-bound-100000';
const B = 'token-b-bound-100001';
const STAFF_A = 'staff-token-aaaaaaa';
const STAFF_B = 'staff-token-bbbbbbb';
const ALL = ['read', 'hold', 'buy'];
const TOKENS = JSON.stringify([
  { token: A, scopes: ALL, acctId: ACCT },
  { token: B, scopes: ALL, acctId: OTHER_ACCT },
  { token: STAFF_A, scopes: ALL },
  { token: STAFF_B, scopes: ALL },
]);
const as = (t: string) => ({ authorization: `Bearer ${t}` });

const env = useSandboxedGateway({ env: { GATEWAY_TOKENS: TOKENS } });

const CART = 'query Cart($n: Int!) { cart(orderNum: $n) { orderNum seats { section row number } } }';
const NODE = 'query Node($id: ID!) { node(id: $id) { id ... on Cart { orderNum } } }';

/** POSTs the sandbox saw while `f` ran. */
async function postsDuring(f: () => Promise<void>): Promise<number> {
  const before = (await sandboxStats(env.sb)).posts;
  await f();
  return (await sandboxStats(env.sb)).posts - before;
}

describe.each([
  ['account-bound tokens', A, B, OTHER_ACCT],
  ['tokens not bound to an account', STAFF_A, STAFF_B, OTHER_ACCT],
])('%s: A cannot touch B’s cart', (_name, tokenA, tokenB, acctB) => {
  let orderNum: number;
  let amountDue: string;
  let heldSeats: { section: string; row: string; number: number }[];
  beforeAll(async () => {
    // No sandbox reset between the two: a reset sandbox issues the same order numbers again,
    // which a real service never does, and the first owner recorded for a number stays.
    orderNum = await hold(env.gw, 'EVENT34', 2, as(tokenB), tokenB === STAFF_B ? { acctId: acctB } : {});
    heldSeats = (await env.gw.exec<any, unknown>(CART, { n: orderNum }, as(tokenB))).data.cart.seats;
    const c = await env.gw.exec<any, unknown>(CHECKOUT, { input: { orderNum, acctId: acctB } }, as(tokenB));
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
      r = await env.gw.exec<any, unknown>(CHECKOUT, { input: { orderNum, acctId: tokenA === A ? ACCT : acctB } }, as(tokenA));
    });
    expect(codes(r)).toEqual(['FORBIDDEN']);
    expect(posts).toBe(0);
  });

  it('payment: FORBIDDEN, nothing charged', async () => {
    let r: any;
    const paymentsBefore = (await sandboxStats(env.sb)).commands.payment_request ?? 0;
    const posts = await postsDuring(async () => {
      r = await pay(env.gw, newKey(), tokenA === A ? ACCT : acctB, orderNum, amountDue, undefined, as(tokenA));
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
      r = await env.gw.exec<any, unknown>(PRINT, { input: { acctId: acctB, eventName: 'EVENT34' } }, as(tokenA));
    });
    // A bound token: not its account. A token not bound to an account: the seats are in B's cart.
    expect(codes(r)).toEqual(['FORBIDDEN']);
    expect(posts).toBe(0);
  });

  it('print: A naming one of B’s seats is FORBIDDEN too, no POST; B prints its own', async () => {
    let r: any;
    const posts = await postsDuring(async () => {
      r = await env.gw.exec<any, unknown>(PRINT, { input: { acctId: acctB, eventName: 'EVENT34', seats: [heldSeats[0]] } }, as(tokenA));
    });
    expect(codes(r)).toEqual(['FORBIDDEN']);
    expect(posts).toBe(0);
    const own = await env.gw.exec<any, unknown>(PRINT, { input: { acctId: acctB, eventName: 'EVENT34', seats: heldSeats } }, as(tokenB));
    expect(own.errors).toBeUndefined();
    expect(own.data.printTickets.__typename).toBe('PrintTicketsSuccess');
    expect(own.data.printTickets.tickets.length).toBeGreaterThanOrEqual(heldSeats.length);
  });
});

describe('e-mail addresses of other accounts', () => {
  it('customerByEmail: another account’s address reads null for a bound token, like an unknown one', async () => {
    const other = await env.gw.exec<any, unknown>(`{ customer(acctId: ${OTHER_ACCT}) { email } }`, undefined, as(B));
    const email = other.data.customer.email as string;
    expect(email).toMatch(/@/);
    const taken = await env.gw.exec<any, unknown>('query E($e: String!) { customerByEmail(email: $e) { acctId } }', { e: email }, as(A));
    const unknown = await env.gw.exec<any, unknown>('query E($e: String!) { customerByEmail(email: $e) { acctId } }', { e: 'nobody-at-all@example.org' }, as(A));
    expect(taken.data).toEqual({ customerByEmail: null });
    expect(taken.errors).toBeUndefined();
    expect(unknown.data).toEqual({ customerByEmail: null });
    const own = await env.gw.exec<any, unknown>('query E($e: String!) { customerByEmail(email: $e) { acctId } }', { e: email }, as(B));
    expect(own.data).toEqual({ customerByEmail: { acctId: OTHER_ACCT } });
  });

  it('updateCustomer: a bound token may not change its e-mail (the answer would tell whether another account has it)', async () => {
    const other = await env.gw.exec<any, unknown>(`{ customer(acctId: ${OTHER_ACCT}) { email } }`, undefined, as(B));
    let taken: any;
    let free: any;
    const posts = await postsDuring(async () => {
      taken = await env.gw.exec<any, unknown>('mutation U($e: String!) { updateCustomer(input: { acctId: 100000, email: $e }) { __typename } }', { e: other.data.customer.email }, as(A));
      free = await env.gw.exec<any, unknown>('mutation U($e: String!) { updateCustomer(input: { acctId: 100000, email: $e }) { __typename } }', { e: 'free-address-1@example.org' }, as(A));
    });
    expect(codes(taken)).toEqual(['FORBIDDEN']);
    expect(codes(free)).toEqual(['FORBIDDEN']);
    expect(taken.errors[0].message).toBe(free.errors[0].message);
    expect(posts).toBe(0);
    const city = await env.gw.exec<any, unknown>('mutation { updateCustomer(input: { acctId: 100000, city: "Oslo" }) { __typename } }', undefined, as(A));
    expect(city.errors).toBeUndefined();
  });
});
