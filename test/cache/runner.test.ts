/**
 * The cached runner against a fake inner runner and a ManualClock: hits, TTL, coalescing, stale
 * answers, invalidation after every write kind, and the write/read race.
 */
import { describe, expect, it } from 'vitest';
import {
  abortShoppingCart,
  checkOut,
  customerAdd,
  customerQuery,
  customerUpdate,
  eventDetails,
  eventPriceInfo,
  getAvailSeats,
  getAvailSummary,
  paymentRequest,
  ping,
  seatsHold,
  seatsHoldSpecific,
  seatsSold,
  shoppingCart,
  ticketPrint,
} from '../../src/archtics/commands/index.js';
import {
  ArchticsCommandError,
  ProtocolError,
  RateLimitedError,
  UnavailableError,
  UpstreamTimeoutError,
} from '../../src/archtics/errors.js';
import { newTrace } from '../../src/archtics/types.js';
import { createCachedRunner } from '../../src/cache/index.js';
import { staleExtension } from '../../src/cache/stale.js';
import { ManualClock } from '../../src/clock.js';
import { DEFAULT_TTL_MS, type CacheConfig } from '../../src/config.js';
import { FakeRunner, fakeEventDetails, flush } from './fake-runner.js';

const config = (over: Partial<CacheConfig> = {}): CacheConfig => ({
  maxBytes: 1 << 20,
  ttlMs: { ...DEFAULT_TTL_MS },
  staleGraceMs: 30 * 60_000,
  ...over,
});

function setup(over: Partial<CacheConfig> = {}) {
  const clock = new ManualClock();
  const inner = new FakeRunner();
  const cache = createCachedRunner({
    inner,
    config: config(over),
    clock,
    context: { siteName: 'vanilla' },
  });
  return { clock, inner, cache };
}

const card = {
  type: 'VI' as const,
  number: '4111111111111111',
  cin: '123',
  expiry: '1230',
  firstName: 'A',
  lastName: 'B',
};

