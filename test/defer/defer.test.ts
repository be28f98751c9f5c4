/**
 * Incremental delivery through the real gateway and the real command client: the event arrives in
 * the first multipart payload while get_avail_seats is still being polled upstream (202), and the
 * availability follows in a later payload. Assertions are about order and upstream state, not time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { startTestSandbox, TestGateway } from '../graphql/harness.js';
import { samplesOf } from '../support/worlds.js';
import { readMultipart } from './multipart.js';

const deferred = (name: string) => /* GraphQL */ `
  query EventThenAvailability {
    event(name: "${name}") {
      name
      date
      ... @defer(label: "availability") {
        availability { section available }
      }
    }
  }
`;

let sandbox: RunningSandbox;
let gw: TestGateway;
/** The world's first event. */
let EVENT: string;
let DEFERRED: string;

beforeAll(async () => {
  // get_avail_seats takes 1.5 s of service time, over the 1 s threshold: the sandbox answers 202
  // and the client polls until the result is ready. Everything else answers at once.
  sandbox = await startTestSandbox({
    serviceTimeMs: { get_avail_seats: 1_500 },
    asyncThresholdMs: 1_000,
  });
  gw = await TestGateway.start(sandbox);
  EVENT = samplesOf(sandbox).homeEvents[0];
  DEFERRED = deferred(EVENT);
});
afterAll(async () => {
  await gw?.close();
  await sandbox?.close();
});

/** POSTs an operation accepting an incremental (multipart/mixed) answer. */
const postIncremental = (query: string) =>
  gw.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'multipart/mixed' },
    body: JSON.stringify({ query }),
  });

describe('@defer', () => {
  it('sends the event first and its polled availability in a later payload', async () => {
    sandbox.reset();
    const res = await postIncremental(DEFERRED);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^multipart\/mixed/);

    // Each payload with the upstream state at the moment it was read.
    const received: {
      payload: Record<string, any>;
      availExecuted: number;
      availDelivered: number;
    }[] = [];
    for await (const payload of readMultipart(res)) {
      const stats = sandbox.stats();
      received.push({
        payload,
        availExecuted: stats.executions.get_avail_seats ?? 0,
        availDelivered: stats.delivered,
      });
    }

    expect(received).toHaveLength(2);
    const [first, second] = received;

    // 1. The event itself, without availability, while more is announced…
    expect(first.payload.hasNext).toBe(true);
    expect(first.payload.errors).toBeUndefined();
    expect(first.payload.data).toEqual({
      event: { name: EVENT, date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) },
    });
    expect(JSON.stringify(first.payload)).not.toContain('availability');
    // …read while get_avail_seats had not even run upstream (it runs when its 202 job completes).
    expect(first.availExecuted).toBe(0);
    expect(first.availDelivered).toBe(0);

    // 2. The deferred fragment, last, with the data.
    expect(second.payload.hasNext).toBe(false);
    expect(second.payload.incremental).toHaveLength(1);
    const [chunk] = second.payload.incremental;
    expect(chunk.path).toEqual(['event']);
    expect(chunk.label).toBe('availability');
    expect(chunk.errors).toBeUndefined();
    expect(chunk.data.availability.length).toBeGreaterThan(0);
    for (const row of chunk.data.availability) {
      expect(row).toEqual({ section: expect.any(String), available: expect.any(Number) });
    }
    expect(second.availExecuted).toBe(1);

    // The slow command really went the asynchronous way: accepted with 202, then polled.
    const stats = sandbox.stats();
    expect(stats.commands).toMatchObject({ event_details: 1, get_avail_seats: 1 });
    expect(stats.accepted202).toBeGreaterThanOrEqual(1);
    expect(stats.polls).toBeGreaterThanOrEqual(1);
  });

  it('without @defer the same fields come in one answer', async () => {
    const r = await gw.exec<any, never>(
      DEFERRED.replace('... @defer(label: "availability") {', '... {'),
    );
    expect(r.status).toBe(200);
    expect(r.errors).toBeUndefined();
    expect(r.data.event.name).toBe(EVENT);
    expect(r.data.event.availability.length).toBeGreaterThan(0);
  });
});

describe('@stream', () => {
  it('streams a list: the first item at once, the rest as incremental items', async () => {
    const query = /* GraphQL */ `
      {
        event(name: "${EVENT}") {
          name
          availability @stream(initialCount: 1) { section available }
        }
      }
    `;
    const res = await postIncremental(query);
    expect(res.headers.get('content-type')).toMatch(/^multipart\/mixed/);
    const payloads: Record<string, any>[] = [];
    for await (const payload of readMultipart(res)) payloads.push(payload);

    expect(payloads.length).toBeGreaterThanOrEqual(2);
    const [first, ...rest] = payloads;
    expect(first.hasNext).toBe(true);
    expect(first.data.event.name).toBe(EVENT);
    expect(first.data.event.availability).toHaveLength(1);
    expect(rest.at(-1)!.hasNext).toBe(false);
    const streamed = rest.flatMap((p) =>
      (p.incremental ?? []).flatMap((i: { items?: unknown[] }) => i.items ?? []),
    );
    expect(streamed.length).toBeGreaterThan(0);
    for (const item of streamed)
      expect(item).toEqual({ section: expect.any(String), available: expect.any(Number) });
  });
});
