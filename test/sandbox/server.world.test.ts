/**
 * The server with the seeded world (src/sandbox/world/): the public page's six samples exactly as
 * written, and racing holds over HTTP.
 */
import { describe, expect, it } from 'vitest';
import { useSandbox } from '../support/sandbox.js';

// The sample requests of season-ticketing-api-1.0.md, byte for byte in content.
const PUBLIC_SAMPLES: Record<string, unknown> = {
  ping: {
    header: { ver: 1, src_sys_type: 2, src_sys_name: 'testing', archtics_version: 'V999' },
    command1: { cmd: 'ping', call_reason: 'test', uid: 'user99', dsn: 'apigee' },
  },
  event_search: {
    header: { ver: 1, src_sys_type: 2, src_sys_name: 'test', archtics_version: 'v999' },
    command1: {
      cmd: 'event_search',
      ref: '1AB2C3',
      uid: 'USER99',
      dsn: 'APIGEE',
      start_date: '2016-10-01',
      end_date: '2016-12-31',
    },
  },
  event_details: {
    header: { ver: 1, src_sys_type: 2, src_sys_name: 'testing', archtics_version: 'V999' },
    command1: {
      cmd: 'event_details',
      event_filter: 'Event01, Event02',
      event_filter_type: 'L',
      uid: 'user99',
      dsn: 'apigee',
    },
  },
  customer_query: {
    header: { ver: 1, src_sys_type: 2, src_sys_name: 'test', archtics_version: 'V999' },
    command1: {
      cmd: 'customer_query',
      ref: 'optional-reference',
      uid: 'user99',
      dsn: 'apigee',
      site_name: 'vanilla',
      acct_id: 100479,
      call_reason: 'S',
    },
  },
  seats_sold: {
    header: { ver: 1, src_sys_type: 2, src_sys_name: 'testing', archtics_version: 'V999' },
    command1: {
      cmd: 'seats_sold',
      call_reason: 'test',
      uid: 'user99',
      dsn: 'apigee',
      acct_id: 100479,
    },
  },
};
const POLLING_SAMPLE = {
  header: { ver: 1, src_sys_type: 2, src_sys_name: 'testing', archtics_version: 'V999' },
  command1: { cmd: 'ats_ext_test_polling', uid: 'user99', dsn: 'apigee' },
};

describe('the public page samples against the seeded world', () => {
  const sb = useSandbox({ ratePerMinute: 1000 });

  // event_search searches 2016-10-01..2016-12-31: the world's archived 2016-17 games answer it.
  for (const [name, body] of Object.entries(PUBLIC_SAMPLES)) {
    it(`${name} answers 200 with result 0`, async () => {
      const r = await sb.call({ raw: JSON.stringify(body) });
      expect(r.status).toBe(200);
      expect(r.json.header).toMatchObject({
        ...(body as { header: object }).header,
        ats_version: '4.23.3',
        result: 0,
      });
      expect(r.json.command1).toMatchObject({ cmd: name, result: 0, sql_code: 0 });
    });
  }

  it('event_search of the sample finds the archived 2016-17 games', async () => {
    const r = await sb.call({ raw: JSON.stringify(PUBLIC_SAMPLES.event_search) });
    expect(r.json.command1.ref).toBe('1AB2C3');
    expect(r.json.command1.events.map((e: { event_name: string }) => e.event_name)).toEqual([
      'HIST1601',
      'HIST1602',
      'HIST1603',
    ]);
  });

  it('event_details with "Event01, Event02" returns both events, upper-case', async () => {
    const r = await sb.call({ raw: JSON.stringify(PUBLIC_SAMPLES.event_details) });
    expect(r.json.command1.events.map((e: { event_name: string }) => e.event_name)).toEqual([
      'EVENT01',
      'EVENT02',
    ]);
  });

  it('ats_ext_test_polling answers 202, then its result 10 s after acceptance', async () => {
    const first = await sb.call({ raw: JSON.stringify(POLLING_SAMPLE) });
    expect(first.status).toBe(202);
    sb.sandbox.clock.advance(10_000);
    const done = await sb.call({ raw: first.sent, cookie: first.cookieHeader });
    expect(done.status).toBe(200);
    expect(done.json.command1).toEqual({ cmd: 'ats_ext_test_polling', result: 0, sql_code: 0 });
  });

  it('GET /__sandbox/info carries the world samples', async () => {
    const info = (await (await fetch(`${sb.sandbox.url}/__sandbox/info`)).json()) as {
      samples: unknown;
    };
    expect(info.samples).toMatchObject({ seasonTicketHolder: 100479 });
  });
});

describe('racing holds over HTTP', () => {
  const sb = useSandbox({ ratePerMinute: 10_000 });

  it('100 concurrent seats_hold_specific on the same 10 seats hold 10 seats in total, none twice', async () => {
    const samples = sb.sandbox.world.samples as {
      freeSeats: { event_name: string; section_name: string; row_name: string; seat_num: number };
      ticketTypes: string[];
    };
    const free = samples.freeSeats;
    const replies = await Promise.all(
      Array.from({ length: 100 }, (_, k) =>
        sb.call({
          product: 'sth-hold',
          command1: {
            cmd: 'seats_hold_specific',
            event_name: free.event_name,
            section_name: free.section_name,
            row_name: free.row_name,
            seat_num: free.seat_num + (k % 10),
            num_seats: 1,
            ticket_type_code: samples.ticketTypes[0],
          },
        }),
      ),
    );
    expect(replies.every((r) => r.status === 200)).toBe(true);
    const won = replies.filter((r) => r.json.command1.result === 0);
    const lost = replies.filter((r) => r.json.command1.result !== 0);
    expect(won).toHaveLength(10);
    expect(lost.every((r) => r.json.command1.result === 6003)).toBe(true);
    const seats = won.flatMap((r) =>
      (r.json.command1.seats as { seat_num: number | string; num_seats: number }[]).map(
        (s) => `${s.seat_num}x${s.num_seats}`,
      ),
    );
    expect(new Set(seats).size).toBe(10);
    expect(new Set(won.map((r) => r.json.command1.order_num_out)).size).toBe(10);
    expect(sb.sandbox.stats().executions.seats_hold_specific).toBe(100);
  });
});
