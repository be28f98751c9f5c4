/**
 * SANDBOX_WORLD=alt: a second seeded world of the same shape that shares no code with the default
 * one, so that a client assuming any default name fails against it. Also how it is chosen: the
 * startSandbox option, /__sandbox/info, and `npm run sandbox`'s validation.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import { createWorld } from '../../src/sandbox/world/index.js';
import { generate } from '../../src/sandbox/world/seed.js';
import { admin, callSandbox } from '../support/sandbox.js';

const clock = { now: () => Date.parse('2026-12-02T00:00:00Z') };
const [def, alt] = [generate(7, 'default'), generate(7, 'alt')];
const none = (a: readonly (string | number)[], b: readonly (string | number)[]) =>
  a.filter((x) => b.includes(x));

describe('the alt world', () => {
  it('has the default world’s shape', () => {
    expect(alt.events).toHaveLength(def.events.length);
    expect(alt.events.filter((e) => e.home)).toHaveLength(40);
    expect(alt.accounts).toHaveLength(def.accounts.length);
    expect(alt.seasonBlocks.length).toBeGreaterThan(100);
  });

  it('shares no code with the default world', () => {
    expect(
      none(
        alt.events.map((e) => e.name),
        def.events.map((e) => e.name),
      ),
    ).toEqual([]);
    expect(
      none(
        alt.events.map((e) => e.eventId),
        def.events.map((e) => e.eventId),
      ),
    ).toEqual([]);
    expect(none(alt.venue.sections, def.venue.sections)).toEqual([]);
    expect(none(alt.venue.rows, def.venue.rows)).toEqual([]);
    expect(
      none(
        alt.venue.priceCodes.map((p) => p.code),
        def.venue.priceCodes.map((p) => p.code),
      ),
    ).toEqual([]);
    expect(
      none(
        alt.venue.ticketTypes.map((t) => t.code),
        def.venue.ticketTypes.map((t) => t.code),
      ),
    ).toEqual([]);
    expect(none(alt.venue.holdClasses, def.venue.holdClasses)).toEqual([]);
    expect(
      none(
        alt.accounts.map((a) => a.acctId),
        def.accounts.map((a) => a.acctId),
      ),
    ).toEqual([]);
    expect(
      none(
        alt.accounts.map((a) => a.custNameId),
        def.accounts.map((a) => a.custNameId),
      ),
    ).toEqual([]);
    const names = (d: typeof def) => [
      d.world.venueName,
      d.world.club,
      d.world.manifestName,
      d.world.homeSeason,
      d.world.concertSeason,
      d.world.archivedSeason,
      d.world.archticsVenueId,
    ];
    expect(none(names(alt), names(def))).toEqual([]);
  });

  it('event names are at most 8 characters and not EVENTnn; ticket types are not ADULT/CHILD/SENIOR', () => {
    for (const e of alt.events) {
      expect(e.name.length).toBeLessThanOrEqual(8);
      expect(e.name).not.toMatch(/^EVENT\d+$/);
    }
    expect(alt.venue.ticketTypes.map((t) => t.code)).toEqual(['_A', '_C', '_M']);
  });

  it('answers in its own codes: a hold without a ticket type gets its full-price type, ADULT is not sold', () => {
    const w = createWorld({ seed: 7, clock, world: 'alt' });
    const s = w.samples as {
      homeEvents: string[];
      priceCodes: string[];
      sections: string[];
      rows: string[];
    };
    const info = w.execute('event_price_info', {
      cmd: 'event_price_info',
      event_name: s.homeEvents[0],
    } as never);
    const codes = info.fields!.price_codes as {
      price_code: string;
      ticket_types: { ticket_type_code: string }[];
    }[];
    expect(codes.map((c) => c.price_code)).toEqual(s.priceCodes);
    expect(codes[0]!.ticket_types.map((t) => t.ticket_type_code)).toEqual(['_A', '_C', '_M']);
    const held = w.execute('seats_hold', {
      cmd: 'seats_hold',
      event_name: s.homeEvents[0],
      ticket_type: [{ num_seats: 2 }],
    } as never);
    expect(held.result).toBe(0);
    const run = (
      held.fields!.seats as {
        section_name: string;
        row_name: string;
        price_code: string;
        ticket_type_code: string;
      }[]
    )[0]!;
    expect(run.ticket_type_code).toBe('_A');
    expect(s.sections).toContain(run.section_name);
    expect(s.rows).toContain(run.row_name);
    expect(s.priceCodes).toContain(run.price_code);
    const adult = w.execute('seats_hold', {
      cmd: 'seats_hold',
      event_name: s.homeEvents[0],
      ticket_type: [{ ticket_type_code: 'ADULT', num_seats: 1 }],
    } as never);
    expect(adult.result).not.toBe(0);
    expect(
      w.execute('event_details', { cmd: 'event_details', event_filter: 'EVENT01' } as never).result,
    ).not.toBe(0);
  });

  it('is chosen by startSandbox({ world }) and listed by /__sandbox/info; an unknown world is refused', async () => {
    const sb = await startSandbox({ world: 'alt', seed: 7 });
    try {
      const info = await admin(sb, 'GET', 'info');
      expect(info.json.world).toBe('alt');
      expect(info.json.samples).toMatchObject({
        world: 'alt',
        seasonTicketHolder: alt.world.sthAcctId,
        ticketTypes: ['_A', '_C', '_M'],
      });
      const r = await callSandbox(sb, {
        command1: { cmd: 'customer_query', acct_id: alt.world.sthAcctId, call_reason: 'S' },
      });
      expect(r.json.command1.result).toBe(0);
    } finally {
      await sb.close();
    }
    const plain = await startSandbox({});
    try {
      expect((await admin(plain, 'GET', 'info')).json.world).toBe('default');
    } finally {
      await plain.close();
    }
    await expect(startSandbox({ world: 'other' as never })).rejects.toThrow(
      /world must be one of default, alt/,
    );
  });

  it('npm run sandbox refuses an unknown SANDBOX_WORLD before listening', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/sandbox/main.ts'], {
      cwd: root,
      env: { ...process.env, SANDBOX_WORLD: 'other', SANDBOX_PORT: '0' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('SANDBOX_WORLD: must be one of default, alt');
  });
});
