/**
 * Shared pieces of the mutation tests: the operations as the public API is called, a card that
 * passes Luhn and one the sandbox declines (ends in 0002, and passes Luhn too), and small steps
 * (hold → checkout) that the payment tests build on. Everything runs through yoga.fetch against
 * the real in-process sandbox (test/graphql/harness.ts).
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { TestGateway } from '../graphql/harness.js';

export const APPROVED_CARD = '4111 1111 1111 1111';
/** Ends in 0002 (the sandbox declines it) and passes the Luhn check (so the gateway sends it). */
export const DECLINED_CARD = '4000000000000002';
/** Always in the future. */
export const EXPIRY = '1239';

export const HOLD_BEST = /* GraphQL */ `
  mutation Hold($input: HoldBestAvailableInput!) {
    holdBestAvailable(input: $input) {
      __typename
      ... on HoldSeatsSuccess {
        orderNum
        expiresAt
        heldSeats {
          section
          row
          number
          status
          price {
            amount
            currency
          }
        }
      }
      ... on Error {
        message
      }
    }
  }
`;

export const HOLD_SEATS = /* GraphQL */ `
  mutation HoldSeats($input: HoldSeatsInput!) {
    holdSeats(input: $input) {
      __typename
      ... on HoldSeatsSuccess {
        orderNum
        heldSeats {
          section
          row
          number
        }
      }
      ... on SeatsUnavailable {
        message
        eventName
      }
      ... on Error {
        message
      }
    }
  }
`;

export const CHECKOUT = /* GraphQL */ `
  mutation Checkout($input: CheckoutInput!) {
    checkout(input: $input) {
      __typename
      ... on CheckoutSuccess {
        orderNum
        acctId
        lineItems {
          lineItem
          eventName
          quantity
          priceCode
          ticketType
          price {
            amount
          }
          total {
            amount
          }
          seats {
            section
            row
            number
          }
        }
        serviceCharges {
          id
          description
          amount {
            amount
          }
        }
        paymentPlans {
          id
          description
        }
        subtotal {
          amount
        }
        feesTotal {
          amount
        }
        amountDue {
          amount
          currency
        }
      }
      ... on CartExpired {
        orderNum
        message
      }
      ... on NotFound {
        what
        message
      }
    }
  }
`;

export const PAY = /* GraphQL */ `
  mutation Pay($input: SubmitPaymentInput!) {
    submitPayment(input: $input) {
      __typename
      ... on PaymentSuccess {
        orderNum
        acctId
        confirmationNumber
        settledByReading
        replayed
        amount {
          amount
          currency
        }
      }
      ... on AmountMismatch {
        message
        calculatedAmount {
          amount
          currency
        }
      }
      ... on CartExpired {
        orderNum
      }
      ... on Error {
        message
      }
    }
  }
`;

export const PRINT = /* GraphQL */ `
  mutation Print($input: PrintTicketsInput!) {
    printTickets(input: $input) {
      __typename
      ... on PrintTicketsSuccess {
        tickets {
          section
          row
          number
          barcode
          status
        }
      }
      ... on NotFound {
        what
        message
      }
    }
  }
`;

export const RELEASE = /* GraphQL */ `
  mutation Release($orderNum: Int!) {
    releaseCart(orderNum: $orderNum) {
      __typename
      ... on ReleaseCartSuccess {
        orderNum
        released
      }
      ... on CartExpired {
        orderNum
      }
    }
  }
`;

type Data = Record<string, any>;

export function newKey(): string {
  return `pay-${randomUUID()}`;
}

export function card(number = APPROVED_CARD) {
  return {
    type: 'VISA',
    number,
    cvv: '123',
    expiry: EXPIRY,
    firstName: 'Ada',
    lastName: 'Lovelace',
  };
}

/** Holds `quantity` best-available seats; returns the order number. */
export async function hold(
  gw: TestGateway,
  eventName: string,
  quantity = 2,
  headers: Record<string, string> = {},
  extra: Record<string, unknown> = {},
): Promise<number> {
  const r = await gw.exec<Data, unknown>(
    HOLD_BEST,
    { input: { eventName, quantity, ...extra } },
    headers,
  );
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  expect(r.data!.holdBestAvailable.__typename).toBe('HoldSeatsSuccess');
  return r.data!.holdBestAvailable.orderNum as number;
}

/** The sandbox's world's first account id, from its /__sandbox/info. */
async function firstAccount(sb: { url: string }): Promise<number> {
  const info = (await (await fetch(`${sb.url}/__sandbox/info`)).json()) as {
    samples: { accountRange: [number, number] };
  };
  return info.samples.accountRange[0];
}

/**
 * Holds and checks out (for the world's first account unless given); returns the order number and
 * the amount due as the API states it.
 */
export async function heldAndCheckedOut(
  gw: TestGateway,
  eventName: string,
  acct?: number,
  quantity = 2,
): Promise<{ orderNum: number; amountDue: string }> {
  const acctId = acct ?? (await firstAccount(gw.sandbox));
  const orderNum = await hold(gw, eventName, quantity);
  const c = await gw.exec<Data, unknown>(CHECKOUT, { input: { orderNum, acctId } });
  expect(c.errors, JSON.stringify(c.errors)).toBeUndefined();
  expect(c.data!.checkout.__typename).toBe('CheckoutSuccess');
  return { orderNum, amountDue: c.data!.checkout.amountDue.amount as string };
}

export function payInput(
  key: string,
  acctId: number,
  orderNum: number,
  amount: string,
  cardNumber = APPROVED_CARD,
) {
  return { input: { idempotencyKey: key, acctId, orderNum, amount, card: card(cardNumber) } };
}

export function pay(
  gw: TestGateway,
  key: string,
  acctId: number,
  orderNum: number,
  amount: string,
  cardNumber = APPROVED_CARD,
  headers: Record<string, string> = {},
) {
  return gw.exec<Data, unknown>(PAY, payInput(key, acctId, orderNum, amount, cardNumber), headers);
}

/** Advances the sandbox's clock (holds expire, queued commands complete). */
export async function advanceSandboxClock(sb: { url: string }, ms: number): Promise<void> {
  const res = await fetch(`${sb.url}/__sandbox/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advanceMs: ms }),
  });
  expect(res.ok).toBe(true);
}

/** Waits (bounded: 400 × 10 ms) until `cond` holds. */
export async function until(cond: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Resolves once the sandbox has received more than `seen` payment_request commands. */
export function paymentReceived(
  sb: { url: string },
  seen: number,
  stats: (sb: { url: string }) => Promise<{ commands: Record<string, number> }>,
): Promise<void> {
  return until(
    async () => ((await stats(sb)).commands.payment_request ?? 0) > seen,
    'payment_request to reach the sandbox',
  );
}
