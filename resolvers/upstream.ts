/** The upstream itself: ping, the polling self-test, and our remaining budget (no call). */
import type { PingResult, PollingTestResult } from '../src/archtics/types.js';
import type { GatewayContext } from '../src/context.js';
import type { QuotaSnapshot } from '../src/quota/types.js';

export function ping(ctx: GatewayContext): Promise<PingResult> {
  return ctx.api.ping({});
}

export function pollingTest(ctx: GatewayContext): Promise<PollingTestResult> {
  return ctx.api.pollingTest({});
}

export function quota(ctx: GatewayContext): Promise<QuotaSnapshot> {
  return ctx.quota();
}
