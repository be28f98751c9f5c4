/**
 * Schema stitching: createStitchingSubschema() merged with a fake CRM schema whose leads reference
 * our Customer by acctId and our Event by name. One stitched query returns data from both; the
 * sandbox shows what it cost upstream: one event_details for every event of the operation, one
 * customer_query per distinct account; each merged type costs ONE GraphQL request to the gateway.
 */
import { stitchSchemas } from '@graphql-tools/stitch';
import {
  buildSchema as buildSDL,
  execute,
  parse,
  print,
  type DocumentNode,
  type ExecutionResult,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFetchExecutor,
  createStitchingSubschema,
  type StitchingExecutor,
} from '../../src/stitching.js';
import { account, samplesOf, worldEvent } from '../support/worlds.js';
import { startGateway, type GatewayUnderTest } from './support.js';

// ── The fake CRM: leads with an Archtics account id and the events they asked about ─────────

const CRM_SDL = /* GraphQL */ `
  type Lead {
    id: ID!
    acctId: Int!
    source: String!
    "The Archtics account (merged from the gateway by acctId)."
    customer: Customer
    "Events the lead asked about (merged from the gateway by name)."
    interestedIn: [Event!]!
  }
  "Stub of the gateway's Customer: the key only."
  type Customer {
    acctId: Int!
  }
  "Stub of the gateway's Event: the key only."
  type Event {
    name: String!
  }
  type Query {
    leads: [Lead!]!
  }
`;

/** The CRM's leads name the sandbox world's accounts and events (set once it runs). */
let LEADS: { id: string; acctId: number; source: string; names: string[] }[] = [];
let home: string[];
let concerts: string[];
let holder: number;

const crmSchema = buildSDL(CRM_SDL);
const crmRoot = {
  leads: () =>
    LEADS.map((l) => ({
      id: l.id,
      acctId: l.acctId,
      source: l.source,
      customer: { acctId: l.acctId },
      interestedIn: l.names.map((name) => ({ name })),
    })),
};
let crmRequests = 0;
const crmExecutor = (async (request: {
  document: DocumentNode;
  variables?: Record<string, unknown>;
}) => {
  crmRequests++;
  return execute({
    schema: crmSchema,
    document: request.document,
    variableValues: request.variables ?? {},
    rootValue: crmRoot,
  });
}) as unknown as StitchingExecutor;

