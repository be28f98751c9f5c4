/**
 * Standalone sandbox: `npm run sandbox`. Settings from the environment:
 * SANDBOX_PORT (4100), SANDBOX_API_KEY (sandbox-key), SANDBOX_DSN (apigee),
 * SANDBOX_RATE_PER_MINUTE (80), SANDBOX_RATE_PER_DAY (5000), SANDBOX_SEED (20261129, as `npm start`),
 * SANDBOX_TIME_SCALE (1; 0.01 = sandbox time 100× faster), SANDBOX_STRICT (1 = record protocol
 * violations in /__sandbox/stats, see conformance.ts), SANDBOX_ASYNC (auto | always: every command
 * answers 202 first), SANDBOX_POLLS_TO_RESULT (1: with always, the result comes on that poll),
 * SANDBOX_WORLD (default | alt: the seeded world; alt names every code differently, see docs/sandbox.md).
 * Listens on 127.0.0.1 only.
 */
import { startSandbox, WORLD_NAMES, type WorldName } from './index.js';

function setting(
  name: string,
  fallback: number,
  check: (n: number) => boolean,
  what: string,
): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || !check(n)) {
    console.error(`${name}: must be ${what}, got "${raw}"`);
    process.exit(2);
  }
  return n;
}

const whole = (min: number) => (n: number) => Number.isInteger(n) && n >= min;

const asyncMode = (process.env.SANDBOX_ASYNC ?? '').trim() || 'auto';
if (asyncMode !== 'auto' && asyncMode !== 'always') {
  console.error(`SANDBOX_ASYNC: must be one of auto, always, got "${process.env.SANDBOX_ASYNC}"`);
  process.exit(2);
}

const world = (process.env.SANDBOX_WORLD ?? '').trim() || 'default';
if (!(WORLD_NAMES as readonly string[]).includes(world)) {
  console.error(
    `SANDBOX_WORLD: must be one of ${WORLD_NAMES.join(', ')}, got "${process.env.SANDBOX_WORLD}"`,
  );
  process.exit(2);
}

const sandbox = await startSandbox({
  host: '127.0.0.1',
  port: setting('SANDBOX_PORT', 4100, (n) => whole(0)(n) && n <= 65535, 'a port number'),
  apiKey: process.env.SANDBOX_API_KEY || 'sandbox-key',
  dsn: process.env.SANDBOX_DSN || 'apigee',
  ratePerMinute: setting('SANDBOX_RATE_PER_MINUTE', 80, whole(1), 'a whole number ≥ 1'),
  ratePerDay: setting('SANDBOX_RATE_PER_DAY', 5000, whole(1), 'a whole number ≥ 1'),
  seed: setting('SANDBOX_SEED', 20261129, whole(0), 'a whole number'),
  timeScale: setting('SANDBOX_TIME_SCALE', 1, (n) => n > 0, 'a number > 0'),
  strict: process.env.SANDBOX_STRICT === '1' || process.env.SANDBOX_STRICT === 'true',
  forceAsync: asyncMode === 'always',
  pollsToResult: setting(
    'SANDBOX_POLLS_TO_RESULT',
    1,
    (n) => whole(1)(n) && n <= 100,
    'a whole number from 1 to 100',
  ),
  world: world as WorldName,
  log: (line) => console.error(line),
});

// The key is not printed: whoever started the sandbox set it (or knows the default).
console.log(
  `Archtics sandbox (${world} world)${process.env.SANDBOX_STRICT === '1' || process.env.SANDBOX_STRICT === 'true' ? ' (strict: violations in /__sandbox/stats)' : ''} listening on ${sandbox.url}  (POST ${sandbox.url}/sth-customer/ticketing_services.aspx?dsn=${sandbox.dsn}&apikey=…, admin ${sandbox.url}/__sandbox/info)`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sandbox.close().then(() => process.exit(0));
  });
}
