/**
 * Configuration: read once from the environment at start, validated, then passed down.
 * A bad value stops start-up with a message naming the variable.
 */
import { loadTrustedDocuments, type TrustedDocuments } from './trusted-documents.js';
import { DEFAULT_TTL_MS } from './archtics/commands/index.js';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
/** read (queries), hold (holds and carts), buy (checkout, payment, print), metrics (GET /metrics only). */
export type Scope = 'read' | 'hold' | 'buy' | 'metrics';

export interface GatewayToken {
  token: string;
  scopes: Scope[];
  /** When set, the token may act for this account only. */
  acctId?: number;
}

export interface ArchticsConfig {
  /** Undefined = run against the embedded sandbox. */
  baseUrl?: string;
  apiKey: string;
  dsn: string;
  uid: string;
  siteName: string;
  srcSysName: string;
  /**
   * ISO 4217 code of every amount the service answers (ARCHTICS_CURRENCY): the protocol's amounts
   * are bare decimals and the reference names no currency, so it is the client's to say.
   */
  currency: string;
  ratePerMinute: number;
  ratePerDay: number;
  /** Give up polling one command after this long. */
  pollTimeoutMs: number;
  /** First poll after this long, then ×pollBackoff up to pollMaxIntervalMs. */
  pollInitialMs: number;
  pollMaxIntervalMs: number;
  pollBackoff: number;
  /** Timeout of one HTTP attempt. */
  requestTimeoutMs: number;
  /** Longest a read may take overall, queue wait and retries included. */
  readDeadlineMs: number;
  /** Callers allowed to wait for budget at once; more are refused at once. */
  queueMax: number;
  /**
   * Added to the 60 s window the budget gate enforces. The gate counts a call when it grants it,
   * the service when it arrives: without a margin, a burst delayed in flight and the next one
   * released on time can meet inside one of the service's windows (bench suite 4 saw 429s).
   */
  windowMarginMs: number;
}

export interface CacheConfig {
  maxBytes: number;
  /** TTL per command in ms; 0 = never cached. */
  ttlMs: Record<string, number>;
  /** How long past its TTL an entry may still be served while the upstream refuses. */
  staleGraceMs: number;
  /** Absent (a config built by hand): no refresh-ahead. */
  refresh?: RefreshConfig;
  /** Absent: no catalogue reads. */
  catalogue?: CatalogueConfig;
}

/** Refresh-ahead (src/cache/refresh-ahead.ts): hot reads renewed before they expire, with idle budget only. */
export interface RefreshConfig {
  /** CACHE_REFRESH_AHEAD (default true). */
  enabled: boolean;
  /** The refresher's POSTs per minute at most, polls included (default a quarter of the minute limit). */
  maxPerMinute: number;
  /** Only keys read within this long are refreshed (hotness halves every quarter of it). */
  decayMs: number;
  /** An entry is refreshed in the last this-share of its TTL (or once expired). */
  aheadFraction: number;
  /** Decayed reads a key needs to be refreshed (1 = one read just now). */
  minHotness: number;
  /**
   * Reads a key must be expected to get in the span a refresh adds to its entry (from its read
   * rate) to be worth the slot; absent = 0 (any hot key).
   */
  minExpectedReads?: number;
  /** Slots of the minute window the refresher always leaves free for callers who may come. */
  headroom: number;
  /** Pause between refresh rounds. */
  tickMs: number;
}

/** Catalogued reads (a command's definition says which): the whole collection in one entry. */
export interface CatalogueConfig {
  /** CACHE_CATALOGUE (default true). */
  enabled: boolean;
  /** How long a catalogue entry is fresh. */
  ttlMs: number;
}

/** The response cache: whole answers of read operations, above the command cache. */
export interface ResponseCacheConfig {
  /** RESPONSE_CACHE=false turns it off. */
  enabled: boolean;
  /** Longest an answer is kept; it never outlives the command answers it was built from. */
  maxTtlMs: number;
  /** Size bound of the in-process store (with REDIS_URL, answers are kept in Redis instead). */
  maxBytes: number;
}

