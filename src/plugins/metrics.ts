/**
 * GET /metrics: the gateway's Prometheus text exposition (src/metrics.ts registry). Answered before
 * GraphQL handling, so a scrape costs no upstream call and no GraphQL work.
 */
import type { Plugin } from 'graphql-yoga';
import type { GatewayMetrics } from '../metrics.js';

export function useMetricsEndpoint(
  metrics: Pick<GatewayMetrics, 'text' | 'contentType'>,
  path = '/metrics',
): Plugin {
  return {
    async onRequest({ request, url, fetchAPI, endResponse }) {
      if (url.pathname !== path) return;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        endResponse(
          new fetchAPI.Response('Method Not Allowed', {
            status: 405,
            headers: { allow: 'GET, HEAD' },
          }),
        );
        return;
      }
      const body = await metrics.text();
      endResponse(
        new fetchAPI.Response(request.method === 'HEAD' ? null : body, {
          status: 200,
          headers: { 'content-type': metrics.contentType },
        }),
      );
    },
  };
}
