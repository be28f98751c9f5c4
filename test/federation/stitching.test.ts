/**
 * Schema stitching: createStitchingSubschema() merged with a fake CRM schema whose leads reference
 * our Customer by acctId and our Event by name. One stitched query returns data from both; the
 * sandbox shows what it cost upstream: one event_details for every event of the operation, one
 * customer_query per distinct account; each merged type costs ONE GraphQL request to the gateway.
 */
import { stitchSchemas } from '@graphql-tools/stitch';
import { buildSchema as buildSDL, execute, parse, print, type DocumentNode, type ExecutionResult } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFetchExecutor, createStitchingSubschema, type StitchingExecutor } from '../../src/stitching.js';
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

const LEADS = [
  { id: 'L1', acctId: 100479, source: 'web', names: ['EVENT01', 'CONC01'] },
  { id: 'L2', acctId: 100012, source: 'phone', names: ['EVENT02', 'EVENT01'] },
  { id: 'L3', acctId: 100479, source: 'event', names: ['CONC03'] },
  { id: 'L4', acctId: 100777, source: 'web', names: ['EVENT15', 'EVENT16', 'GONE01'] },
];

const crmSchema = buildSDL(CRM_SDL);
const crmRoot = {
  leads: () => LEADS.map((l) => ({ id: l.id, acctId: l.acctId, source: l.source, customer: { acctId: l.acctId }, interestedIn: l.names.map((name) => ({ name })) })),
};
let crmRequests = 0;
const crmExecutor = (async (request: { document: DocumentNode; variables?: Record<string, unknown> }) => {
  crmRequests++;
  return execute({ schema: crmSchema, document: request.document, variableValues: request.variables ?? {}, rootValue: crmRoot });
}) as unknown as StitchingExecutor;

describe('stitching our Event and Customer into a CRM schema', () => {
  let gw: GatewayUnderTest;
  let gatewayRequests: string[] = [];
  let stitched: ReturnType<typeof stitchSchemas>;

  beforeAll(async () => {
    gw = await startGateway();
    const inner = createFetchExecutor((url, init) => gw.gateway.yoga.fetch(url, init), 'http://127.0.0.1/graphql', { 'x-caller': 'crm-gateway' });
    // Counts the GraphQL requests the stitched gateway sends us.
    const counting = ((request: { document: Parameters<typeof print>[0] }) => {
      gatewayRequests.push(print(request.document));
      return (inner as unknown as (r: unknown) => unknown)(request);
    }) as unknown as StitchingExecutor;
    stitched = stitchSchemas({
      subschemas: [await createStitchingSubschema({ executor: counting }), { schema: crmSchema, executor: crmExecutor }],
    });
  });
  afterAll(async () => {
    await gw?.close();
  });

  async function run(query: string): Promise<ExecutionResult> {
    return (await execute({ schema: stitched, document: parse(query), contextValue: {} })) as ExecutionResult;
  }

  it('stitches: Lead.customer is our Customer, Lead.interestedIn our Event, all their fields', () => {
    const lead = stitched.getType('Lead');
    const customer = stitched.getType('Customer');
    const event = stitched.getType('Event');
    expect(lead && 'getFields' in lead && Object.keys(lead.getFields())).toEqual(['id', 'acctId', 'source', 'customer', 'interestedIn']);
    expect(customer && 'getFields' in customer && Object.keys(customer.getFields())).toEqual(expect.arrayContaining(['acctId', 'firstName', 'email', 'seats']));
    expect(event && 'getFields' in event && Object.keys(event.getFields())).toEqual(expect.arrayContaining(['name', 'description', 'priceCodes', 'availability']));
    expect(Object.keys(stitched.getQueryType()!.getFields())).toEqual(expect.arrayContaining(['leads', 'event', 'events', 'customer']));
  });

  it('one query across both: 4 leads, 3 accounts, 7 event names → one request per merged type, one event_details, three customer_query', async () => {
    const before = { event_details: gw.commands('event_details'), customer_query: gw.commands('customer_query'), crm: crmRequests };
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
      ['L1', 'web', 100479],
      ['L2', 'phone', 100012],
      ['L3', 'event', 100479],
      ['L4', 'web', 100777],
    ]);
    // …merged with ours.
    for (const l of leads) {
      expect(l.customer).toMatchObject({ acctId: l.acctId, firstName: expect.any(String), lastName: expect.any(String) });
    }
    expect(leads[0].interestedIn).toEqual([
      { name: 'EVENT01', description: expect.stringMatching(/^Harbor City FC vs\. /), venue: 'Harbor City Arena' },
      { name: 'CONC01', description: 'The Midnight Owls Live', venue: 'Harbor City Arena' },
    ]);
    expect(leads[1].interestedIn.map((e) => e?.name)).toEqual(['EVENT02', 'EVENT01']);
    expect(leads[2].interestedIn[0]).toMatchObject({ name: 'CONC03', description: 'Brass Harbor Orchestra Live' });
    // The CRM's name of an event the upstream does not know merges with nothing: only its key.
    expect(leads[3].interestedIn).toEqual([
      expect.objectContaining({ name: 'EVENT15', description: expect.any(String) }),
      expect.objectContaining({ name: 'EVENT16', description: expect.any(String) }),
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
    const result = await run('{ events(names: ["EVENT20", "EVENT21"]) { name durationMinutes } customer(acctId: 100479) { acctId } }');
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ events: [{ name: 'EVENT20', durationMinutes: 120 }, { name: 'EVENT21', durationMinutes: 120 }], customer: { acctId: 100479 } });
    expect(gw.commands('event_details') - before).toBe(1);
  });

  it('createStitchingSubschema({ yoga }) works the same without a custom executor, sending the given headers', async () => {
    const seen: string[] = [];
    const yoga = {
      fetch: (url: string, init: { method: string; headers: Record<string, string>; body: string }) => {
        seen.push(`${init.headers['content-type']} ${init.headers.authorization ?? '-'}`);
        return gw.gateway.yoga.fetch(url, init);
      },
    };
    const schema = stitchSchemas({
      subschemas: [await createStitchingSubschema({ yoga, headers: () => ({ authorization: 'Bearer unused-when-open' }) }), { schema: crmSchema, executor: crmExecutor }],
    });
    const before = gw.commands('event_details');
    const result = (await execute({ schema, document: parse('{ leads { interestedIn { name startsAt } } }') })) as ExecutionResult;
    expect(result.errors).toBeUndefined();
    expect((result.data!.leads as { interestedIn: { name: string }[] }[]).flatMap((l) => l.interestedIn.map((e) => e.name))).toHaveLength(8);
    expect(gw.commands('event_details') - before).toBe(1);
    // The introspection that built the subschema's schema, then the stitched query.
    expect(seen).toEqual(['application/json Bearer unused-when-open', 'application/json Bearer unused-when-open']);
  });
});
