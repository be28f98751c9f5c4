/**
 * CORS from an allow-list (CORS_ORIGINS). Yoga's default reflects any Origin with
 * `Access-Control-Allow-Credentials: true`; here an origin gets CORS headers only when listed,
 * and never the credentials header (the gateway authenticates with a bearer header, not cookies).
 * With an empty list no cross-origin page may read an answer. Returns yoga's `cors` option.
 */
import type { YogaServerOptions } from 'graphql-yoga';

type CorsOption = YogaServerOptions<object, object>['cors'];

export const CORS_ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'accept',
  'x-request-id',
  'graphql-client-name',
  'x-graphql-yoga-csrf',
  'apollo-require-preflight',
];

export function corsOptions(origins: readonly string[]): CorsOption {
  if (origins.length === 0) return false;
  const allowed = new Set(origins);
  return (request: Request) => {
    const origin = request.headers.get('origin');
    if (!origin || !allowed.has(origin)) return false;
    return {
      origin: [origin],
      credentials: false,
      methods: ['GET', 'POST'],
      allowedHeaders: CORS_ALLOWED_HEADERS,
      maxAge: 600,
    };
  };
}
