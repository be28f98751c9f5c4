// Hive Gateway in front of the Archtics gateway (served as a subgraph: GRAPHQL_FEDERATION=true).
// `npx hive-gateway supergraph` reads this file (gateway.config.ts) from the working directory;
// compose supergraph.graphql from schema/subgraph.graphql and your other subgraphs first
// (@theguild/federation-composition or rover). The router drops a subgraph's `extensions`, so the
// cost report travels as the x-upstream-cost header; this forwards it (one list member per
// subgraph fetch) and passes the caller's bearer token down.
import type { GatewayConfigSupergraph } from '@graphql-hive/gateway-runtime';

export const propagateHeaders: NonNullable<GatewayConfigSupergraph['propagateHeaders']> = {
  fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') }),
  fromSubgraphsToClient: ({ response }) => ({ 'x-upstream-cost': response.headers.get('x-upstream-cost') }),
};

export const gatewayConfig = {
  supergraph: 'supergraph.graphql',
  propagateHeaders,
} satisfies GatewayConfigSupergraph;