export interface SandboxConfig {
  /** `npm run sandbox` listens here; the embedded one too when SANDBOX_PORT is set (else a free port). */
  port: number;
  portSet: boolean;
  apiKey: string;
  dsn: string;
  ratePerMinute: number;
  ratePerDay: number;
  seed: number;
  /** Sandbox time runs 1/timeScale as fast as real time (0.01: a 10 s command takes 100 ms). */
  timeScale: number;
  /** Record protocol violations in /__sandbox/stats (src/sandbox/conformance.ts). */
  strict: boolean;
  /**
   * SANDBOX_ASYNC: 'auto' (default) answers 202 only for commands slow enough; 'always' answers
   * every command 202 first, as the protocol allows any service to.
   */
  async: 'auto' | 'always';
  /** SANDBOX_POLLS_TO_RESULT (default 1): with 'always', the result comes on this poll. */
  pollsToResult: number;
  /** SANDBOX_WORLD: the seeded world, 'default' or 'alt' (other names for everything; docs/sandbox.md). */
  world: 'default' | 'alt';
}

export interface StoreConfig {
  /**
   * DATA_DIR: where the durable embedded store (SQLite, gateway.sqlite) keeps what must survive a
   * restart on one machine — idempotency records, cart owners, the budget window. Created on start.
   */
  dataDir: string;
}

export interface RedisConfig {
  /** REDIS_URL: shared budget, cache, idempotency records and cart owners across replicas. */
  url: string;
  /** One Redis command's timeout: past it the command fails and counts against the breaker. */
  commandTimeoutMs: number;
  /** Consecutive failed commands that open the breaker (the gateway then runs degraded at once). */
  breakerThreshold: number;
  /** How long the breaker stays open before a probe (half-open); a probe that answers closes it. */
  breakerHalfOpenMs: number;
}

export interface ShutdownConfig {
  /** How long reads in flight may finish after SIGTERM before their connections are cut. */
  graceMs: number;
  /** How long accepted writes may take to reach their outcome after SIGTERM (the polling horizon). */
  writesMs: number;
}

export interface Config {
  archtics: ArchticsConfig;
  store: StoreConfig;
  /** With REDIS_URL: how Redis is used as a dependency that may fail. */
  redis?: RedisConfig;
  shutdown: ShutdownConfig;
  /**
   * ARCHTICS_REPLICAS: gateway replicas sharing one API key. While Redis is away each replica
   * spends its share of the budget; unset = the count last seen in Redis.
   */
  replicas?: number;
  /** One deadline per GraphQL operation, shared by every upstream read in it. */
  operationDeadlineMs: number;
  /**
   * IDEMPOTENCY_LEASE_MS: how long a payment attempt holds its key without renewing it (it renews
   * every third of it). A crashed attempt's key is taken over — and settled by reading — after this.
   */
  idempotencyLeaseMs: number;
  /** True when ARCHTICS_BASE_URL is unset and the gateway starts the sandbox in-process. */
  embeddedSandbox: boolean;
  sandbox: SandboxConfig;
  cache: CacheConfig;
  responseCache: ResponseCacheConfig;
  port: number;
  host: string;
  redisUrl?: string;
  logLevel: LogLevel;
  /** event_details calls carry at most this many names. */
  eventBatchSize: number;
  limits: { maxDepth: number; maxAliases: number; maxCost: number };
  /** What a request may be before it is parsed or validated (src/plugins/parse-safety.ts). */
  requests: RequestLimits;
  /** Most upstream calls one operation may be estimated to make (src/plugins/upstream-cost.ts). */
  maxUpstreamCalls: number;
  /** A query document is compiled on its n-th execution; 0 never (src/plugins/compiled-execution.ts). */
  compileAfterUses: number;
  /** What the gateway shows about itself (src/plugins/exposure.ts). */
  exposure: ExposureConfig;
  /** Bearer tokens; empty = everything open (sandbox default). */
  tokens: GatewayToken[];
  /**
   * GRAPHQL_FEDERATION=true: /graphql serves the Apollo Federation v2 subgraph schema
   * (schema/federation.ts: the same API plus _service and _entities) for a router to compose.
   */
  federation?: boolean;
  /** Persisted operations: automatic (APQ) registrations, and the trusted documents' allow-list. */
  persisted?: PersistedConfig;
}

export interface PersistedConfig {
  /** GRAPHQL_TRUSTED_DOCUMENTS: the manifest's documents; set = allow-list mode. */
  trustedDocuments?: TrustedDocuments;
  /** Bounds of the APQ store (in this process, or in Redis with REDIS_URL). */
  apq: { maxEntries: number; maxBytes: number; maxDocumentBytes: number };
}

