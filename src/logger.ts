/**
 * Structured logs (pino). The API key is redacted from every line: known key-bearing paths are
 * censored and every string passes redactSecrets() before it is written.
 */
import { pino, type Logger } from 'pino';
import { redactSecrets } from './archtics/errors.js';
import type { LogLevel } from './config.js';

export type { Logger };

export function createLogger(opts: {
  level: LogLevel;
  secrets?: string[];
  destination?: NodeJS.WritableStream;
}): Logger {
  const secrets = (opts.secrets ?? []).filter(Boolean);
  const scrub = (value: unknown): unknown => {
    if (typeof value === 'string') return redactSecrets(value, secrets);
    if (Array.isArray(value)) return value.map(scrub);
    if (value && typeof value === 'object' && !(value instanceof Error)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v)]));
    }
    if (value instanceof Error)
      return {
        type: value.name,
        message: redactSecrets(value.message, secrets),
        code: (value as { code?: unknown }).code,
      };
    return value;
  };
  return pino(
    {
      level: opts.level,
      redact: {
        paths: [
          'apiKey',
          'apikey',
          '*.apiKey',
          '*.apikey',
          'headers.authorization',
          'req.headers.authorization',
        ],
        censor: '***',
      },
      formatters: { log: (obj) => scrub(obj) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map(scrub) as Parameters<typeof method>);
        },
      },
    },
    (opts.destination as pino.DestinationStream | undefined) ?? pino.destination({ sync: false }),
  );
}
