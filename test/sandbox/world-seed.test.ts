/**
 * The seeded world: deterministic (same seed, same answers; another seed, other data) and of a
 * realistic size (12,000 seats in 30 sections, six price codes, 2,000 accounts, 44 events of 2026-27
 * and 3 archived ones of 2016-17).
 */
import { describe, expect, it } from 'vitest';
import type { CommandName } from '../../src/sandbox/reference.js';
import { createWorld } from '../../src/sandbox/world/index.js';
import { generate, mulberry32, STH_ACCT_ID } from '../../src/sandbox/world/seed.js';
import { PRICE_CODES, SEAT_COUNT, SECTION_NAMES } from '../../src/sandbox/world/venue.js';
import { START, testWorld } from './world-helpers.js';
import { luhnValid } from '../../resolvers/validate.js';

/** A scripted session; its answers as one string. */
function transcript(seed: number): string {
  const t = testWorld(seed);
  const calls: [CommandName, Record<string, unknown>][] = [
    ['event_search', {}],
    ['event_details', {}],
    ['customer_query', { acct_id: 100479, call_reason: 'S' }],
    ['customer_query', { acct_id: 101234, call_reason: 'S' }],
    ['seats_sold', { acct_id: 100479 }],
    ['get_avail_seats', { event_name: 'EVENT01', summary_flag: 'Y' }],
    [
      'seats_hold',
      { event_name: 'EVENT01', ticket_type: [{ ticket_type_code: 'ADULT', num_seats: 4 }] },
    ],
    ['check_out', { acct_id: 100479, order_num: 500001 }],
    [
      'payment_request',
      {
        acct_id: 100479,
        order_num: 500001,
        mop: [{ pmt_type: 'VI', amount: 0, credit_card: { cc_num: '4111111111111111' } }],
      },
    ],
    ['ticket_print', { acct_id: 100479, event_name: 'EVENT01' }],
  ];
  return JSON.stringify(calls.map(([cmd, f]) => t.run(cmd, f)));
}

describe('determinism', () => {
  it('two worlds with the same seed give identical answers', () => {
    expect(transcript(7)).toBe(transcript(7));
  });
  it('a different seed gives different data', () => {
    expect(transcript(7)).not.toBe(transcript(8));
    const a = generate(7);
    const b = generate(8);
    expect(a.accounts.map((x) => x.email)).not.toEqual(b.accounts.map((x) => x.email));
    // …but the same calendar: event names and dates do not depend on the seed or the real date.
    expect(a.events.map((e) => [e.name, e.date])).toEqual(b.events.map((e) => [e.name, e.date]));
  });
  it('mulberry32 is a pure function of its seed', () => {
    const r1 = mulberry32(42);
    const r2 = mulberry32(42);
    const xs = Array.from({ length: 5 }, () => r1());
    expect(xs).toEqual(Array.from({ length: 5 }, () => r2()));
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });
  it('does not read the real clock: the world clock alone decides "today"', () => {
    const w = createWorld({ seed: 1, clock: { now: () => START } });
    const x = w.execute('event_search', { cmd: 'event_search', uid: 'u', dsn: 'd' });
    expect((x.fields as any).events[0].event_name).toBe('EVENT11'); // first event on or after 2026-11-29
  });
});

describe('realistic size', () => {
  const data = generate(1);
  it('a venue of 12,000 seats in 30 sections with 6 price codes', () => {
    expect(SEAT_COUNT).toBeGreaterThanOrEqual(10_000);
    expect(SECTION_NAMES).toHaveLength(30);
    expect(PRICE_CODES).toHaveLength(6);
    const t = testWorld(1);
    const rows: string[] = t.okRun('get_avail_seats', { event_name: 'CONC01', summary_flag: 'Y' })
      .manifest.section_summary.data;
    expect(rows.reduce((s, r) => s + Number(r.split(',')[1]), 0)).toBe(12_000); // nobody owns concert seats yet
  });
  it('40 home events EVENT01…EVENT40 and 4 concerts across Sep 2026 – Aug 2027', () => {
    const names = data.events.map((e) => e.name);
    expect(names.filter((n) => /^EVENT\d\d$/.test(n))).toHaveLength(40);
    expect(names.filter((n) => /^CONC\d\d$/.test(n))).toHaveLength(4);
    for (const e of data.events) {
      if (!e.archived) expect(e.date >= '2026-09-01' && e.date <= '2027-08-31').toBe(true);
      expect(e.name.length).toBeLessThanOrEqual(8);
    }
  });
  it("3 archived games of 2016-17 (the public page's event_search sample), in their own season and id range", () => {
    const archived = data.events.filter((e) => e.archived);
    expect(archived.map((e) => [e.name, e.date, e.seasonName, e.eventId])).toEqual([
      ['HIST1601', '2016-10-08', '2016-17 Season', 1601],
      ['HIST1602', '2016-11-12', '2016-17 Season', 1602],
      ['HIST1603', '2016-12-10', '2016-17 Season', 1603],
    ]);
    // They sort after every current event, whose positions and ids are what they were.
    expect(data.events.slice(-3)).toEqual(archived);
    expect(
      data.events
        .filter((e) => !e.archived)
        .map((e) => e.eventId)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 44 }, (_, i) => 2601 + i));
  });
  it('2,000 accounts 100000–101999 with unique e-mails; ~15% season-ticket holders; 100479 owns seats', () => {
    expect(data.accounts).toHaveLength(2000);
    expect(data.accounts[0].acctId).toBe(100000);
    expect(data.accounts[1999].acctId).toBe(101999);
    expect(new Set(data.accounts.map((a) => a.email.toLowerCase())).size).toBe(2000);
    const holders = new Set(data.seasonBlocks.map((b) => b.acctId));
    expect(holders.has(STH_ACCT_ID)).toBe(true);
    expect(holders.size).toBeGreaterThan(200);
    expect(holders.size).toBeLessThan(400);
    for (const b of data.seasonBlocks) {
      expect(b.numSeats).toBeGreaterThanOrEqual(2);
      expect(b.numSeats).toBeLessThanOrEqual(6);
    }
    const owned = data.seasonBase.reduce((s, v) => s + v, 0);
    expect(owned).toBe(data.seasonBlocks.reduce((s, b) => s + b.numSeats, 0)); // no seat owned twice
  });
  it('samples name real things', () => {
    const t = testWorld(1);
    const s = t.world.samples as Record<string, any>;
    expect(s.seasonTicketHolder).toBe(100479);
    expect(s.events).toContain('EVENT01');
    expect(s.priceCodes).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
    expect(s.ticketTypes).toEqual(['ADULT', 'CHILD', 'SENIOR']);
    t.okRun('customer_query', { acct_id: s.customer, pin: s.customerPin });
    t.okRun('seats_hold_specific', { ...s.freeSeats });
  });
});

describe('sample cards', () => {
  // Regression: the declined sample was 4111111111110002, which fails Luhn, so the gateway
  // refused it as BAD_USER_INPUT before the sandbox could decline it.
  it('both pass the Luhn check, so a validating gateway forwards them; the declined one ends in 0002', () => {
    const { approvedCard, declinedCard } = createWorld({ seed: 1, clock: { now: () => START } })
      .samples as Record<string, string>;
    expect(luhnValid(approvedCard)).toBe(true);
    expect(luhnValid(declinedCard)).toBe(true);
    expect(declinedCard.endsWith('0002')).toBe(true);
  });
});
