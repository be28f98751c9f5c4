/**
 * Frontend tests: the real gateway listening on 127.0.0.1 (as `npm start` serves it) in front of
 * an in-process sandbox, for clients that speak HTTP (Apollo Client, urql, codegen, fetch).
 * Upstream cost is read from the sandbox's own counters.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayOptions } from '../../src/app.js';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { startTestSandbox, TestGateway } from '../graphql/harness.js';

export interface HttpGateway {
  sb: RunningSandbox;
  gw: TestGateway;
  /** http://127.0.0.1:<port>/graphql */
  url: string;
  /** Requests the gateway received: method and URL (path and query string). */
  requests: { method: string; url: string; status?: number }[];
  /** Every POST the sandbox has received (commands, polls, refused ones). */
  upstreamPosts(): number;
  close(): Promise<void>;
}

export const README_CUSTOMER_QUERY = `query CustomerSeats($a: Int!) { customer(acctId: $a) { firstName lastName seats(first: 3) { edges { node { event { name date } section row number price { amount currency } } } pageInfo { hasNextPage endCursor } } } }`;

export async function startHttpGateway(
  env: Record<string, string> = {},
  extra: Partial<GatewayOptions> = {},
): Promise<HttpGateway> {
  const sb = await startTestSandbox();
  const gw = await TestGateway.start(sb, env, extra);
  const requests: HttpGateway['requests'] = [];
  const server: Server = createServer((req, res) => {
    const seen: HttpGateway['requests'][number] = { method: req.method ?? '', url: req.url ?? '' };
    requests.push(seen);
    res.once('finish', () => (seen.status = res.statusCode));
    void gw.gateway.yoga(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    sb,
    gw,
    url: `http://127.0.0.1:${port}/graphql`,
    requests,
    upstreamPosts: () => sb.stats().posts,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gw.close();
      await sb.close();
    },
  };
}
