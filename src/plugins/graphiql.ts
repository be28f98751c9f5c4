/**
 * GraphiQL that works offline: @graphql-yoga/render-graphiql inlines its assets (yoga's default
 * loads them from a CDN). Opens with an example query.
 *
 * Loaded on the first page view, not at start: its inlined assets are a 9 MB module that costs the
 * process about 80 MB of memory, which a gateway with GraphiQL off (the default against a real
 * service) or never opened should not carry.
 */
import type { GraphiQLOptions } from 'graphql-yoga';

let renderer: Promise<(opts: GraphiQLOptions) => string> | undefined;

/** The page, from the renderer imported once, when first asked for. */
function renderGraphiQL(opts: GraphiQLOptions): Promise<string> {
  renderer ??= import('@graphql-yoga/render-graphiql').then((m) => m.renderGraphiQL);
  return renderer.then((render) => render(opts));
}

// No account id, event name or code in it: those are each service's own data (the sandbox's
// sample ids are in /__sandbox/info and docs/sandbox.md), so the example runs against any service.
export const EXAMPLE_QUERY = `# The next events with their price lists (price codes and ticket types are read from the service),
# and the call budget left this minute and today.
query UpcomingEvents {
  searchEvents(first: 5) {
    edges {
      available
      node {
        name
        date
        venue
        priceCodes { code description ticketTypes { code price { amount currency } } }
      }
    }
  }
  upstream { quota { minuteRemaining dayRemaining } }
}
`;

/** GraphiQL on GET /graphql when `enabled` (GRAPHIQL: on with the sandbox, off against a real service). */
export function graphiqlOptions(enabled = true): {
  graphiql: GraphiQLOptions | false;
  renderGraphiQL: (opts: GraphiQLOptions) => Promise<string>;
} {
  if (!enabled) return { graphiql: false, renderGraphiQL };
  return {
    graphiql: { title: 'Archtics GraphQL gateway', defaultQuery: EXAMPLE_QUERY },
    renderGraphiQL,
  };
}
