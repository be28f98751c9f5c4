/**
 * Who may scrape GET /metrics. Open while the gateway has no tokens and no METRICS_TOKEN (the
 * sandbox); otherwise it takes `Authorization: Bearer <METRICS_TOKEN>` or a gateway token with the
 * `metrics` scope. Runs before the metrics endpoint (src/plugins/metrics.ts) answers.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { GatewayToken } from '../config.js';
import { errorResponse } from './authentication.js';

export interface MetricsAuthorizationOptions {
  path?: string;
  tokens: readonly GatewayToken[];
  metricsToken?: string;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function useMetricsAuthorization(opts: MetricsAuthorizationOptions): Plugin {
  const path = opts.path ?? '/metrics';
  if (opts.tokens.length === 0 && !opts.metricsToken) return {};
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== path) return;
      const presented = /^Bearer\s+(\S+)\s*$/i.exec(
        request.headers.get('authorization') ?? '',
      )?.[1];
      if (presented === undefined) {
        endResponse(
          errorResponse(
            fetchAPI,
            401,
            'Missing bearer token: /metrics needs METRICS_TOKEN or a token with the metrics scope.',
            'UNAUTHENTICATED',
            { 'www-authenticate': 'Bearer' },
          ),
        );
        return;
      }
      if (opts.metricsToken && same(opts.metricsToken, presented)) return;
      const token = opts.tokens.find((t) => same(t.token, presented));
      if (!token) {
        endResponse(
          errorResponse(fetchAPI, 401, 'Unknown bearer token.', 'UNAUTHENTICATED', {
            'www-authenticate': 'Bearer',
          }),
        );
        return;
      }
      if (!token.scopes.includes('metrics'))
        endResponse(errorResponse(fetchAPI, 403, 'This token has no metrics scope.', 'FORBIDDEN'));
    },
  };
}
