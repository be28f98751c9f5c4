/** src/config.ts: read once, validated; a bad value stops start-up naming the variable. */
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_TTL_MS, loadConfig } from '../../src/config.js';

describe('defaults', () => {
  it('with nothing set, runs against the embedded sandbox with the real service limits', () => {
    const c = loadConfig({});
    expect(c.embeddedSandbox).toBe(true);
    expect(c.archtics.baseUrl).toBeUndefined();
    expect(c.archtics).toMatchObject({
      apiKey: 'sandbox-key',
      dsn: 'apigee',
      ratePerMinute: 80,
      ratePerDay: 5000,
      pollTimeoutMs: 600_000,
      pollInitialMs: 300,
    });
    expect(c).toMatchObject({ port: 4000, host: '127.0.0.1', logLevel: 'info', tokens: [] });
    expect(c.redisUrl).toBeUndefined();
    expect(c.sandbox).toMatchObject({
      port: 4100,
      portSet: false,
      apiKey: 'sandbox-key',
      dsn: 'apigee',
      ratePerMinute: 80,
      ratePerDay: 5000,
      seed: 20261129,
      timeScale: 1,
      strict: false,
      async: 'auto',
      pollsToResult: 1,
    });
    expect(c.cache.ttlMs).toEqual(DEFAULT_TTL_MS);
    expect(c.store).toEqual({ dataDir: './data' });
    expect(c.redis).toBeUndefined();
    expect(c.replicas).toBeUndefined();
    expect(c.shutdown).toEqual({ graceMs: 10_000, writesMs: 630_000 });
    expect(c.operationDeadlineMs).toBe(30_000);
    expect(c.idempotencyLeaseMs).toBe(10_000);
    expect(c.responseCache).toEqual({
      enabled: true,
      maxTtlMs: 600_000,
      maxBytes: 32 * 1024 * 1024,
    });
    expect(c.limits).toEqual({ maxDepth: 12, maxAliases: 30, maxCost: 50_000 });
  });

  it('with REDIS_URL, Redis is a dependency with a short command timeout and a circuit breaker', () => {
    const c = loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.redis).toEqual({
      url: 'redis://127.0.0.1:6379',
      commandTimeoutMs: 250,
      breakerThreshold: 3,
      breakerHalfOpenMs: 1_000,
    });
    const tuned = loadConfig({
      REDIS_URL: 'redis://r:6379',
      REDIS_COMMAND_TIMEOUT_MS: '100',
      REDIS_BREAKER_THRESHOLD: '5',
      REDIS_BREAKER_HALF_OPEN_MS: '2000',
      ARCHTICS_REPLICAS: '3',
    });
    expect(tuned.redis).toMatchObject({
      commandTimeoutMs: 100,
      breakerThreshold: 5,
      breakerHalfOpenMs: 2_000,
    });
    expect(tuned.replicas).toBe(3);
  });

  it('the shutdown horizon for writes follows the polling horizon unless set', () => {
    expect(
      loadConfig({ ARCHTICS_POLL_TIMEOUT_MS: '60000', ARCHTICS_REQUEST_TIMEOUT_MS: '5000' })
        .shutdown,
    ).toEqual({ graceMs: 10_000, writesMs: 65_000 });
    expect(loadConfig({ SHUTDOWN_GRACE_MS: '0', SHUTDOWN_WRITES_MS: '20000' }).shutdown).toEqual({
      graceMs: 0,
      writesMs: 20_000,
    });
    expect(loadConfig({ DATA_DIR: '/var/lib/gateway' }).store.dataDir).toBe('/var/lib/gateway');
    expect(loadConfig({ GRAPHQL_OPERATION_DEADLINE_MS: '5000' }).operationDeadlineMs).toBe(5_000);
  });

  it('RESPONSE_CACHE=false (or 0) turns the response cache off', () => {
    expect(loadConfig({ RESPONSE_CACHE: 'false' }).responseCache.enabled).toBe(false);
    expect(loadConfig({ RESPONSE_CACHE: '0' }).responseCache.enabled).toBe(false);
    expect(
      loadConfig({ RESPONSE_CACHE: 'true', RESPONSE_CACHE_MAX_TTL_MS: '5000' }).responseCache,
    ).toMatchObject({ enabled: true, maxTtlMs: 5000 });
  });

  it('going live is ARCHTICS_BASE_URL plus the key and DSN; a trailing slash is dropped', () => {
    const c = loadConfig({
      ARCHTICS_BASE_URL: 'https://app.ticketmaster.com/',
      ARCHTICS_API_KEY: 'k',
      ARCHTICS_DSN: 'mydsn',
    });
    expect(c.embeddedSandbox).toBe(false);
    expect(c.archtics).toMatchObject({
      baseUrl: 'https://app.ticketmaster.com',
      apiKey: 'k',
      dsn: 'mydsn',
    });
  });
});

