/**
 * GraphiQL that works offline: @graphql-yoga/render-graphiql inlines its assets (yoga's default
 * loads them from a CDN). Opens with an example query.
 */
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphiQLOptions } from 'graphql-yoga';

export const EXAMPLE_QUERY = `# The season-ticket holder's seats, each with its event (one event_details call for all).
query CustomerSeats {
  customer(acctId: 100479) {
    firstName
    lastName
    seats(first: 10) {
      edges {
        node {
          event { name date venue }
          section
          row
          number
          price { amount currency }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
  upstream { quota { minuteRemaining dayRemaining } }
}
`;

/** GraphiQL on GET /graphql when `enabled` (GRAPHIQL: on with the sandbox, off against a real service). */
export function graphiqlOptions(enabled = true): { graphiql: GraphiQLOptions | false; renderGraphiQL: (opts: GraphiQLOptions) => string } {
  if (!enabled) return { graphiql: false, renderGraphiQL };
  return {
    graphiql: { title: 'Archtics GraphQL gateway', defaultQuery: EXAMPLE_QUERY },
    renderGraphiQL,
  };
}
