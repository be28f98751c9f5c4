/**
 * The wire formats (protocol reference §1-2): the URL of a command, the request envelope, and
 * what the bodies of answers say (the 200 envelope, the fault body of 401/404/429/503).
 * Pure functions: no I/O, no clock.
 */
import type { ArchticsConfig } from '../config.js';
import {
  HEADER_RESULT,
  RESOURCE,
  type Command1Response,
  type CommandKind,
  type CommandName,
  type Product,
  type RequestEnvelope,
  type ResponseEnvelope,
} from '../protocol/wire.js';
import { ProtocolError, redactSecrets } from './errors.js';
import type { CommandDef } from './types.js';

/** Fixed header fields (reference §2). */
export const HEADER_VERSION = 1;
export const SRC_SYS_TYPE = 2;
export const ARCHTICS_VERSION = 'V999';

/** Who a command is, for routing and for every message about it. */
export interface CommandIdentity {
  command: CommandName;
  product: Product;
  kind: CommandKind;
}

/**
 * Routes by the command's definition: its product and kind are defined there and nowhere else on
 * this side of the wire (test/archtics/real-defs.test.ts holds every definition against the
 * sandbox's own reading of the reference).
 */
export function identify(
  def: Pick<CommandDef<unknown, unknown>, 'name' | 'product' | 'kind'>,
): CommandIdentity {
  return { command: def.name, product: def.product, kind: def.kind };
}

/** The secrets to scrub from anything leaving this layer: the key as-is and URL-encoded. */
export function secretsOf(config: Pick<ArchticsConfig, 'apiKey'>): string[] {
  const key = config.apiKey;
  return [...new Set([key, encodeURIComponent(key)].filter(Boolean))];
}

/** `{base}/{product}/ticketing_services.aspx?dsn={dsn}&apikey={apikey}`. Carries the key: never log it. */
export function commandUrl(
  config: Pick<ArchticsConfig, 'baseUrl' | 'dsn' | 'apiKey'>,
  product: Product,
): string {
  if (!config.baseUrl)
    throw new Error('ArchticsConfig.baseUrl is not set (start the sandbox and pass its URL)');
  const base = config.baseUrl.replace(/\/+$/, '');
  const query = new URLSearchParams({ dsn: config.dsn, apikey: config.apiKey });
  return `${base}/${product}/${RESOURCE}?${query.toString()}`;
}

export function buildEnvelope<Req>(
  config: Pick<ArchticsConfig, 'srcSysName' | 'uid' | 'dsn' | 'siteName'>,
  def: CommandDef<Req, unknown>,
  req: Req,
  ref?: string,
): RequestEnvelope {
  // A def's fields can never override the envelope's own: the DSN must equal the URL's.
  const {
    cmd: _cmd,
    ref: _ref,
    uid: _uid,
    dsn: _dsn,
    ...fields
  } = def.toFields(req, { siteName: config.siteName });
  return {
    header: {
      ver: HEADER_VERSION,
      src_sys_type: SRC_SYS_TYPE,
      src_sys_name: config.srcSysName,
      archtics_version: ARCHTICS_VERSION,
    },
    command1: {
      cmd: def.name,
      ...(ref !== undefined ? { ref } : {}),
      uid: config.uid,
      dsn: config.dsn,
      ...fields,
    },
  };
}

/** Serialized once per command: polls must re-send these exact bytes (reference §3). */
export function serializeEnvelope(envelope: RequestEnvelope): string {
  return JSON.stringify(envelope);
}

/**
 * Reads the command1 out of a 200 answer. A body that is not JSON, was cut short, or whose
 * envelope was refused (`header.result != 0`) is a ProtocolError — for a write, one whose outcome
 * is unknown when the body was lost (the service may well have done the work).
 */
export function readCommand1(
  text: string,
  opts: CommandIdentity & { cutShort?: boolean; secrets: readonly string[] },
): Command1Response {
  const init = { command: opts.command, kind: opts.kind, status: 200 };
  const fail = (message: string, headerResult?: number, outcomeUnknown = opts.kind === 'write') =>
    new ProtocolError(
      redactSecrets(`archtics ${opts.command} (${opts.product}): ${message}`, opts.secrets),
      headerResult,
      {
        ...init,
        outcomeUnknown,
      },
    );
  if (opts.cutShort) return throwIt(fail('the 200 answer was cut short'));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return throwIt(
      fail(text.trim() === '' ? 'the 200 answer had an empty body' : 'the 200 answer is not JSON'),
    );
  }
  if (!isObject(parsed)) return throwIt(fail('the 200 answer is not a JSON object'));
  const env = parsed as Partial<ResponseEnvelope>;
  const header = isObject(env.header) ? env.header : undefined;
  const headerResult = header === undefined ? undefined : Number(header.result ?? HEADER_RESULT.ok);
  // A refused envelope did nothing: its outcome is known even for a write.
  if (headerResult !== undefined && headerResult !== HEADER_RESULT.ok) {
    const why =
      headerResult === HEADER_RESULT.malformed
        ? 'malformed JSON or missing command1'
        : headerResult === HEADER_RESULT.unknownCommand
          ? 'unknown cmd'
          : headerResult === HEADER_RESULT.missingUid
            ? 'missing uid'
            : 'unknown reason';
    return throwIt(
      fail(
        `the service refused the envelope (header.result ${headerResult}: ${why})`,
        Number.isFinite(headerResult) ? headerResult : undefined,
        false,
      ),
    );
  }
  if (!isObject(env.command1)) return throwIt(fail('the 200 answer has no command1'));
  return env.command1 as Command1Response;
}

function throwIt(e: Error): never {
  throw e;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{"fault":{"faultstring","detail":{"errorcode"}}}` of 401/404/429/503 answers, when present. */
export function parseFault(text: string): { faultCode?: string; faultString?: string } {
  try {
    const body = JSON.parse(text) as unknown;
    if (!isObject(body) || !isObject(body.fault)) return {};
    const fault = body.fault;
    const detail = isObject(fault.detail) ? fault.detail : {};
    return {
      ...(typeof detail.errorcode === 'string' ? { faultCode: detail.errorcode } : {}),
      ...(typeof fault.faultstring === 'string' ? { faultString: fault.faultstring } : {}),
    };
  } catch {
    return {};
  }
}

/**
 * Retry-After in ms. The service sends whole seconds; an HTTP date is read against `now`.
 * Undefined when absent or unreadable.
 */
export function retryAfterMs(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