describe('stitching our Event and Customer into a CRM schema', () => {
  let gw: GatewayUnderTest;
  let gatewayRequests: string[] = [];
  let stitched: ReturnType<typeof stitchSchemas>;

  beforeAll(async () => {
    gw = await startGateway();
    ({ homeEvents: home, concerts, seasonTicketHolder: holder } = samplesOf(gw.sandbox));
    LEADS = [
      { id: 'L1', acctId: holder, source: 'web', names: [home[0], concerts[0]] },
      { id: 'L2', acctId: account(gw.sandbox, 12), source: 'phone', names: [home[1], home[0]] },
      { id: 'L3', acctId: holder, source: 'event', names: [concerts[2]] },
      {
        id: 'L4',
        acctId: account(gw.sandbox, 777),
        source: 'web',
        names: [home[14], home[15], 'GONE01'],
      },
    ];
    const inner = createFetchExecutor(
      (url, init) => gw.gateway.yoga.fetch(url, init),
      'http://127.0.0.1/graphql',
      { 'x-caller': 'crm-gateway' },
    );
    // Counts the GraphQL requests the stitched gateway sends us.
    const counting = ((request: { document: Parameters<typeof print>[0] }) => {
      gatewayRequests.push(print(request.document));
      return (inner as unknown as (r: unknown) => unknown)(request);
    }) as unknown as StitchingExecutor;
    stitched = stitchSchemas({
      subschemas: [
        await createStitchingSubschema({ executor: counting }),
        { schema: crmSchema, executor: crmExecutor },
      ],
    });
  });
  afterAll(async () => {
    await gw?.close();
  });

  async function run(query: string): Promise<ExecutionResult> {
    return (await execute({
      schema: stitched,
      document: parse(query),
      contextValue: {},
    })) as ExecutionResult;
  }

  it('stitches: Lead.customer is our Customer, Lead.interestedIn our Event, all their fields', () => {
    const lead = stitched.getType('Lead');
    const customer = stitched.getType('Customer');
    const event = stitched.getType('Event');
    expect(lead && 'getFields' in lead && Object.keys(lead.getFields())).toEqual([
      'id',
      'acctId',
      'source',
      'customer',
      'interestedIn',
    ]);
    expect(customer && 'getFields' in customer && Object.keys(customer.getFields())).toEqual(
      expect.arrayContaining(['acctId', 'firstName', 'email', 'seats']),
    );
    expect(event && 'getFields' in event && Object.keys(event.getFields())).toEqual(
      expect.arrayContaining(['name', 'description', 'priceCodes', 'availability']),
    );
    expect(Object.keys(stitched.getQueryType()!.getFields())).toEqual(
      expect.arrayContaining(['leads', 'event', 'events', 'customer']),
    );
  });

  it('one query across both: 4 leads, 3 accounts, 7 event names → one request per merged type, one event_details, three customer_query', async () => {
    const before = {
      event_details: gw.commands('event_details'),
      customer_query: gw.commands('customer_query'),
      crm: crmRequests,
    };
    gatewayRequests = [];
    const result = await run(`{
      leads {
        id source acctId
        customer { acctId firstName lastName city }
        interestedIn { name description venue }
      }
    }`);
    expect(result.errors).toBeUndefined();
    const leads = result.data!.leads as {
      id: string;
      source: string;
      acctId: number;
      customer: { acctId: number; firstName: string | null } | null;
      interestedIn: ({ name: string; description: string | null; venue: string | null } | null)[];
    }[];

    // CRM data…
    expect(leads.map((l) => [l.id, l.source, l.acctId])).toEqual([
      ['L1', 'web', holder],
      ['L2', 'phone', account(gw.sandbox, 12)],
      ['L3', 'event', holder],
      ['L4', 'web', account(gw.sandbox, 777)],
    ]);
    // …merged with ours.
    for (const l of leads) {
      expect(l.customer).toMatchObject({
        acctId: l.acctId,
        firstName: expect.any(String),
        lastName: expect.any(String),
      });
    }
    // (descriptions and venue as the world has them: a game "<club> vs. <opponent>", a concert "<performer> Live")
    const { venueName } = samplesOf(gw.sandbox);
    const descriptionOf = (name: string) => worldEvent(gw.sandbox, name).description;
    expect(descriptionOf(home[0])).toMatch(/ vs\. /);
    expect(descriptionOf(concerts[0])).toMatch(/ Live$/);
    expect(leads[0].interestedIn).toEqual([
      { name: home[0], description: descriptionOf(home[0]), venue: venueName },
      { name: concerts[0], description: descriptionOf(concerts[0]), venue: venueName },
    ]);
    expect(leads[1].interestedIn.map((e) => e?.name)).toEqual([home[1], home[0]]);
    expect(leads[2].interestedIn[0]).toMatchObject({
      name: concerts[2],
      description: descriptionOf(concerts[2]),
    });
    // The CRM's name of an event the upstream does not know merges with nothing: only its key.
    expect(leads[3].interestedIn).toEqual([
      expect.objectContaining({ name: home[14], description: expect.any(String) }),
      expect.objectContaining({ name: home[15], description: expect.any(String) }),
      { name: 'GONE01', description: null, venue: null },
    ]);

    // Cost: one CRM request; to us, ONE request for the 4 customers (aliased customer fields,
    // batched by the subschema) and ONE for the 7 event names (a single events(names:) field,
    // batch delegation) — so one event_details, and one customer_query per distinct account.
    expect(crmRequests - before.crm).toBe(1);
    expect(gatewayRequests).toHaveLength(2);
    const customerRequest = gatewayRequests.find((q) => /\bcustomer\(/.test(q)) ?? '';
    const eventRequest = gatewayRequests.find((q) => /\bevents\(/.test(q)) ?? '';
    expect(customerRequest.match(/\bcustomer\(/g)).toHaveLength(4);
    expect(customerRequest).not.toMatch(/\bevents\(/);
    expect(eventRequest.match(/\bevents\(/g)).toHaveLength(1);
    expect(gw.commands('event_details') - before.event_details).toBe(1);
    expect(gw.commands('customer_query') - before.customer_query).toBe(3);
  });

  it('our own root fields still work through the stitched schema, and reach back into the CRM nowhere', async () => {
    const before = gw.commands('event_details');
    const result = await run(
      `{ events(names: ["${home[19]}", "${home[20]}"]) { name durationMinutes } customer(acctId: ${holder}) { acctId } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      events: [
        { name: home[19], durationMinutes: 120 },
        { name: home[20], durationMinutes: 120 },
      ],
      customer: { acctId: holder },
    });
    expect(gw.commands('event_details') - before).toBe(1);
  });

  it('createStitchingSubschema({ yoga }) works the same without a custom executor, sending the given headers', async () => {
    const seen: string[] = [];
    const yoga = {
      fetch: (
        url: string,
        init: { method: string; headers: Record<string, string>; body: string },
      ) => {
        seen.push(`${init.headers['content-type']} ${init.headers.authorization ?? '-'}`);
        return gw.gateway.yoga.fetch(url, init);
      },
    };
    const schema = stitchSchemas({
      subschemas: [
        await createStitchingSubschema({
          yoga,
          headers: () => ({ authorization: 'Bearer unused-when-open' }),
        }),
        { schema: crmSchema, executor: crmExecutor },
      ],
    });
    const before = gw.commands('event_details');
    const result = (await execute({
      schema,
      document: parse('{ leads { interestedIn { name startsAt } } }'),
    })) as ExecutionResult;
    expect(result.errors).toBeUndefined();
    expect(
      (result.data!.leads as { interestedIn: { name: string }[] }[]).flatMap((l) =>
        l.interestedIn.map((e) => e.name),
      ),
    ).toHaveLength(8);
    expect(gw.commands('event_details') - before).toBe(1);
    // The introspection that built the subschema's schema, then the stitched query.
    expect(seen).toEqual([
      'application/json Bearer unused-when-open',
      'application/json Bearer unused-when-open',
    ]);
  });
});