describe('cached runner: hits, keys and TTL', () => {
  it('answers a repeated read from cache and counts a hit, not a call, on the trace', async () => {
    const { inner, cache } = setup();
    const t1 = newTrace();
    const t2 = newTrace();
    const a = await cache.run(eventDetails, { names: ['EVT01'] }, { trace: t1 });
    const b = await cache.run(eventDetails, { names: ['evt01'] }, { trace: t2 });
    expect(b).toEqual(a);
    expect(inner.count('event_details')).toBe(1);
    expect(t1).toMatchObject({ calls: 1, cacheHits: 0 });
    expect(t2).toMatchObject({ calls: 0, cacheHits: 1 });
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, l1Hits: 1, hitRatio: 0.5 });
  });

  it('keys on the canonical wire form: order of names and of object keys does not matter', async () => {
    const { inner, cache } = setup();
    await cache.run(eventDetails, { names: ['EVT02', 'EVT01'] });
    await cache.run(eventDetails, { names: ['evt01', ' EVT02 '] });
    await cache.run(getAvailSummary, { section: '101', eventName: 'EVT01' });
    await cache.run(getAvailSummary, { eventName: 'EVT01', section: '101' });
    expect(inner.count('event_details')).toBe(1);
    expect(inner.count('get_avail_seats')).toBe(1);
  });

  it('never mixes the summary and per-seat forms of get_avail_seats', async () => {
    const { inner, cache } = setup();
    const summary = await cache.run(getAvailSummary, { eventName: 'EVT01' });
    const seats = await cache.run(getAvailSeats, { eventName: 'EVT01' });
    expect(seats).not.toBe(summary);
    expect(inner.count('get_avail_seats')).toBe(2);
  });

  it('expires entries after the command TTL (ManualClock), and never caches TTL-0 reads or writes', async () => {
    const { clock, inner, cache } = setup();
    await cache.run(getAvailSummary, { eventName: 'EVT01' });
    await clock.advance(DEFAULT_TTL_MS.get_avail_seats - 1);
    await cache.run(getAvailSummary, { eventName: 'EVT01' });
    expect(inner.count('get_avail_seats')).toBe(1);
    await clock.advance(1);
    await cache.run(getAvailSummary, { eventName: 'EVT01' });
    expect(inner.count('get_avail_seats')).toBe(2);

    await cache.run(ping, undefined);
    await cache.run(ping, undefined);
    expect(inner.count('ping')).toBe(2);
    await cache.run(customerAdd, { customer: { firstName: 'A', lastName: 'B', email: 'a@b.c' } });
    await cache.run(customerAdd, { customer: { firstName: 'A', lastName: 'B', email: 'a@b.c' } });
    expect(inner.count('customer_add')).toBe(2);
  });

  it('honours a per-command TTL override', async () => {
    const { clock, inner, cache } = setup({ ttlMs: { ...DEFAULT_TTL_MS, event_details: 1_000 } });
    await cache.run(eventDetails, { names: ['EVT01'] });
    await clock.advance(1_000);
    await cache.run(eventDetails, { names: ['EVT01'] });
    expect(inner.count('event_details')).toBe(2);
  });

  it('does not cache failures', async () => {
    const { inner, cache } = setup();
    inner.failWith = () => new ArchticsCommandError('unknown event', 6002, 0, 'no such event');
    await expect(cache.run(getAvailSummary, { eventName: 'NOPE' })).rejects.toBeInstanceOf(
      ArchticsCommandError,
    );
    inner.failWith = undefined;
    await cache.run(getAvailSummary, { eventName: 'NOPE' });
    expect(inner.count('get_avail_seats')).toBe(2);
  });

  it('freezes cached values so that no operation can corrupt another one', async () => {
    const { cache } = setup();
    const v = (await cache.run(getAvailSummary, { eventName: 'EVT01' })) as unknown as {
      req: { eventName: string };
    };
    expect(Object.isFrozen(v)).toBe(true);
    expect(() => {
      v.req.eventName = 'X';
    }).toThrow(TypeError);
    const e = await cache.run(eventDetails, { names: ['EVT01'] });
    expect(Object.isFrozen(e.events[0])).toBe(true);
  });
});

describe('cached runner: in-flight coalescing', () => {
  it('50 concurrent identical reads make one upstream call; the others count cache hits', async () => {
    const { inner, cache } = setup();
    inner.hold();
    const traces = Array.from({ length: 50 }, () => newTrace());
    const all = Promise.all(
      traces.map((trace) => cache.run(eventDetails, { names: ['EVT01', 'EVT02'] }, { trace })),
    );
    await flush();
    inner.release();
    const results = await all;
    expect(inner.count('event_details')).toBe(1);
    expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(traces.reduce((n, t) => n + t.calls, 0)).toBe(1);
    expect(traces.reduce((n, t) => n + t.cacheHits, 0)).toBe(49);
    expect(cache.stats()).toMatchObject({ misses: 1, coalesced: 49 });
  });

  it('one caller giving up does not fail the others; the last one out cancels the fetch', async () => {
    const { inner, cache } = setup();
    inner.hold();
    const a = new AbortController();
    const b = new AbortController();
    const pa = cache.run(eventDetails, { names: ['EVT01'] }, { signal: a.signal });
    const pb = cache.run(eventDetails, { names: ['EVT01'] }, { signal: b.signal });
    await flush();
    a.abort(new Error('caller A left'));
    await expect(pa).rejects.toThrow('caller A left');
    expect(inner.calls[0].opts.signal?.aborted).toBe(false);
    b.abort(new Error('caller B left'));
    await expect(pb).rejects.toThrow('caller B left');
    expect(inner.calls[0].opts.signal?.aborted).toBe(true);
    inner.release();
  });

  it('a write completing during a read: the read answers its callers but is not stored, and later callers do not join it', async () => {
    const { inner, cache } = setup();
    inner.hold('get_avail_seats');
    const before = cache.run(getAvailSummary, { eventName: 'EVT01' });
    await flush();
    await cache.run(seatsHold, {
      eventName: 'EVT01',
      ticketTypes: [{ code: 'ADULT', numSeats: 2 }],
    });
    const after = cache.run(getAvailSummary, { eventName: 'EVT01' });
    await flush();
    expect(inner.count('get_avail_seats')).toBe(2); // `after` did not join the pre-write flight
    inner.release();
    await Promise.all([before, after]);
    await cache.run(getAvailSummary, { eventName: 'EVT01' });
    expect(inner.count('get_avail_seats')).toBe(2); // `after` (started post-write) was stored
    expect(cache.stats().entries).toBe(1);
  });
});

