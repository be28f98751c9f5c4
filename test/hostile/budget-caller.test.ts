/**
 * Whose fair share a request draws on (AuthInfo.budgetCaller → RunOptions.caller → Limiter.claim):
 * a token's digest with tokens on, the socket's address (digested) with tokens off — never the
 * token itself, never a header the caller writes (X-Forwarded-For).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/app.js';
import { addressCaller, authenticate, tokenDigest } from '../../src/auth.js';
import { createLocalLimiter, type Limiter } from '../../src/quota/index.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { createMemoryStores } from '../../src/store/index.js';
import { gatewayConfig } from '../graphql/harness.js';

const TOKEN = 'budget-caller-token-123';

/** An in-process limiter that notes the caller of every claim. */
function spyLimiter(callers: (string | undefined)[]): Limiter {
  const inner = createLocalLimiter({ ratePerMinute: 1000, ratePerDay: 100_000, queueMax: 100 });
  return {
    acquire: (o) => inner.acquire(o),
    claim: (command, caller) => {
      callers.push(caller);
      return inner.claim!(command, caller);
    },
    pauseFor: (ms) => inner.pauseFor(ms),
    snapshot: () => inner.snapshot(),
    close: () => inner.close(),
  };
}

describe.each([
  ['tokens off', {}, undefined],
  ['tokens on', { GATEWAY_TOKENS: JSON.stringify([{ token: TOKEN, scopes: ['read'] }]) }, TOKEN],
])('%s, over real HTTP', (_name, env: Record<string, string>, token) => {
  let sb: RunningSandbox;
  let gw: Gateway;
  let server: http.Server;
  let url: string;
  const callers: (string | undefined)[] = [];

  beforeAll(async () => {
    sb = await startSandbox();
    gw = await createGateway({
      config: gatewayConfig(sb, env),
      limiter: spyLimiter(callers),
      stores: createMemoryStores(),
      cache: false,
    });
    server = http.createServer(gw.yoga);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await gw.close();
    await sb.close();
  });

  it('the command is claimed for the caller the gateway knows, whatever X-Forwarded-For says', async () => {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-forwarded-for': '6.6.6.6',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query: '{ upstream { ping { systemAvailable } } }' }),
    });
    expect(res.status).toBe(200);
    expect(callers.length).toBeGreaterThan(0);
    const expected = token ? `token:${tokenDigest(token)}` : addressCaller('127.0.0.1');
    expect(new Set(callers)).toEqual(new Set([expected]));
    expect(callers.some((c) => c?.includes(TOKEN) || c === addressCaller('6.6.6.6'))).toBe(false);
  });
});

describe('authenticate', () => {
  it('one share per token (bound or not), per address with tokens off; an IPv4-mapped address is the IPv4 one', () => {
    const tokens = [
      { token: 'bound-token-aaaaaaaa', scopes: ['read' as const], acctId: 7 },
      { token: 'other-bound-token-bbb', scopes: ['read' as const], acctId: 7 },
    ];
    const h = (t: string) => new Headers({ authorization: `Bearer ${t}` });
    const a = authenticate(h(tokens[0].token), tokens, '10.0.0.1');
    const b = authenticate(h(tokens[1].token), tokens, '10.0.0.1');
    expect(a.caller).toBe(b.caller); // carts belong to the account
    expect(a.budgetCaller).not.toBe(b.budgetCaller); // budget shares belong to the token
    expect(authenticate(new Headers(), [], '::ffff:10.0.0.1').budgetCaller).toBe(
      authenticate(new Headers(), [], '10.0.0.1').budgetCaller,
    );
    expect(authenticate(new Headers(), [], '10.0.0.2').budgetCaller).not.toBe(
      authenticate(new Headers(), [], '10.0.0.1').budgetCaller,
    );
    expect(authenticate(new Headers(), []).budgetCaller).toBeUndefined();
    expect(authenticate(new Headers(), [], '10.0.0.1').budgetCaller).not.toContain('10.0.0.1');
  });
});
