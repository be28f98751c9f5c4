/**
 * The fuzz corpus (issue #12 and more): hostile values in every argument that reaches a command —
 * event names, sections, rows, codes, e-mail addresses, names, global ids (node, nodes) and
 * federation references — with tokens on. Every one is answered without a 500 and without a
 * single upstream POST: refused by the resolver's checks, or by the command's own field rules
 * (src/archtics/inputs.ts) before the budget is asked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as commands from '../../src/archtics/commands/index.js';
import { InvalidInputError } from '../../src/archtics/inputs.js';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { globalId, sandboxStats, startTestSandbox, TestGateway } from '../graphql/harness.js';
import { samplesOf } from '../support/worlds.js';

const TOKEN = 'fuzz-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

// Hostile shapes around a plausible name (no world's own: nothing here may depend on one).
const strings = [
  'GAME01\u0000',
  'EV\u0007NT',
  '<script>',
  '<b>x</b>',
  'GAME01,GAME02',
  'GAME01;DROP',
  '101\u0000',
  '101;DROP',
  "1' OR '1'='1",
  'A'.repeat(10_000),
  'x'.repeat(1_000_000),
  '\u202eEVIL',
  '💥💥',
  '../../etc/passwd',
  '%00',
  '',
  ' ',
];
const emails = [
  'a\u0000@example.org',
  '<script>@example.org',
  'x@<b>.org',
  `${'a'.repeat(65)}@example.org`,
  `a@${'b'.repeat(250)}.org`,
  'not-an-email',
  '"quoted"@example.org',
  'a@b',
];

let sb: RunningSandbox;
let gw: TestGateway;
beforeAll(async () => {
  sb = await startTestSandbox();
  gw = await TestGateway.start(sb, {
    GATEWAY_TOKENS: JSON.stringify([{ token: TOKEN, scopes: ['read', 'hold', 'buy'] }]),
    GRAPHQL_FEDERATION: 'true',
  });
});
afterAll(async () => {
  await gw?.close();
  await sb?.close();
});

interface Case {
  name: string;
  query: string;
  variables: Record<string, unknown>;
}

/** Around each hostile value, the world's own valid names: a home game, a section, a row, an account. */
function corpus(): Case[] {
  const { homeEvents, sections, rows, accountRange } = samplesOf(sb);
  const [event, section, row, acct] = [homeEvents[0], sections[0], rows[0], accountRange[0] + 1];
  const cases: Case[] = [];
  const add = (name: string, query: string, variables: Record<string, unknown>) =>
    cases.push({ name, query, variables });
  strings.forEach((s, i) => {
    add(`event(name) #${i}`, 'query Q($v: String!) { event(name: $v) { name } }', { v: s });
    add(`events(names) #${i}`, 'query Q($v: String!) { events(names: [$v]) { name } }', { v: s });
    add(`node(Event) #${i}`, 'query Q($id: ID!) { node(id: $id) { id } }', {
      id: globalId('Event', s),
    });
    add(`nodes(Event, Seat) #${i}`, 'query Q($ids: [ID!]!) { nodes(ids: $ids) { id } }', {
      ids: [
        globalId('Event', s),
        globalId('Seat', `${s}|${section}|${row}|1`),
        globalId('Seat', `${event}|${s}|${row}|1`),
      ],
    });
    add(
      `availability(section) #${i}`,
      `query Q($v: String!) { event(name: "${event}") { availability(section: $v) { section } } }`,
      { v: s },
    );
    add(
      `customer seats(eventName) #${i}`,
      `query Q($v: String!) { customer(acctId: ${acct}) { seats(eventName: $v) { edges { node { id } } } } }`,
      { v: s },
    );
    add(
      `holdBestAvailable(eventName) #${i}`,
      'mutation M($v: String!) { holdBestAvailable(input: { eventName: $v, quantity: 1 }) { __typename } }',
      { v: s },
    );
    add(
      `holdBestAvailable(section) #${i}`,
      `mutation M($v: String!) { holdBestAvailable(input: { eventName: "${event}", quantity: 1, section: $v }) { __typename } }`,
      { v: s },
    );
    add(
      `holdSeats(section,row) #${i}`,
      `mutation M($v: String!) { holdSeats(input: { eventName: "${event}", section: $v, row: $v, firstSeat: 1, quantity: 1 }) { __typename } }`,
      { v: s },
    );
    add(
      `printTickets(eventName) #${i}`,
      `mutation M($v: String!) { printTickets(input: { acctId: ${acct}, eventName: $v }) { __typename } }`,
      { v: s },
    );
    add(
      `_entities(Event) #${i}`,
      'query Q($r: [_Any!]!) { _entities(representations: $r) { ... on Event { name } } }',
      { r: [{ __typename: 'Event', name: s }] },
    );
    add(
      `createCustomer(firstName) #${i}`,
      'mutation M($v: String!) { createCustomer(input: { firstName: $v, lastName: "X", email: "fuzz@example.org" }) { __typename } }',
      {
        v:
          s.length > 0 && s.trim() !== '' && !/[\u0000-\u001f<>]/.test(s) && s.length <= 40
            ? `${s}\u0000`
            : s,
      },
    );
  });
  emails.forEach((e, i) => {
    add(`customerByEmail #${i}`, 'query Q($v: String!) { customerByEmail(email: $v) { acctId } }', {
      v: e,
    });
    add(
      `createCustomer(email) #${i}`,
      'mutation M($v: String!) { createCustomer(input: { firstName: "A", lastName: "B", email: $v }) { __typename } }',
      { v: e },
    );
    add(
      `updateCustomer(email) #${i}`,
      `mutation M($v: String!) { updateCustomer(input: { acctId: ${acct}, email: $v }) { __typename } }`,
      { v: e },
    );
  });
  return cases;
}