describe('cached runner: event_details item by item', () => {
  const names = (r: { events: { name: string }[] }) => r.events.map((e) => e.name);

  it('answers [B, C] after [A, B] with one call for C only', async () => {
    const { inner, cache } = setup();
    await cache.run(eventDetails, { names: ['EVT01', 'EVT02'] });
    const trace = newTrace();
    const r = await cache.run(eventDetails, { names: ['EVT03', 'evt02'] }, { trace });
    expect(names(r)).toEqual(['EVT02', 'EVT03']);
    expect(r.count).toBe(2);
    expect(inner.calls.map((c) => (c.req as { names: string[] }).names)).toEqual([
      ['EVT01', 'EVT02'],
      ['EVT03'],
    ]);
    expect(trace).toMatchObject({ calls: 1, cacheHits: 0 });
    const hit = newTrace();
    expect(names(await cache.run(eventDetails, { names: ['EVT02'] }, { trace: hit }))).toEqual([
      'EVT02',
    ]);
    expect(hit).toMatchObject({ calls: 0, cacheHits: 1 });
  });

  it('remembers an unknown name as absent (no call to learn it again)', async () => {
    const { inner, cache } = setup();
    expect(names(await cache.run(eventDetails, { names: ['EVT01', 'NOPE1'] }))).toEqual(['EVT01']);
    expect(names(await cache.run(eventDetails, { names: ['NOPE1'] }))).toEqual([]);
    expect(inner.count('event_details')).toBe(1);
  });

  it('overlapping lists in flight: the second operation fetches only what nobody is fetching and joins the rest', async () => {
    const { inner, cache } = setup();
    inner.hold();
    const t1 = newTrace();
    const t2 = newTrace();
    const p1 = cache.run(eventDetails, { names: ['EVT01', 'EVT02'] }, { trace: t1 });
    const p2 = cache.run(eventDetails, { names: ['EVT02', 'EVT03'] }, { trace: t2 });
    await flush();
    inner.release();
    const [r1, r2] = await Promise.all([p1, p2]);
    expect(names(r1)).toEqual(['EVT01', 'EVT02']);
    expect(names(r2)).toEqual(['EVT02', 'EVT03']);
    expect(inner.calls.map((c) => (c.req as { names: string[] }).names)).toEqual([
      ['EVT01', 'EVT02'],
      ['EVT03'],
    ]);
    expect([t1.calls, t2.calls]).toEqual([1, 1]);
  });

  it('serves stale items when the upstream refuses, only if every missing name has one', async () => {
    const { clock, inner, cache } = setup();
    await cache.run(eventDetails, { names: ['EVT01', 'EVT02'] });
    await clock.advance(DEFAULT_TTL_MS.event_details + 30_000);
    inner.failWith = () => new RateLimitedError('429', 1, 'upstream');
    const trace = newTrace();
    expect(names(await cache.run(eventDetails, { names: ['EVT02', 'EVT01'] }, { trace }))).toEqual([
      'EVT01',
      'EVT02',
    ]);
    expect(trace).toMatchObject({ staleServes: 1, maxStaleAgeSeconds: 630 });
    await expect(cache.run(eventDetails, { names: ['EVT01', 'EVT09'] })).rejects.toBeInstanceOf(
      RateLimitedError,
    );
  });

  it('the paged form (no names) is cached whole', async () => {
    const { inner, cache } = setup();
    await cache.run(eventDetails, { prevEventName: 'EVT05', count: 10 });
    await cache.run(eventDetails, { prevEventName: 'evt05', count: 10 });
    expect(inner.count('event_details')).toBe(1);
  });
});

