/**
 * Faults on demand, so that client tests can provoke every failure the real service shows.
 *
 * A rule fires on a request that matches it (its commands, polls only / first sends only), with
 * probability `rate` (default 1, drawn from a PRNG seeded per rule: the same request sequence
 * fires the same faults), at most `count` times (default unlimited). Where each kind strikes:
 * - `rateLimit`   429 QuotaMinute instead of the quota check; costs no quota; nothing runs.
 * - `unavailable` 503 Unavailable after the quota check (the POST counted); nothing runs, a queued
 *                 command stays queued.
 * - `slow`        the answer is held back `delayMs` extra REAL ms (client timeouts are real time).
 * - `dropConnection` the socket is destroyed instead of answering — AFTER the command ran (or was
 *                 queued): the ambiguous failure a write-safe client must survive.
 * - `brokenJson`  a 200 result whose body is cut short (`body: "truncated"`, default) or not JSON
 *                 at all (`"html"`) — also after the command ran; its result is spent.
 */
import type { CommandName } from './reference.js';
import { COMMANDS } from './reference.js';
import { mulberry32 } from './world/seed.js';

export const FAULT_KINDS = [
  'rateLimit',
  'unavailable',
  'slow',
  'dropConnection',
  'brokenJson',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRule {
  kind: FaultKind;
  /** Probability 0..1 that a matching request fires it; default 1. */
  rate?: number;
  /** Fires at most this many times; default unlimited. */
  count?: number;
  /** Only these commands (any casing); default all. */
  commands?: string[];
  /** Only polls of queued commands, or only first sends (new commands); default both. */
  only?: 'polls' | 'firstSends';
  /** slow: extra real ms before answering (default 1000). */
  delayMs?: number;
  /** rateLimit: the Retry-After it carries (default 1). */
  retryAfterSeconds?: number;
  /** brokenJson: a cut-short JSON body or a non-JSON page. */
  body?: 'truncated' | 'html';
}

export interface FaultContext {
  cmd: CommandName;
  isPoll: boolean;
}

interface LiveRule {
  rule: FaultRule;
  commands?: Set<string>;
  remaining: number;
  fired: number;
  random: () => number;
}

export class FaultError extends Error {}

/** Checks a rule list from an admin request or options; throws FaultError naming the problem. */
export function validateFaultRules(input: unknown): FaultRule[] {
  const list = Array.isArray(input)
    ? input
    : input && typeof input === 'object' && 'faults' in input
      ? (input as { faults: unknown }).faults
      : [input];
  if (!Array.isArray(list)) throw new FaultError('faults must be a list of rules');
  return list.map((raw, i) => {
    const at = `faults[${i}]`;
    if (!raw || typeof raw !== 'object') throw new FaultError(`${at} must be an object`);
    const r = raw as Record<string, unknown>;
    if (!FAULT_KINDS.includes(r.kind as FaultKind))
      throw new FaultError(`${at}.kind must be one of ${FAULT_KINDS.join(', ')}`);
    const num = (name: string, min: number, max: number) => {
      const v = r[name];
      if (v === undefined) return;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
        throw new FaultError(`${at}.${name} must be a number in [${min}, ${max}]`);
    };
    num('rate', 0, 1);
    num('count', 0, Number.MAX_SAFE_INTEGER);
    num('delayMs', 0, 600_000);
    num('retryAfterSeconds', 1, 86_400);
    if (r.commands !== undefined) {
      if (
        !Array.isArray(r.commands) ||
        !r.commands.every((c) => typeof c === 'string' && c.toLowerCase() in COMMANDS)
      ) {
        throw new FaultError(`${at}.commands must list known commands`);
      }
    }
    if (r.only !== undefined && r.only !== 'polls' && r.only !== 'firstSends')
      throw new FaultError(`${at}.only must be "polls" or "firstSends"`);
    if (r.body !== undefined && r.body !== 'truncated' && r.body !== 'html')
      throw new FaultError(`${at}.body must be "truncated" or "html"`);
    return raw as FaultRule;
  });
}

export class Faults {
  private rules: LiveRule[] = [];
  /** Times each kind fired since the last reset. */
  readonly fired: Record<FaultKind, number> = {
    rateLimit: 0,
    unavailable: 0,
    slow: 0,
    dropConnection: 0,
    brokenJson: 0,
  };

  constructor(
    private readonly seed: number,
    rules: FaultRule[] = [],
  ) {
    this.set(rules);
  }

  /** Replaces every rule (counts and random sequences start afresh); validates any shape validateFaultRules takes. */
  set(rules: unknown): void {
    this.rules = validateFaultRules(rules).map((rule, i) => ({
      rule,
      commands: rule.commands ? new Set(rule.commands.map((c) => c.toLowerCase())) : undefined,
      remaining: rule.count ?? Infinity,
      fired: 0,
      random: mulberry32(this.seed * 7919 + i * 104_729 + 1),
    }));
  }

  clear(): void {
    this.rules = [];
  }

  resetCounters(): void {
    for (const k of FAULT_KINDS) this.fired[k] = 0;
  }

  /** The first rule of `kind` that fires for this request, counted; undefined when none does. */
  take(kind: FaultKind, ctx: FaultContext): FaultRule | undefined {
    for (const live of this.rules) {
      const { rule } = live;
      if (rule.kind !== kind || live.remaining <= 0) continue;
      if (live.commands && !live.commands.has(ctx.cmd)) continue;
      if (rule.only === 'polls' && !ctx.isPoll) continue;
      if (rule.only === 'firstSends' && ctx.isPoll) continue;
      const rate = rule.rate ?? 1;
      if (rate < 1 && !(live.random() < rate)) continue;
      live.remaining--;
      live.fired++;
      this.fired[kind]++;
      return rule;
    }
    return undefined;
  }

  /** The rules in force with what is left of their counts (for GET /__sandbox/faults). */
  describe(): (FaultRule & { fired: number; remaining: number | null })[] {
    return this.rules.map((l) => ({
      ...l.rule,
      fired: l.fired,
      remaining: Number.isFinite(l.remaining) ? l.remaining : null,
    }));
  }
}