export interface RequestLimits {
  /** Largest request body read (bigger: 413 before reading it). */
  maxBodyBytes: number;
  /** Most lexical tokens a document may have (more: refused before the parser builds anything). */
  maxTokens: number;
  /** Deepest nesting of {, [ and ( a document may have, so the recursive parser cannot overflow its stack. */
  maxNesting: number;
  /** Bytes the cache of parsed, validated documents may keep. */
  parseCacheBytes: number;
}

export interface ExposureConfig {
  /** Serve GraphiQL on GET /graphql (GRAPHIQL; default on with the embedded sandbox, off against a real service). */
  graphiql: boolean;
  /** Answer introspection and "Did you mean …" hints (GRAPHQL_INTROSPECTION; same default as GraphiQL). */
  introspection: boolean;
  /** A token for GET /metrics alone (METRICS_TOKEN); tokens with the metrics scope work too. */
  metricsToken?: string;
  /** Origins allowed cross-origin (CORS_ORIGINS, comma-separated); empty = no cross-origin access. */
  corsOrigins: string[];
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string, fallback: string): string {
  const v = env[name];
  return v === undefined || v === '' ? fallback : v;
}

function int(
  env: Env,
  name: string,
  fallback: number,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim()))
    throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const n = Number(raw.trim());
  if (n < min || n > max)
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function num(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new ConfigError(name, `must be a number between ${min} and ${max}, got "${raw}"`);
  return n;
}

function flag(env: Env, name: string, fallback = false): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ConfigError(name, `must be true or false, got "${env[name]}"`);
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!(values as readonly string[]).includes(raw))
    throw new ConfigError(name, `must be one of ${values.join(', ')}, got "${env[name]}"`);
  return raw as T;
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const SCOPES: Scope[] = ['read', 'hold', 'buy', 'metrics'];

/** Default TTLs come from the command definitions (events and prices change rarely, accounts
 * sometimes, availability constantly); CACHE_TTL_<COMMAND>_MS overrides one. */
export { DEFAULT_TTL_MS };

function parseTokens(raw: string | undefined): GatewayToken[] {
  if (raw === undefined || raw.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(
      'GATEWAY_TOKENS',
      'must be JSON: [{"token":"…","scopes":["read"],"acctId":100479}]',
    );
  }
  if (!Array.isArray(parsed)) throw new ConfigError('GATEWAY_TOKENS', 'must be a JSON array');
  return parsed.map((t, i) => {
    const entry = t as Partial<GatewayToken>;
    if (typeof entry.token !== 'string' || entry.token.length < 8) {
      throw new ConfigError(
        'GATEWAY_TOKENS',
        `entry ${i}: token must be a string of at least 8 characters`,
      );
    }
    if (!Array.isArray(entry.scopes) || entry.scopes.some((s) => !SCOPES.includes(s as Scope))) {
      throw new ConfigError(
        'GATEWAY_TOKENS',
        `entry ${i}: scopes must be a list of ${SCOPES.join(', ')}`,
      );
    }
    if (entry.acctId !== undefined && !Number.isSafeInteger(entry.acctId)) {
      throw new ConfigError('GATEWAY_TOKENS', `entry ${i}: acctId must be an integer`);
    }
    return {
      token: entry.token,
      scopes: entry.scopes as Scope[],
      ...(entry.acctId !== undefined ? { acctId: entry.acctId } : {}),
    };
  });
}

/** "https://a.example, http://localhost:5173": each an origin (scheme, host, port; no path). */
function parseOrigins(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '') return [];
  return raw.split(',').map((part) => {
    const o = part.trim();
    let url: URL;
    try {
      url = new URL(o);
    } catch {
      throw new ConfigError(
        'CORS_ORIGINS',
        `"${o.slice(0, 80)}" is not an origin like https://app.example.org`,
      );
    }
    if (
      (url.protocol !== 'http:' && url.protocol !== 'https:') ||
      url.origin !== o.replace(/\/$/, '')
    ) {
      throw new ConfigError(
        'CORS_ORIGINS',
        `"${o.slice(0, 80)}" is not an origin like https://app.example.org (scheme, host and port only; "*" is not allowed)`,
      );
    }
    return url.origin;
  });
}

