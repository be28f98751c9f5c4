/**
 * Conformance under refusal: a storm of forced 429s carrying Retry-After (on first sends and on
 * polls), 503s on reads, on a write and on a payment's polls — with the cross-request cache on, as
 * in production. The gateway must wait out every Retry-After (its budget pauses for the whole key),
 * re-poll with the same body and cookies, and never send a write again; the strict sandbox judges.
 * And a negative control: a gateway budgeted above what the service allows IS caught. In every
 * cell of the matrix (test/support/worlds.ts): both seeded worlds × both async modes.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DashboardDocument,
  EventAvailabilityDocument,
  SearchEventsDocument,
} from '../gql/graphql.js';
import { globalId, sandboxStats, seasonTicketHolders, setFaults } from '../graphql/harness.js';
import { CHECKOUT, HOLD_BEST, newKey, pay } from '../mutations/support.js';
import { account, MATRIX, samplesOf } from '../support/worlds.js';
import { expectConformant, startStrictPair, type StrictPair } from './support.js';

type Data = Record<string, any>;

describe.each(MATRIX)('$label', (cell) => {
  describe('429 storms and 503s against a strict sandbox', () => {
    let pair: StrictPair;
    beforeAll(async () => {
      pair = await startStrictPair({
        // 80 a minute, × the POSTs a command costs when every command is polled.
        ratePerMinute: 80 * cell.postsPerCommand,
        cache: true,
        sandbox: {
          timeScale: 0.1,
          serviceTimeMs: { get_avail_seats: 5_000, payment_request: 5_000 },
          ...cell.sandbox,
        },
        env: cell.env,
      });
    });
    afterAll(() => pair?.close());
    afterEach(async () => {
      await setFaults(pair.sb, []);
      await expectConformant(pair.sb);
    });

    it('a 429 storm with Retry-After: 1 on a dashboard: every retry waits it out', async () => {
      await setFaults(pair.sb, [{ kind: 'rateLimit', count: 6, retryAfterSeconds: 1 }]);
      const holders = seasonTicketHolders(pair.sb).slice(0, 4);
      const r = await pair.gw.exec(DashboardDocument, {
        ids: holders.map((id) => globalId('Customer', id)),
        first: 3,
      });
      const s = await sandboxStats(pair.sb);
      expect(s.faults.rateLimit).toBe(6);
      // Reads are re-sent after the wait (up to 4 sends each): the storm passes.
      expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    });

    it('429s on polls, then 503s on polls of get_avail_seats: the same cookies and body again, later', async () => {
      const before = await sandboxStats(pair.sb);
      await setFaults(pair.sb, [
        { kind: 'rateLimit', only: 'polls', count: 2, retryAfterSeconds: 1 },
        { kind: 'unavailable', only: 'polls', count: 2 },
      ]);
      const r = await pair.gw.exec(EventAvailabilityDocument, {
        name: samplesOf(pair.sb).homeEvents[20],
        first: 2,
      });
      expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
      const s = await sandboxStats(pair.sb);
      expect(
        s.faults.rateLimit -
          before.faults.rateLimit +
          s.faults.unavailable -
          before.faults.unavailable,
      ).toBe(4);
    });

    it('503s on reads are retried; a 503 on a write is not re-sent by the gateway', async () => {
      await setFaults(pair.sb, [
        { kind: 'unavailable', commands: ['event_search'], count: 2 },
        { kind: 'unavailable', commands: ['seats_hold'], count: 1 },
      ]);
      const search = await pair.gw.exec(SearchEventsDocument, {
        from: '2026-12-01',
        to: '2026-12-31',
        first: 3,
      });
      expect(search.errors, JSON.stringify(search.errors)).toBeUndefined();
      const refused = await pair.gw.exec<Data, unknown>(HOLD_BEST, {
        input: { eventName: samplesOf(pair.sb).homeEvents[21], quantity: 2 },
      });
      expect(
        refused.data?.holdBestAvailable?.__typename ?? refused.errors?.[0]?.extensions?.code,
      ).not.toBe('HoldSeatsSuccess');
      let s = await sandboxStats(pair.sb);
      expect(s.commands.seats_hold).toBe(1);
      expect(s.executions.seats_hold).toBeUndefined();
      // The caller tries again: nothing ran the first time, so this is no resend.
      const held = await pair.gw.exec<Data, unknown>(HOLD_BEST, {
        input: { eventName: samplesOf(pair.sb).homeEvents[21], quantity: 2 },
      });
      expect(held.data!.holdBestAvailable.__typename).toBe('HoldSeatsSuccess');
      s = await sandboxStats(pair.sb);
      expect(s.executions.seats_hold).toBe(1);
    });

    it('a payment (202, polled) whose polls meet a 429 and a 503: charged once', async () => {
      const held = await pair.gw.exec<Data, unknown>(HOLD_BEST, {
        input: { eventName: samplesOf(pair.sb).homeEvents[22], quantity: 1 },
      });
      const orderNum = held.data!.holdBestAvailable.orderNum as number;
      const co = await pair.gw.exec<Data, unknown>(CHECKOUT, {
        input: { orderNum, acctId: account(pair.sb, 2) },
      });
      await setFaults(pair.sb, [
        {
          kind: 'rateLimit',
          only: 'polls',
          commands: ['payment_request'],
          count: 1,
          retryAfterSeconds: 1,
        },
        { kind: 'unavailable', only: 'polls', commands: ['payment_request'], count: 1 },
      ]);
      const paid = await pay(
        pair.gw,
        newKey(),
        account(pair.sb, 2),
        orderNum,
        co.data!.checkout.amountDue.amount as string,
      );
      expect(paid.errors, JSON.stringify(paid.errors)).toBeUndefined();
      expect(paid.data!.submitPayment.__typename).toBe('PaymentSuccess');
      const s = await sandboxStats(pair.sb);
      expect(s.commands.payment_request).toBe(1);
      expect(s.executions.payment_request).toBe(1);
    });
  });

  describe('lost answers against a strict sandbox', () => {
    let pair: StrictPair;
    beforeAll(async () => {
      pair = await startStrictPair({
        sandbox: { timeScale: 0.1, serviceTimeMs: { payment_request: 5_000 }, ...cell.sandbox },
        env: cell.env,
      });
    });
    afterAll(() => pair?.close());
    afterEach(async () => {
      await setFaults(pair.sb, []);
      await expectConformant(pair.sb);
    });

    it('a payment cut off mid-poll, and a hold cut off on its send: never sent again, settled by reading', async () => {
      const held = await pair.gw.exec<Data, unknown>(HOLD_BEST, {
        input: { eventName: samplesOf(pair.sb).homeEvents[23], quantity: 1 },
      });
      const orderNum = held.data!.holdBestAvailable.orderNum as number;
      const co = await pair.gw.exec<Data, unknown>(CHECKOUT, {
        input: { orderNum, acctId: account(pair.sb, 3) },
      });
      const amount = co.data!.checkout.amountDue.amount as string;
      await setFaults(pair.sb, [
        { kind: 'dropConnection', commands: ['payment_request'], only: 'polls', count: 1 },
      ]);
      const key = newKey();
      const lost = await pay(pair.gw, key, account(pair.sb, 3), orderNum, amount);
      expect(lost.errors?.[0]?.extensions?.code).toBe('PAYMENT_OUTCOME_UNKNOWN');
      // Let the queued payment complete in the service, then ask again with the same key.
      await fetch(`${pair.sb.url}/__sandbox/clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ advanceMs: 10_000 }),
      });
      const settled = await pay(pair.gw, key, account(pair.sb, 3), orderNum, amount);
      expect(settled.data!.submitPayment).toMatchObject({
        __typename: 'PaymentSuccess',
        settledByReading: true,
      });

      await setFaults(pair.sb, [{ kind: 'dropConnection', commands: ['seats_hold'], count: 1 }]);
      const cut = await pair.gw.exec<Data, unknown>(HOLD_BEST, {
        input: { eventName: samplesOf(pair.sb).homeEvents[24], quantity: 3 },
      });
      expect(cut.data?.holdBestAvailable?.__typename).not.toBe('HoldSeatsSuccess');
      const s = await sandboxStats(pair.sb);
      expect(s.commands).toMatchObject({ payment_request: 1, seats_hold: 2 });
      expect(s.executions).toMatchObject({ payment_request: 1, seats_hold: 2 });
    });

    it('a read whose answer is lost is simply asked again', async () => {
      await setFaults(pair.sb, [
        { kind: 'dropConnection', commands: ['event_search'], count: 1 },
        { kind: 'dropConnection', commands: ['event_details'], count: 1 },
      ]);
      const r = await pair.gw.exec<Data, unknown>(
        `{ searchEvents(from: "2027-01-01", to: "2027-01-31", first: 2) { edges { node { name description } } } }`,
      );
      expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
      expect((await sandboxStats(pair.sb)).commands.event_search).toBe(2);
    });
  });

  describe('negative control: the checker sees a gateway that breaks a rule', () => {
    it('a gateway budgeted at 200 a minute against a service allowing 20: over-quota and over-rate', async () => {
      const pair = await startStrictPair({
        ratePerMinute: 20,
        sandbox: cell.sandbox,
        env: { ...cell.env, ARCHTICS_RATE_PER_MINUTE: '200' },
      });
      try {
        const holders = seasonTicketHolders(pair.sb).slice(0, 15);
        await pair.gw.exec(DashboardDocument, {
          ids: holders.map((id) => globalId('Customer', id)),
          first: 1,
        });
        const counts = (await sandboxStats(pair.sb)).violationCounts ?? {};
        expect(counts['over-quota']).toBeGreaterThan(0);
        expect(counts['over-rate']).toBeGreaterThan(0);
      } finally {
        await pair.close();
      }
    });
  });
});
