/**
 * The protocol's amounts are bare decimals and the reference names no currency: Money.currency is
 * the service's as configured (ARCHTICS_CURRENCY), not a code only our sandbox implies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { TestGateway, startTestSandbox } from './harness.js';

const PRICES =
  'query($e: String!) { event(name: $e) { priceCodes { code ticketTypes { code price { amount currency } } } } }';

describe('ARCHTICS_CURRENCY', () => {
  it('defaults to USD, takes any three-letter code (upper-cased) and refuses anything else, naming the variable', () => {
    expect(loadConfig({}).archtics.currency).toBe('USD');
    expect(loadConfig({ ARCHTICS_CURRENCY: 'cad' }).archtics.currency).toBe('CAD');
    for (const bad of ['US', 'DOLLARS', '€', 'U$D']) {
      expect(() => loadConfig({ ARCHTICS_CURRENCY: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ ARCHTICS_CURRENCY: bad })).toThrow(/ARCHTICS_CURRENCY/);
    }
  });
});

describe('Money.currency through the gateway', () => {
  let sb: RunningSandbox;
  let usd: TestGateway;
  let cad: TestGateway;
  let event: string;
  beforeAll(async () => {
    sb = await startTestSandbox();
    event = (sb.world.samples as { homeEvents: string[] }).homeEvents[0];
    usd = await TestGateway.start(sb);
    cad = await TestGateway.start(sb, { ARCHTICS_CURRENCY: 'CAD' });
  });
  afterAll(async () => {
    await usd?.close();
    await cad?.close();
    await sb?.close();
  });

  it('is the configured code on every amount, with the same amounts', async () => {
    const a = await usd.exec(PRICES, { e: event });
    const b = await cad.exec(PRICES, { e: event });
    const prices = (r: typeof a) =>
      (r.data as any).event.priceCodes.flatMap((p: any) => p.ticketTypes.map((t: any) => t.price));
    expect(prices(a).length).toBeGreaterThan(0);
    expect(new Set(prices(a).map((p: any) => p.currency))).toEqual(new Set(['USD']));
    expect(new Set(prices(b).map((p: any) => p.currency))).toEqual(new Set(['CAD']));
    expect(prices(b).map((p: any) => p.amount)).toEqual(prices(a).map((p: any) => p.amount));
  });
});