describe('cached runner: stale answers while the upstream refuses', () => {
  const refusals = [
    ['429 from the service', () => new RateLimitedError('429', 1, 'upstream')],
    ['our own budget', () => new RateLimitedError('budget', 5, 'budget')],
    ['503', () => new UnavailableError('down')],
    // Broken answers and late ones are no answer either (issue 13: an HTML maintenance page served no stale answer).
    ['a broken answer (HTML page)', () => new ProtocolError('not JSON')],
    ['a timeout', () => new UpstreamTimeoutError('slow', false)],
  ] as const;

  for (const [name, make] of refusals) {
    it(`serves an expired entry within its grace on ${name}, with the stale marker`, async () => {
      const { clock, inner, cache } = setup();
      const fresh = await cache.run(getAvailSummary, { eventName: 'EVT01' });
      await clock.advance(DEFAULT_TTL_MS.get_avail_seats + 45_000);
      inner.failWith = make;
      const trace = newTrace();
      const stale = await cache.run(getAvailSummary, { eventName: 'EVT01' }, { trace });
      expect(stale).toBe(fresh);
      expect(trace).toMatchObject({ staleServes: 1, maxStaleAgeSeconds: 60 });
      expect(staleExtension(trace)).toEqual({ ageSeconds: 60 });
      expect(cache.stats().staleServes).toBe(1);
    });
  }

  it('rethrows the typed error when nothing is servable (never cached, or past the grace)', async () => {
    const { clock, inner, cache } = setup({ staleGraceMs: 60_000 });
    inner.failWith = () => new RateLimitedError('429', 7, 'upstream');
    await expect(cache.run(getAvailSummary, { eventName: 'EVT09' })).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: 7,
    });
    inner.failWith = undefined;
    await cache.run(getAvailSummary, { eventName: 'EVT01' });
    await clock.advance(DEFAULT_TTL_MS.get_avail_seats + 60_000);
    inner.failWith = () => new UnavailableError('down');
    const trace = newTrace();
    await expect(
      cache.run(getAvailSummary, { eventName: 'EVT01' }, { trace }),
    ).rejects.toBeInstanceOf(UnavailableError);
    expect(staleExtension(trace)).toBeUndefined();
  });

  it("does not serve stale on the service's own answer (a command error)", async () => {
    const { clock, inner, cache } = setup();
    await cache.run(getAvailSummary, { eventName: 'EVT01' });
    await clock.advance(DEFAULT_TTL_MS.get_avail_seats + 1);
    inner.failWith = () => new ArchticsCommandError('no such event', 5212, 0, '');
    await expect(cache.run(getAvailSummary, { eventName: 'EVT01' })).rejects.toBeInstanceOf(
      ArchticsCommandError,
    );
  });

  it('sends a read fail-fast only when it has a stale copy to fall back on', async () => {
    const { clock, inner, cache } = setup({ staleGraceMs: 60_000 });
    await cache.run(getAvailSummary, { eventName: 'EVT01' });
    await cache.run(eventDetails, { names: ['EVT01'] });
    expect(inner.calls.map((c) => c.opts.failFast)).toEqual([undefined, undefined]);
    await clock.advance(DEFAULT_TTL_MS.get_avail_seats + 1);
    await cache.run(getAvailSummary, { eventName: 'EVT01' });
    expect(inner.calls[2].opts.failFast).toBe(true);
    // Event by event: a call for items that all have a stale copy is fail-fast, one with a new item is not.
    await clock.advance(DEFAULT_TTL_MS.event_details + 1);
    await cache.run(eventDetails, { names: ['EVT01'] });
    await clock.advance(DEFAULT_TTL_MS.event_details + 1);
    await cache.run(eventDetails, { names: ['EVT01', 'EVT02'] });
    expect(inner.calls.slice(3).map((c) => [c.command, c.opts.failFast])).toEqual([
      ['event_details', true],
      ['event_details', undefined],
    ]);
    // Past the grace there is nothing to fall back on: the read waits for its answer again.
    await clock.advance(DEFAULT_TTL_MS.get_avail_seats + 60_000);
    await cache.run(getAvailSummary, { eventName: 'EVT01' });
    expect(inner.calls.at(-1)!.opts.failFast).toBeUndefined();
  });

  it('every coalesced caller gets the stale answer and its own marker', async () => {
    const { clock, inner, cache } = setup();
    await cache.run(eventDetails, { names: ['EVT01'] });
    await clock.advance(DEFAULT_TTL_MS.event_details + 1_000);
    inner.failWith = () => new RateLimitedError('429', 1, 'upstream');
    const traces = [newTrace(), newTrace(), newTrace()];
    await Promise.all(
      traces.map((trace) => cache.run(eventDetails, { names: ['EVT01'] }, { trace })),
    );
    expect(inner.count('event_details')).toBe(2);
    for (const t of traces) expect(t.staleServes).toBe(1);
  });
});