function parseTtls(env: Env): Record<string, number> {
  const ttl = { ...DEFAULT_TTL_MS };
  // CACHE_TTL_EVENT_DETAILS_MS=60000 overrides one command's TTL.
  for (const [name, value] of Object.entries(env)) {
    const m = /^CACHE_TTL_([A-Z_]+)_MS$/.exec(name);
    if (m && value !== undefined) ttl[m[1].toLowerCase()] = int(env, name, 0);
  }
  return ttl;
}

function metricsToken(env: Env): string | undefined {
  const t = env.METRICS_TOKEN?.trim();
  if (!t) return undefined;
  if (t.length < 16 || /\s/.test(t))
    throw new ConfigError('METRICS_TOKEN', 'must be at least 16 characters without spaces');
  return t;
}

function dataDir(env: Env): string {
  const dir = str(env, 'DATA_DIR', './data').trim();
  if (dir === '') throw new ConfigError('DATA_DIR', 'must be a directory path');
  if (dir.includes('\0')) throw new ConfigError('DATA_DIR', 'must not contain a NUL character');
  return dir;
}

export function loadConfig(env: Env = process.env): Config {
  const baseUrlRaw = env.ARCHTICS_BASE_URL?.trim();
  let baseUrl: string | undefined;
  if (baseUrlRaw) {
    let url: URL;
    try {
      url = new URL(baseUrlRaw);
    } catch {
      // Never echo a query string: someone may have pasted the key into the URL.
      throw new ConfigError('ARCHTICS_BASE_URL', `is not a URL: "${baseUrlRaw.split('?')[0]}"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new ConfigError('ARCHTICS_BASE_URL', 'must be http(s)');
    if (url.search || url.hash)
      throw new ConfigError(
        'ARCHTICS_BASE_URL',
        'must not carry a query or fragment (the key goes in ARCHTICS_API_KEY)',
      );
    baseUrl = url.toString().replace(/\/+$/, '');
  }

  const sandbox: SandboxConfig = {
    port: int(env, 'SANDBOX_PORT', 4100, 0, 65535),
    portSet: Boolean(env.SANDBOX_PORT?.trim()),
    apiKey: str(env, 'SANDBOX_API_KEY', 'sandbox-key'),
    dsn: str(env, 'SANDBOX_DSN', 'apigee'),
    ratePerMinute: int(env, 'SANDBOX_RATE_PER_MINUTE', 80, 1),
    ratePerDay: int(env, 'SANDBOX_RATE_PER_DAY', 5000, 1),
    // Same default as `npm run sandbox`, so sample ids and PINs are the same whichever way it runs.
    seed: int(env, 'SANDBOX_SEED', 20261129),
    timeScale: num(env, 'SANDBOX_TIME_SCALE', 1, 0.0001, 1000),
    strict: flag(env, 'SANDBOX_STRICT'),
    async: oneOf(env, 'SANDBOX_ASYNC', ['auto', 'always'] as const, 'auto'),
    pollsToResult: int(env, 'SANDBOX_POLLS_TO_RESULT', 1, 1, 100),
    world: oneOf(env, 'SANDBOX_WORLD', ['default', 'alt'] as const, 'default'),
  };

  const apiKey = env.ARCHTICS_API_KEY ?? (baseUrl ? undefined : sandbox.apiKey);
  if (!apiKey)
    throw new ConfigError('ARCHTICS_API_KEY', 'is required when ARCHTICS_BASE_URL is set');

  const dsn = str(env, 'ARCHTICS_DSN', baseUrl ? '' : sandbox.dsn);
  if (!dsn) throw new ConfigError('ARCHTICS_DSN', 'is required when ARCHTICS_BASE_URL is set');

  const uid = str(env, 'ARCHTICS_UID', 'gateway');
  if (uid.length > 12) throw new ConfigError('ARCHTICS_UID', 'must be at most 12 characters');

  const logLevel = str(env, 'LOG_LEVEL', 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel))
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);

  const redisUrl = env.REDIS_URL?.trim() || undefined;
  const pollTimeoutMs = int(env, 'ARCHTICS_POLL_TIMEOUT_MS', 600_000, 1_000);
  const requestTimeoutMs = int(env, 'ARCHTICS_REQUEST_TIMEOUT_MS', 30_000, 100);
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl))
    throw new ConfigError('REDIS_URL', 'must start with redis:// or rediss://');

  const ratePerMinute = int(env, 'ARCHTICS_RATE_PER_MINUTE', 80, 1, 100_000);

  return {
    archtics: {
      baseUrl,
      apiKey,
      dsn,
      uid,
      siteName: str(env, 'ARCHTICS_SITE_NAME', 'vanilla'),
      srcSysName: str(env, 'ARCHTICS_SRC_SYS_NAME', 'archtics-graphql'),
      currency: currencyCode(env),
      ratePerMinute,
      ratePerDay: int(env, 'ARCHTICS_RATE_PER_DAY', 5000, 1, 10_000_000),
      pollTimeoutMs,
      pollInitialMs: int(env, 'ARCHTICS_POLL_INITIAL_MS', 300, 300),
      // 1.5 s keeps a 10 s command at ≥ 3× fewer polls than a fixed 300 ms poller while adding
      // under 20% latency (bench suite 3); 3 s saved a few more polls but added 22%.
      pollMaxIntervalMs: int(env, 'ARCHTICS_POLL_MAX_INTERVAL_MS', 1_500, 300),
      pollBackoff: num(env, 'ARCHTICS_POLL_BACKOFF', 1.5, 1, 4),
      requestTimeoutMs,
      readDeadlineMs: int(env, 'ARCHTICS_READ_DEADLINE_MS', 30_000, 100),
      queueMax: int(env, 'ARCHTICS_QUEUE_MAX', 1_000, 1),
      windowMarginMs: int(env, 'ARCHTICS_WINDOW_MARGIN_MS', 1_000, 0, 30_000),
    },
    store: { dataDir: dataDir(env) },
    ...(redisUrl
      ? {
          redis: {
            url: redisUrl,
            commandTimeoutMs: int(env, 'REDIS_COMMAND_TIMEOUT_MS', 250, 10, 60_000),
            breakerThreshold: int(env, 'REDIS_BREAKER_THRESHOLD', 3, 1, 1_000),
            breakerHalfOpenMs: int(env, 'REDIS_BREAKER_HALF_OPEN_MS', 1_000, 50, 600_000),
          },
        }
      : {}),
    shutdown: {
      graceMs: int(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 3_600_000),
      writesMs: int(env, 'SHUTDOWN_WRITES_MS', pollTimeoutMs + requestTimeoutMs, 0, 86_400_000),
    },
    ...(env.ARCHTICS_REPLICAS?.trim()
      ? { replicas: int(env, 'ARCHTICS_REPLICAS', 1, 1, 10_000) }
      : {}),
    operationDeadlineMs: int(env, 'GRAPHQL_OPERATION_DEADLINE_MS', 30_000, 100, 3_600_000),
    idempotencyLeaseMs: int(env, 'IDEMPOTENCY_LEASE_MS', 10_000, 300, 3_600_000),
    embeddedSandbox: baseUrl === undefined,
    sandbox,
    cache: {
      maxBytes: int(env, 'CACHE_MAX_BYTES', 64 * 1024 * 1024, 1024),
      ttlMs: parseTtls(env),
      staleGraceMs: int(env, 'CACHE_STALE_GRACE_MS', 30 * 60_000),
      refresh: {
        enabled: flag(env, 'CACHE_REFRESH_AHEAD', true),
        maxPerMinute: int(
          env,
          'CACHE_REFRESH_MAX_PER_MINUTE',
          Math.floor(ratePerMinute / 4),
          0,
          ratePerMinute,
        ),
        decayMs: int(env, 'CACHE_REFRESH_DECAY_MS', 10 * 60_000, 1_000),
        aheadFraction: int(env, 'CACHE_REFRESH_AHEAD_PERCENT', 25, 1, 100) / 100,
        minHotness: num(env, 'CACHE_REFRESH_MIN_HOTNESS', 1.5, 0, 1_000),
        ...(env.CACHE_REFRESH_MIN_EXPECTED_READS !== undefined
          ? { minExpectedReads: num(env, 'CACHE_REFRESH_MIN_EXPECTED_READS', 0, 0, 1_000) }
          : {}),
        headroom: int(
          env,
          'CACHE_REFRESH_HEADROOM',
          Math.ceil(ratePerMinute / 10),
          0,
          ratePerMinute,
        ),
        tickMs: int(env, 'CACHE_REFRESH_TICK_MS', 1_000, 10, 60_000),
      },
      catalogue: {
        enabled: flag(env, 'CACHE_CATALOGUE', true),
        ttlMs: int(env, 'CACHE_CATALOGUE_TTL_MS', 10 * 60_000, 1_000),
      },
    },
    responseCache: {
      enabled: flag(env, 'RESPONSE_CACHE', true),
      maxTtlMs: int(env, 'RESPONSE_CACHE_MAX_TTL_MS', 10 * 60_000, 1),
      maxBytes: int(env, 'RESPONSE_CACHE_MAX_BYTES', 32 * 1024 * 1024, 1024),
    },
    port: int(env, 'PORT', 4000, 0, 65535),
    host: str(env, 'HOST', '127.0.0.1'),
    redisUrl,
    logLevel,
    eventBatchSize: int(env, 'EVENT_BATCH_SIZE', 100, 1, 500),
    limits: {
      maxDepth: int(env, 'GRAPHQL_MAX_DEPTH', 12, 1),
      maxAliases: int(env, 'GRAPHQL_MAX_ALIASES', 30, 1),
      // The field-count cost of a document, not its upstream work: 25 aliased customer(acctId:)
      // dashboards cost ~23,700 where the same dashboard as nodes(ids:) costs ~150, so the default
      // admits the aliased form up to the alias limit (30: ~28,400).
      maxCost: int(env, 'GRAPHQL_MAX_COST', 50_000, 1),
    },
    requests: {
      maxBodyBytes: int(env, 'GRAPHQL_MAX_BODY_BYTES', 256 * 1024, 1024, 100 * 1024 * 1024),
      maxTokens: int(env, 'GRAPHQL_MAX_TOKENS', 5_000, 50, 1_000_000),
      maxNesting: int(env, 'GRAPHQL_MAX_NESTING', 64, 4, 1_000),
      parseCacheBytes: int(
        env,
        'GRAPHQL_PARSE_CACHE_BYTES',
        16 * 1024 * 1024,
        0,
        1024 * 1024 * 1024,
      ),
    },
    maxUpstreamCalls: int(env, 'GRAPHQL_MAX_UPSTREAM_CALLS', 60, 1, 100_000),
    compileAfterUses: int(env, 'GRAPHQL_COMPILE_AFTER_USES', 2, 0, 1_000_000),
    exposure: {
      // A real service's schema is not for strangers; the sandbox's is the tutorial.
      graphiql: flag(env, 'GRAPHIQL', baseUrl === undefined),
      introspection: flag(env, 'GRAPHQL_INTROSPECTION', baseUrl === undefined),
      ...(metricsToken(env) ? { metricsToken: metricsToken(env) } : {}),
      corsOrigins: parseOrigins(env.CORS_ORIGINS),
    },
    tokens: parseTokens(env.GATEWAY_TOKENS),
    federation: flag(env, 'GRAPHQL_FEDERATION'),
    persisted: {
      ...trustedDocuments(env),
      apq: {
        maxEntries: int(env, 'APQ_MAX_ENTRIES', 1000, 0),
        maxBytes: int(env, 'APQ_MAX_BYTES', 5 * 1024 * 1024, 1024),
        maxDocumentBytes: int(env, 'APQ_MAX_DOCUMENT_BYTES', 64 * 1024, 256),
      },
    },
  };
}

function trustedDocuments(env: Env): { trustedDocuments?: TrustedDocuments } {
  const path = env.GRAPHQL_TRUSTED_DOCUMENTS?.trim();
  if (!path) return {};
  try {
    return { trustedDocuments: loadTrustedDocuments(path) };
  } catch (err) {
    const why =
      (err as NodeJS.ErrnoException).code === 'ENOENT'
        ? `no such file: ${path}`
        : (err as Error).message;
    throw new ConfigError('GRAPHQL_TRUSTED_DOCUMENTS', why);
  }
}

function currencyCode(env: Env): string {
  const code = (env.ARCHTICS_CURRENCY?.trim() || 'USD').toUpperCase();
  if (!/^[A-Z]{3}$/.test(code))
    throw new ConfigError(
      'ARCHTICS_CURRENCY',
      'must be an ISO 4217 code of three letters, e.g. USD',
    );
  return code;
}
