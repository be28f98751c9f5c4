/**
 * Typed upstream failures. Each carries the GraphQL `extensions.code` it becomes (schema-contract
 * comment block), so the server layer maps errors without knowing the transport.
 * Messages never contain the API key: every message passes through redactSecrets().
 */
import type { CommandKind, CommandName, FaultCode } from './wire.js';

export type UpstreamErrorCode =
  | 'UPSTREAM_UNAUTHORIZED'
  | 'UPSTREAM_SETUP_ERROR'
  | 'RATE_LIMITED'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_PROTOCOL_ERROR'
  | 'UPSTREAM_COMMAND_ERROR';

/** Replaces `apikey=<anything>` (query strings, messages) with `apikey=***`. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(/(apikey=)[^&\s"']*/gi, '$1***');
  for (const secret of secrets) if (secret) out = out.split(secret).join('***');
  return out;
}

export interface ArchticsErrorInit {
  command?: CommandName;
  kind?: CommandKind;
  status?: number;
  cause?: unknown;
}

export abstract class ArchticsError extends Error {
  abstract readonly code: UpstreamErrorCode;
  readonly command?: CommandName;
  readonly kind?: CommandKind;
  readonly status?: number;

  constructor(message: string, init: ArchticsErrorInit = {}) {
    super(redactSecrets(message), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.command = init.command;
    this.kind = init.kind;
    this.status = init.status;
  }

  /** Extensions safe to show a GraphQL client. */
  extensions(): Record<string, unknown> {
    return { code: this.code, ...(this.command ? { command: this.command } : {}) };
  }
}

/** 401: wrong key, or the key may not use this product or DSN. Never retried. */
export class UnauthorizedError extends ArchticsError {
  readonly code = 'UPSTREAM_UNAUTHORIZED' as const;
  constructor(
    message: string,
    readonly faultCode?: FaultCode | string,
    init?: ArchticsErrorInit,
  ) {
    super(message, init);
  }
}

/** 404: setup problem (unknown product path or DSN). */
export class SetupError extends ArchticsError {
  readonly code = 'UPSTREAM_SETUP_ERROR' as const;
  constructor(
    message: string,
    readonly faultCode?: FaultCode | string,
    init?: ArchticsErrorInit,
  ) {
    super(message, init);
  }
}

/** 429 from the service, or our own budget gate refusing to wait past a deadline. */
export class RateLimitedError extends ArchticsError {
  readonly code = 'RATE_LIMITED' as const;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    readonly source: 'upstream' | 'budget',
    init?: ArchticsErrorInit,
  ) {
    super(message, init);
  }
  override extensions(): Record<string, unknown> {
    return { ...super.extensions(), retryAfterSeconds: this.retryAfterSeconds };
  }
}

/**
 * 503, or the connection failed. `outcomeUnknown` is set for a write whose request may have
 * reached the service before the connection failed: it must not be re-sent blindly.
 */
export class UnavailableError extends ArchticsError {
  readonly code = 'UPSTREAM_UNAVAILABLE' as const;
  readonly outcomeUnknown: boolean;
  constructor(message: string, init?: ArchticsErrorInit & { outcomeUnknown?: boolean }) {
    super(message, init);
    this.outcomeUnknown = init?.outcomeUnknown ?? false;
  }
  override extensions(): Record<string, unknown> {
    return { ...super.extensions(), ...(this.outcomeUnknown ? { outcomeUnknown: true } : {}) };
  }
}

/**
 * No final answer in time. For a write whose request may have reached the service, the outcome
 * is unknown (`outcomeUnknown`): it must not be re-sent blindly.
 */
export class UpstreamTimeoutError extends ArchticsError {
  readonly code = 'UPSTREAM_TIMEOUT' as const;
  constructor(
    message: string,
    readonly outcomeUnknown: boolean,
    init?: ArchticsErrorInit,
  ) {
    super(message, init);
  }
  override extensions(): Record<string, unknown> {
    return { ...super.extensions(), outcomeUnknown: this.outcomeUnknown };
  }
}

/**
 * Non-JSON or cut-short body, missing command1, or `header.result != 0` (the envelope was
 * refused: `headerResult` says why). `outcomeUnknown` is set for a write whose body was lost.
 */
export class ProtocolError extends ArchticsError {
  readonly code = 'UPSTREAM_PROTOCOL_ERROR' as const;
  constructor(
    message: string,
    readonly headerResult?: number,
    init?: ArchticsErrorInit & { outcomeUnknown?: boolean },
  ) {
    super(message, init);
    this.outcomeUnknown = init?.outcomeUnknown ?? false;
  }
  readonly outcomeUnknown: boolean;
}

/**
 * What a business failure means, named by the command definition that maps the service's result
 * code to it (src/archtics/commands/). Callers switch on these, never on result numbers.
 */
export type CommandFailure =
  | 'missingInput'
  | 'badInput'
  | 'pinMismatch'
  | 'invalidEmail'
  | 'emailExists'
  | 'unknownAccount'
  | 'unknownEvent'
  | 'notEnoughSeats'
  | 'seatsNotAvailable'
  | 'unknownCart'
  | 'amountMismatch'
  | 'cardDeclined'
  | 'notCheckedOut'
  | 'noSeats';

/** command1.result != 0: a business failure, with the service's codes and text. */
export class ArchticsCommandError<Extra = unknown> extends ArchticsError {
  readonly code = 'UPSTREAM_COMMAND_ERROR' as const;
  /** The command definition's name for this result code; undefined when it declares none. */
  readonly failure?: CommandFailure;
  constructor(
    message: string,
    readonly result: number,
    readonly sqlCode: number,
    readonly detail: string,
    /** Parsed output that explains the failure (e.g. the existing account of "emailExists"). */
    readonly extra?: Extra,
    init?: ArchticsErrorInit & { failure?: CommandFailure },
  ) {
    super(message, init);
    if (init?.failure) this.failure = init.failure;
  }
  override extensions(): Record<string, unknown> {
    return { ...super.extensions(), result: this.result, sqlCode: this.sqlCode };
  }
}

export function isArchticsError(e: unknown): e is ArchticsError {
  return e instanceof ArchticsError;
}