describe('hostile-request limits and exposure', () => {
  it('defaults: 256 KiB bodies, 5 000 tokens, nesting 64, a 16 MiB parse cache, 60 upstream calls per operation', () => {
    const c = loadConfig({});
    expect(c.requests).toEqual({
      maxBodyBytes: 262_144,
      maxTokens: 5_000,
      maxNesting: 64,
      parseCacheBytes: 16_777_216,
    });
    expect(c.maxUpstreamCalls).toBe(60);
    expect(c.exposure).toEqual({ graphiql: true, introspection: true, corsOrigins: [] });
  });

  it('reads each variable', () => {
    const c = loadConfig({
      GRAPHQL_MAX_BODY_BYTES: '100000',
      GRAPHQL_MAX_TOKENS: '2000',
      GRAPHQL_MAX_NESTING: '32',
      GRAPHQL_PARSE_CACHE_BYTES: '0',
      GRAPHQL_MAX_UPSTREAM_CALLS: '120',
      METRICS_TOKEN: 'a-metrics-token-of-length',
      CORS_ORIGINS: 'https://app.example.org, http://localhost:5173/',
      GATEWAY_TOKENS: '[{"token":"scrape-token-1","scopes":["metrics"]}]',
    });
    expect(c.requests).toEqual({
      maxBodyBytes: 100_000,
      maxTokens: 2_000,
      maxNesting: 32,
      parseCacheBytes: 0,
    });
    expect(c.maxUpstreamCalls).toBe(120);
    expect(c.exposure).toEqual({
      graphiql: true,
      introspection: true,
      metricsToken: 'a-metrics-token-of-length',
      corsOrigins: ['https://app.example.org', 'http://localhost:5173'],
    });
    expect(c.tokens).toEqual([{ token: 'scrape-token-1', scopes: ['metrics'] }]);
  });
});

