/**
 * 'archtics-graphql-gateway/subgraph': the gateway's schema as an Apollo Federation v2 subgraph
 * (what GRAPHQL_FEDERATION=true serves), for composing a supergraph without a running gateway:
 *
 *   import { printSubgraphSDL } from 'archtics-graphql-gateway/subgraph';
 *   composeServices([{ name: 'archtics', typeDefs: parse(printSubgraphSDL()), url }, ...]);
 *
 * The same SDL ships as 'archtics-graphql-gateway/subgraph.graphql'.
 */
export {
  buildSubgraphSchema,
  FEDERATION_LINK_URL,
  printSubgraphSDL,
} from '../schema/federation.js';