describe('cached runner: invalidation after writes', () => {
  /** Reads every cached read of the scenario once (filling the cache), returns call counts after a second round. */
  async function scenario(
    write: (cache: ReturnType<typeof setup>['cache']) => Promise<unknown>,
    opts: { fail?: () => unknown } = {},
  ) {
    const { inner, cache } = setup();
    inner.answer = (command, req, n) => {
      if (command === 'customer_query')
        return {
          customer: { acctId: 100479, email: 'Holder@Example.com' },
          accountIds: [100479],
          recStatus: 'Active',
          n,
        };
      if (command === 'seats_hold' || command === 'seats_hold_specific')
        return { orderNum: 555, seats: [{ eventName: 'EVT01' }], n };
      if (command === 'shopping_cart')
        return { orderNum: 555, seats: [{ eventName: 'EVT02' }], subtotal: 0, n };
      if (command === 'event_details') return fakeEventDetails(req, n);
      return { command, req, n };
    };
    const reads = async () => {
      await cache.run(getAvailSummary, { eventName: 'EVT01' });
      await cache.run(getAvailSeats, { eventName: 'EVT01', section: '101' });
      await cache.run(getAvailSummary, { eventName: 'EVT02' });
      await cache.run(getAvailSummary, { eventName: 'EVT03' });
      await cache.run(shoppingCart, { orderNum: 555 });
      await cache.run(seatsSold, { acctId: 100479 });
      await cache.run(seatsSold, { acctId: 200000 });
      await cache.run(customerQuery, { acctId: 100479 });
      await cache.run(customerQuery, { email: 'holder@example.com' });
      await cache.run(customerQuery, { email: 'new@example.com' });
      await cache.run(eventDetails, { names: ['EVT01'] });
      await cache.run(eventPriceInfo, { eventName: 'EVT01' });
    };
    await reads();
    const before = inner.calls.length;
    if (opts.fail) inner.failWith = opts.fail;
    await write(cache).catch(() => undefined);
    inner.failWith = undefined;
    const afterWrite = inner.calls.length;
    await reads();
    const refetched = inner.calls
      .slice(afterWrite)
      .map((c) => `${c.command}:${JSON.stringify(c.req)}`);
    expect(afterWrite - before).toBe(1);
    return refetched;
  }

  it("seats_hold evicts that event's availability (both forms) and the cart", async () => {
    expect(
      await scenario((c) =>
        c.run(seatsHold, {
          eventName: 'evt01',
          ticketTypes: [{ code: 'ADULT', numSeats: 2 }],
          orderNum: 555,
        }),
      ),
    ).toEqual([
      'get_avail_seats:{"eventName":"EVT01"}',
      'get_avail_seats:{"eventName":"EVT01","section":"101"}',
      'shopping_cart:{"orderNum":555}',
    ]);
  });

  it("seats_hold_specific evicts that event's availability — even when it fails ambiguously", async () => {
    const refetched = await scenario(
      (c) =>
        c.run(seatsHoldSpecific, {
          eventName: 'EVT01',
          section: '101',
          row: 'A',
          firstSeat: 1,
          numSeats: 2,
          ticketTypeCode: 'ADULT',
        }),
      { fail: () => new UpstreamTimeoutError('lost', true) },
    );
    expect(refetched).toEqual([
      'get_avail_seats:{"eventName":"EVT01"}',
      'get_avail_seats:{"eventName":"EVT01","section":"101"}',
    ]);
  });

  it("abort_shopping_cart evicts the cart and its events' availability (learnt from the cart and holds)", async () => {
    expect(await scenario((c) => c.run(abortShoppingCart, { orderNum: 555 }))).toEqual([
      'get_avail_seats:{"eventName":"EVT02"}',
      'shopping_cart:{"orderNum":555}',
    ]);
  });

  it('an abort of a cart never seen evicts all availability (the safe side)', async () => {
    expect(await scenario((c) => c.run(abortShoppingCart, { orderNum: 999 }))).toEqual([
      'get_avail_seats:{"eventName":"EVT01"}',
      'get_avail_seats:{"eventName":"EVT01","section":"101"}',
      'get_avail_seats:{"eventName":"EVT02"}',
      'get_avail_seats:{"eventName":"EVT03"}',
    ]);
  });

  it("payment_request evicts the account's seats_sold, the cart and its events' availability — also when its outcome is unknown", async () => {
    const pay = (c: ReturnType<typeof setup>['cache']) =>
      c.run(paymentRequest, {
        acctId: 100479,
        orderNum: 555,
        items: [{ lineItem: 1, deliveryMethod: 'E' }],
        amount: 1000,
        card,
      });
    const expected = [
      'get_avail_seats:{"eventName":"EVT02"}',
      'shopping_cart:{"orderNum":555}',
      'seats_sold:{"acctId":100479}',
    ];
    expect(await scenario(pay)).toEqual(expected);
    expect(await scenario(pay, { fail: () => new UpstreamTimeoutError('lost', true) })).toEqual(
      expected,
    );
  });

  it('customer_update evicts that customer by acct_id and by e-mail (old and new)', async () => {
    expect(
      await scenario((c) =>
        c.run(customerUpdate, { customer: { acctId: 100479, email: 'new@example.com' } }),
      ),
    ).toEqual([
      'customer_query:{"acctId":100479}',
      'customer_query:{"email":"holder@example.com"}',
      'customer_query:{"email":"new@example.com"}',
    ]);
  });

  it('customer_add evicts a cached answer for its e-mail (a "not found" is now wrong)', async () => {
    expect(
      await scenario((c) =>
        c.run(customerAdd, {
          customer: { firstName: 'N', lastName: 'E', email: 'NEW@example.com' },
        }),
      ),
    ).toEqual(['customer_query:{"email":"new@example.com"}']);
  });

  it("ticket_print evicts that account's seats_sold", async () => {
    expect(
      await scenario((c) =>
        c.run(ticketPrint, { acctId: 100479, eventName: 'EVT01', deliveryMethod: 'E' }),
      ),
    ).toEqual(['seats_sold:{"acctId":100479}']);
  });

  it('check_out is never cached, and drops the cached cart (it binds the cart to the account)', async () => {
    expect(await scenario((c) => c.run(checkOut, { acctId: 100479, orderNum: 555 }))).toEqual([
      'shopping_cart:{"orderNum":555}',
    ]);
  });
});