describe('fuzz corpus', () => {
  it('every hostile value: no 500, no upstream POST, an error or null', async () => {
    const cases = corpus();
    const before = await sandboxStats(sb);
    const failures: string[] = [];
    for (const c of cases) {
      const body = JSON.stringify({ query: c.query, variables: c.variables });
      const res = await gw.fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...auth },
        body,
      });
      const text = await res.text();
      if (res.status >= 500) failures.push(`${c.name}: HTTP ${res.status}`);
      if (/INTERNAL_SERVER_ERROR|Unexpected error/.test(text))
        failures.push(`${c.name}: ${text.slice(0, 200)}`);
      if (text.length > 4000) failures.push(`${c.name}: answer of ${text.length} characters`);
      const after = await sandboxStats(sb);
      if (after.posts !== before.posts) {
        failures.push(
          `${c.name}: ${after.posts - before.posts} POST(s) ${JSON.stringify(after.commands)}`,
        );
        before.posts = after.posts;
      }
    }
    console.log(`fuzz corpus: ${cases.length} operations, ${failures.length} failures`);
    expect(failures).toEqual([]);
  }, 240_000);
});

describe('the commands refuse what their fields do not take, whoever builds them', () => {
  // No service here: the names are any well-formed ones.
  const ctx = { siteName: 'vanilla' };
  it.each([
    [
      'event_details: a comma smuggled into one name',
      () => commands.eventDetails.toFields({ names: ['GAME01,GAME02'] }, ctx),
    ],
    [
      'event_details: a 10 000-character name',
      () => commands.eventDetails.toFields({ names: ['A'.repeat(10_000)] }, ctx),
    ],
    [
      'event_price_info: NUL',
      () => commands.eventPriceInfo.toFields({ eventName: 'GAME01\u0000' }, ctx),
    ],
    [
      'seats_hold_specific: section with NUL',
      () =>
        commands.seatsHoldSpecific.toFields(
          {
            eventName: 'GAME01',
            section: '101\u0000',
            row: 'AA',
            firstSeat: 1,
            numSeats: 1,
            ticketTypeCode: 'FULL',
          },
          ctx,
        ),
    ],
    [
      'seats_hold_specific: section 101;DROP',
      () =>
        commands.seatsHoldSpecific.toFields(
          {
            eventName: 'GAME01',
            section: '101;DROP',
            row: 'AA',
            firstSeat: 1,
            numSeats: 1,
            ticketTypeCode: 'FULL',
          },
          ctx,
        ),
    ],
    [
      'seats_hold_specific: a 1 MB section',
      () =>
        commands.seatsHoldSpecific.toFields(
          {
            eventName: 'GAME01',
            section: 'x'.repeat(1_000_000),
            row: 'AA',
            firstSeat: 1,
            numSeats: 1,
            ticketTypeCode: 'FULL',
          },
          ctx,
        ),
    ],
    ['event_details: <script>', () => commands.eventDetails.toFields({ names: ['<script>'] }, ctx)],
  ])('%s', (_name, build) => {
    expect(build).toThrow(InvalidInputError);
  });

  it('and take what they should', () => {
    expect(commands.eventDetails.toFields({ names: ['GAME01', 'ev-2'] }, ctx)).toMatchObject({
      event_filter: 'GAME01,EV-2',
    });
    expect(
      commands.seatsHoldSpecific.toFields(
        {
          eventName: 'GAME01',
          section: 'UPPER 101',
          row: 'AA',
          firstSeat: 1,
          numSeats: 1,
          ticketTypeCode: 'FULL',
        },
        ctx,
      ),
    ).toMatchObject({ section_name: 'UPPER 101' });
  });
});