describe('a bad value names its variable', () => {
  const bad: [string, Record<string, string>][] = [
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '70000' }],
    ['ARCHTICS_RATE_PER_MINUTE', { ARCHTICS_RATE_PER_MINUTE: '0' }],
    ['ARCHTICS_RATE_PER_DAY', { ARCHTICS_RATE_PER_DAY: '-5' }],
    ['ARCHTICS_POLL_TIMEOUT_MS', { ARCHTICS_POLL_TIMEOUT_MS: '10m' }],
    ['ARCHTICS_POLL_INITIAL_MS', { ARCHTICS_POLL_INITIAL_MS: '100' }],
    ['ARCHTICS_UID', { ARCHTICS_UID: 'a-very-long-user-id' }],
    ['ARCHTICS_BASE_URL', { ARCHTICS_BASE_URL: 'not a url' }],
    ['ARCHTICS_BASE_URL', { ARCHTICS_BASE_URL: 'ftp://example.org' }],
    [
      'ARCHTICS_BASE_URL',
      {
        ARCHTICS_BASE_URL: 'https://example.org/?apikey=x',
        ARCHTICS_API_KEY: 'k',
        ARCHTICS_DSN: 'd',
      },
    ],
    ['ARCHTICS_API_KEY', { ARCHTICS_BASE_URL: 'https://example.org' }],
    ['ARCHTICS_DSN', { ARCHTICS_BASE_URL: 'https://example.org', ARCHTICS_API_KEY: 'k' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['REDIS_URL', { REDIS_URL: 'localhost:6379' }],
    ['DATA_DIR', { DATA_DIR: '   ' }],
    ['REDIS_COMMAND_TIMEOUT_MS', { REDIS_URL: 'redis://r:1', REDIS_COMMAND_TIMEOUT_MS: '5' }],
    ['REDIS_BREAKER_THRESHOLD', { REDIS_URL: 'redis://r:1', REDIS_BREAKER_THRESHOLD: '0' }],
    [
      'REDIS_BREAKER_HALF_OPEN_MS',
      { REDIS_URL: 'redis://r:1', REDIS_BREAKER_HALF_OPEN_MS: 'soon' },
    ],
    ['ARCHTICS_REPLICAS', { ARCHTICS_REPLICAS: '0' }],
    ['SHUTDOWN_GRACE_MS', { SHUTDOWN_GRACE_MS: '-1' }],
    ['SHUTDOWN_WRITES_MS', { SHUTDOWN_WRITES_MS: '1.5' }],
    ['GRAPHQL_OPERATION_DEADLINE_MS', { GRAPHQL_OPERATION_DEADLINE_MS: '10' }],
    ['IDEMPOTENCY_LEASE_MS', { IDEMPOTENCY_LEASE_MS: '100' }],
    ['GATEWAY_TOKENS', { GATEWAY_TOKENS: 'not json' }],
    ['GATEWAY_TOKENS', { GATEWAY_TOKENS: '[{"token":"short","scopes":["read"]}]' }],
    ['GATEWAY_TOKENS', { GATEWAY_TOKENS: '[{"token":"long-enough-token","scopes":["admin"]}]' }],
    ['CACHE_TTL_EVENT_DETAILS_MS', { CACHE_TTL_EVENT_DETAILS_MS: 'forever' }],
    ['SANDBOX_TIME_SCALE', { SANDBOX_TIME_SCALE: '0' }],
    ['SANDBOX_STRICT', { SANDBOX_STRICT: 'maybe' }],
    ['SANDBOX_ASYNC', { SANDBOX_ASYNC: 'sometimes' }],
    ['SANDBOX_ASYNC', { SANDBOX_ASYNC: 'ALWAYS' }],
    ['SANDBOX_POLLS_TO_RESULT', { SANDBOX_POLLS_TO_RESULT: '0' }],
    ['SANDBOX_POLLS_TO_RESULT', { SANDBOX_POLLS_TO_RESULT: 'two' }],
    ['SANDBOX_WORLD', { SANDBOX_WORLD: 'other' }],
    ['SANDBOX_WORLD', { SANDBOX_WORLD: 'ALT' }],
    ['GRAPHQL_MAX_BODY_BYTES', { GRAPHQL_MAX_BODY_BYTES: '10' }],
    ['GRAPHQL_MAX_TOKENS', { GRAPHQL_MAX_TOKENS: 'lots' }],
    ['GRAPHQL_MAX_NESTING', { GRAPHQL_MAX_NESTING: '100000' }],
    ['GRAPHQL_PARSE_CACHE_BYTES', { GRAPHQL_PARSE_CACHE_BYTES: '-1' }],
    ['GRAPHQL_MAX_UPSTREAM_CALLS', { GRAPHQL_MAX_UPSTREAM_CALLS: '0' }],
    ['GRAPHIQL', { GRAPHIQL: 'yes please' }],
    ['GRAPHQL_INTROSPECTION', { GRAPHQL_INTROSPECTION: 'on' }],
    ['METRICS_TOKEN', { METRICS_TOKEN: 'short' }],
    ['CORS_ORIGINS', { CORS_ORIGINS: '*' }],
    ['CORS_ORIGINS', { CORS_ORIGINS: 'https://app.example.org/path' }],
    ['CORS_ORIGINS', { CORS_ORIGINS: 'ftp://files.example.org' }],
    ['GATEWAY_TOKENS', { GATEWAY_TOKENS: '[{"token":"long-enough-token","scopes":["metric"]}]' }],
    ['RESPONSE_CACHE', { RESPONSE_CACHE: 'sometimes' }],
    ['RESPONSE_CACHE_MAX_TTL_MS', { RESPONSE_CACHE_MAX_TTL_MS: '0' }],
    ['RESPONSE_CACHE_MAX_BYTES', { RESPONSE_CACHE_MAX_BYTES: '12' }],
  ];
  it.each(bad)('%s', (variable, env) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message.startsWith(`${variable}:`)).toBe(true);
  });

  it.each(['https://example.org/?apikey=s3cret-k3y', 'not a url?apikey=s3cret-k3y'])(
    'the key pasted into the URL never appears in the error (%s)',
    (url) => {
      expect(() =>
        loadConfig({ ARCHTICS_BASE_URL: url, ARCHTICS_API_KEY: 's3cret-k3y', ARCHTICS_DSN: 'd' }),
      ).toThrow(expect.objectContaining({ message: expect.not.stringContaining('s3cret-k3y') }));
    },
  );
});

describe('settings beyond the defaults', () => {
  it('tokens carry scopes and an optional account', () => {
    const c = loadConfig({
      GATEWAY_TOKENS:
        '[{"token":"reader-token-1","scopes":["read"]},{"token":"holder-token-2","scopes":["read","hold","buy"],"acctId":100479}]',
    });
    expect(c.tokens).toEqual([
      { token: 'reader-token-1', scopes: ['read'] },
      { token: 'holder-token-2', scopes: ['read', 'hold', 'buy'], acctId: 100479 },
    ]);
  });

  it('one command TTL can be overridden without touching the others', () => {
    const c = loadConfig({ CACHE_TTL_GET_AVAIL_SEATS_MS: '5000' });
    expect(c.cache.ttlMs.get_avail_seats).toBe(5000);
    expect(c.cache.ttlMs.event_details).toBe(DEFAULT_TTL_MS.event_details);
  });

  it('the embedded sandbox takes SANDBOX_PORT, SANDBOX_TIME_SCALE and SANDBOX_STRICT like the standalone one', () => {
    const c = loadConfig({ SANDBOX_PORT: '4111', SANDBOX_TIME_SCALE: '0.1', SANDBOX_STRICT: '1' });
    expect(c.sandbox).toMatchObject({ port: 4111, portSet: true, timeScale: 0.1, strict: true });
  });

  it('the sandbox can answer every command 202 first, with its result on a given poll', () => {
    const c = loadConfig({ SANDBOX_ASYNC: 'always', SANDBOX_POLLS_TO_RESULT: '2' });
    expect(c.sandbox).toMatchObject({ async: 'always', pollsToResult: 2 });
  });

  it('the sandbox seeds the default world unless SANDBOX_WORLD=alt', () => {
    expect(loadConfig({}).sandbox.world).toBe('default');
    expect(loadConfig({ SANDBOX_WORLD: 'alt' }).sandbox.world).toBe('alt');
  });
});

describe('refresh-ahead and the catalogue', () => {
  it('are on by default; the refresher may spend a quarter of the minute limit and leaves a tenth free', () => {
    const c = loadConfig({});
    expect(c.cache.refresh).toEqual({
      enabled: true,
      maxPerMinute: 20,
      decayMs: 600_000,
      aheadFraction: 0.25,
      minHotness: 1.5,
      headroom: 8,
      tickMs: 1_000,
    });
    expect(c.cache.catalogue).toEqual({ enabled: true, ttlMs: 600_000 });
  });

  it('the defaults follow ARCHTICS_RATE_PER_MINUTE', () => {
    const c = loadConfig({ ARCHTICS_RATE_PER_MINUTE: '200' });
    expect(c.cache.refresh).toMatchObject({ maxPerMinute: 50, headroom: 20 });
  });

  it('each has an off switch and every setting its variable', () => {
    const c = loadConfig({
      CACHE_REFRESH_AHEAD: 'false',
      CACHE_CATALOGUE: '0',
      CACHE_REFRESH_MAX_PER_MINUTE: '5',
      CACHE_REFRESH_DECAY_MS: '120000',
      CACHE_REFRESH_AHEAD_PERCENT: '40',
      CACHE_REFRESH_MIN_HOTNESS: '2.5',
      CACHE_REFRESH_HEADROOM: '0',
      CACHE_REFRESH_TICK_MS: '500',
      CACHE_CATALOGUE_TTL_MS: '300000',
    });
    expect(c.cache.refresh).toEqual({
      enabled: false,
      maxPerMinute: 5,
      decayMs: 120_000,
      aheadFraction: 0.4,
      minHotness: 2.5,
      headroom: 0,
      tickMs: 500,
    });
    expect(c.cache.catalogue).toEqual({ enabled: false, ttlMs: 300_000 });
  });

  it('CACHE_REFRESH_MIN_EXPECTED_READS sets the reads a refresh must expect; absent, any hot key qualifies', () => {
    expect(loadConfig({}).cache.refresh?.minExpectedReads).toBeUndefined();
    expect(
      loadConfig({ CACHE_REFRESH_MIN_EXPECTED_READS: '0.7' }).cache.refresh?.minExpectedReads,
    ).toBe(0.7);
  });

  it.each([
    ['CACHE_REFRESH_MIN_EXPECTED_READS', 'many'],
    ['CACHE_REFRESH_MIN_EXPECTED_READS', '-1'],
    ['CACHE_REFRESH_AHEAD', 'sometimes'],
    ['CACHE_CATALOGUE', 'yes'],
    ['CACHE_REFRESH_MAX_PER_MINUTE', '81'],
    ['CACHE_REFRESH_MAX_PER_MINUTE', '-1'],
    ['CACHE_REFRESH_DECAY_MS', '10'],
    ['CACHE_REFRESH_AHEAD_PERCENT', '0'],
    ['CACHE_REFRESH_AHEAD_PERCENT', '101'],
    ['CACHE_REFRESH_MIN_HOTNESS', 'hot'],
    ['CACHE_REFRESH_HEADROOM', '81'],
    ['CACHE_REFRESH_TICK_MS', '1'],
    ['CACHE_CATALOGUE_TTL_MS', '5'],
  ])('%s=%s is refused naming the variable', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(expect.objectContaining({ variable }));
  });
});
