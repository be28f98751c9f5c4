/**
 * Strict mode (`startSandbox({ strict: true })`, `SANDBOX_STRICT=1`): the sandbox still answers
 * exactly as it always does, but also judges every POST against the protocol reference
 * (../shared/reference/archtics-wire-protocol.md) and records each deviation as a VIOLATION, shown
 * in GET /__sandbox/stats as `violations: [{rule, cmd, detail, at}]` and `violationCounts`.
 *
 * Rules (`at` is sandbox-clock ms; intervals are measured in REAL ms, as the client lives in real
 * time whatever the sandbox's timeScale):
 * - product-not-smallest   §1/§4: the path's product is not the smallest one containing the command.
 * - dsn-mismatch           §1: dsn missing from the URL or from command1, or the two differ.
 * - bad-envelope           §1/§2: Content-Type not application/json; body not a JSON object; header
 *                          not {ver:1, src_sys_type:2, src_sys_name:<text>, archtics_version:"V999"}
 *                          (case-insensitive, as the public page's sample writes "v999"); cmd not a
 *                          known command; uid missing or longer than 12 characters.
 * - poll-too-soon          §3/§5: a poll less than `pollMinMs` (290: ~300 ms with slack) after the
 *                          previous POST of that command. A loaded machine only lengthens intervals,
 *                          so slack on this side cannot hide a fast poller and never invents one.
 * - poll-body-changed      §3: cookies name a queued command of the same cmd, the body differs byte-wise.
 * - poll-missing-cookie    §3: a poll naming a queued command by CID without its QTKN, or without
 *                          another cookie the sandbox set for it (strict mode adds `SID` to every
 *                          202: "SID should not change for the duration of this API polling cycle").
 * - cookie-from-other-command  §3 ("one HTTP session … for the duration of that particular API
 *                          call"): cookies the sandbox set for command A arrive with another body
 *                          (another command, or a new command), i.e. a cookie jar shared between
 *                          commands. A dead cookie (result delivered or expired) sent with the SAME
 *                          body is that command's own jar: the POST is a new command (reference §3),
 *                          judged by write-resent when it is a write.
 * - retry-after-ignored    §1: a POST from the same key before the Retry-After of a 429 elapsed,
 *                          counted from when the sandbox decided the 429 (no client can have it
 *                          sooner, so a slow machine never invents a violation). POSTs arriving within
 *                          `retryAfterGraceMs` (100) of it were already on their way (concurrent
 *                          requests of one caller land 0–10 ms apart) and pass.
 * - over-quota             §1/§5: a POST refused by the quota itself (429 QuotaMinute/QuotaDay, not a
 *                          forced rateLimit fault): a client must budget, not find the limit by hitting it.
 * - over-rate              §1/§5: more than the key's ratePerMinute POSTs (every POST, polls and
 *                          refused ones included) inside any 60 s of REAL time (less `rateSlackMs` for
 *                          network jitter at the window's edges). Catches what the quota cannot when
 *                          timeScale speeds the sandbox's own minute up.
 * - write-resent           §3/§4, architecture ("a write is sent once"): the same write — command1
 *                          byte-for-byte after dropping `ref` (keys sorted) — arriving as a NEW command
 *                          within `writeWindowMs` (60 s real) of an identical one that the sandbox
 *                          executed or queued (its result delivered or lost). A copy refused before
 *                          anything ran (401, 429, 503, header errors) does not arm the rule.
 *                          Writes are per the reference's table; reads, check_out included ("changes
 *                          nothing … safe to repeat"), are never judged. Exception among writes:
 *                          abort_shopping_cart (a second abort of the same cart changes nothing: 6004).
 *
 * The checker is an observer: it imports only the protocol's vocabulary and never changes an answer
 * (except that strict mode's 202s carry the extra SID cookie).
 */
import { randomBytes } from 'node:crypto';
import { POLL_COOKIES, PRODUCTS, type Product } from '../protocol/wire.js';
import { COMMANDS, type CommandName } from './reference.js';

export const VIOLATION_RULES = [
  'product-not-smallest',
  'dsn-mismatch',
  'bad-envelope',
  'poll-too-soon',
  'poll-body-changed',
  'poll-missing-cookie',
  'cookie-from-other-command',
  'retry-after-ignored',
  'over-quota',
  'over-rate',
  'write-resent',
] as const;
export type ViolationRule = (typeof VIOLATION_RULES)[number];

export interface Violation {
  rule: ViolationRule;
  /** The command as named in the body (lower-case), or '' when there is none. */
  cmd: string;
  detail: string;
  /** Sandbox-clock epoch ms. */
  at: number;
}

export interface ConformanceOptions {
  /** Least real ms between two POSTs of one accepted command (default 290: ~300 ms with slack). */
  pollMinMs: number;
  /** Real ms after a 429 during which POSTs count as already in flight (default 100). */
  retryAfterGraceMs: number;
  /** Real ms a write's identical copy is looked for (default 60 000). */
  writeWindowMs: number;
  /** Real ms shaved off the 60 s window of over-rate, for jitter at its edges (default 250). */
  rateSlackMs: number;
  /** Violations kept in the list (counts go on); default 1000. */
  maxViolations: number;
}

export const CONFORMANCE_DEFAULTS: ConformanceOptions = {
  pollMinMs: 290,
  retryAfterGraceMs: 100,
  writeWindowMs: 60_000,
  rateSlackMs: 250,
  maxViolations: 1000,
};

/** Writes whose identical repeat changes nothing, so write-resent leaves them alone (see above). */
export const IDEMPOTENT_WRITES: ReadonlySet<CommandName> = new Set<CommandName>([
  'abort_shopping_cart',
]);

/** The extra cookie strict mode sets on 202s, beside CID and QTKN. */
export const SESSION_COOKIE = 'SID';

const MINUTE_MS = 60_000;
/** Accepted commands remembered (live and dead) for the cookie rules. */
const MAX_INSTANCES = 5_000;

/** One accepted (202) command, as its cookies name it. */
interface Instance {
  cid: string;
  qtkn: string;
  sid: string;
  cmd: CommandName;
  apiKey: string;
  body: Buffer;
  /** Real ms of the last POST of this command (first send or poll). */
  lastPostReal: number;
  dead: boolean;
}

interface KeyTrack {
  /** Real ms of every POST inside the last minute, oldest first. */
  posts: number[];
  /** No POST before this (real ms) unless within grace of `pauseFrom`. */
  pausedUntil: number;
  /** Real ms the latest 429 was decided. */
  pauseFrom: number;
  retryAfterText: string;
}

/** What the server knows of a POST when it arrives. */
export interface ArrivalInfo {
  product: Product | undefined;
  /** null when the URL has no apikey; undefined-like values are judged as missing. */
  apiKey: string | null;
  keyKnown: boolean;
  ratePerMinute: number;
  urlDsn: string | null;
  contentType: string | undefined;
  cookies: Record<string, string>;
  body: Buffer;
}

/** The observation of one POST, handed back to `reply`. */
export interface Observation {
  realAt: number;
  apiKey: string;
  cmd?: CommandName;
  cmdText: string;
  body: Buffer;
  cookies: Record<string, string>;
  /** The instance the cookies name by CID (live), when any. */
  named?: Instance;
  writeKey?: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON with object keys sorted, for comparing command1s regardless of key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export class Conformance {
  readonly options: ConformanceOptions;
  private list: Violation[] = [];
  private counts: Partial<Record<ViolationRule, number>> = {};
  private readonly byCid = new Map<string, Instance>();
  /** Cookie "NAME=value" → the instance it was set for. */
  private readonly byCookie = new Map<string, Instance>();
  private readonly keys = new Map<string, KeyTrack>();
  /** Canonical write → real ms it was last accepted for execution. */
  private readonly writes = new Map<string, number>();

  constructor(
    private readonly sandboxNow: () => number,
    options: Partial<ConformanceOptions> = {},
    private readonly realNow: () => number = () => performance.now(),
    /** Whether the sandbox's queue still holds this CID (expired results die there). */
    private readonly isQueued: (cid: string) => boolean = () => true,
  ) {
    this.options = { ...CONFORMANCE_DEFAULTS, ...options };
  }

  violations(): Violation[] {
    return this.list.map((v) => ({ ...v }));
  }

  countsByRule(): Partial<Record<ViolationRule, number>> {
    return { ...this.counts };
  }

  reset(): void {
    this.list = [];
    this.counts = {};
    this.byCid.clear();
    this.byCookie.clear();
    this.keys.clear();
    this.writes.clear();
  }

  private flag(rule: ViolationRule, cmd: string, detail: string): void {
    this.counts[rule] = (this.counts[rule] ?? 0) + 1;
    if (this.list.length < this.options.maxViolations)
      this.list.push({ rule, cmd, detail, at: this.sandboxNow() });
  }

  private key(apiKey: string): KeyTrack {
    let k = this.keys.get(apiKey);
    if (!k) {
      k = { posts: [], pausedUntil: 0, pauseFrom: 0, retryAfterText: '' };
      this.keys.set(apiKey, k);
    }
    return k;
  }

  /** A POST to a ticketing path arrived: every rule judged on the request alone. */
  arrive(info: ArrivalInfo): Observation {
    const realAt = this.realNow();
    const apiKey = info.apiKey ?? '';

    // Envelope and transport (§1, §2).
    let parsed: unknown;
    try {
      parsed = JSON.parse(info.body.toString('utf8'));
    } catch {
      parsed = undefined;
    }
    const c1 = isObject(parsed) && isObject(parsed.command1) ? parsed.command1 : undefined;
    const cmdText = c1 && typeof c1.cmd === 'string' ? c1.cmd.toLowerCase() : '';
    const cmd = Object.hasOwn(COMMANDS, cmdText) ? (cmdText as CommandName) : undefined;
    const obs: Observation = {
      realAt,
      apiKey,
      cmdText,
      body: info.body,
      cookies: info.cookies,
      ...(cmd ? { cmd } : {}),
    };

    const mediaType = (info.contentType ?? '').split(';')[0]!.trim().toLowerCase();
    if (mediaType !== 'application/json')
      this.flag(
        'bad-envelope',
        cmdText,
        `Content-Type is "${info.contentType ?? ''}", not application/json`,
      );
    if (!isObject(parsed)) this.flag('bad-envelope', cmdText, 'the body is not a JSON object');
    else {
      const h = parsed.header;
      if (!isObject(h)) this.flag('bad-envelope', cmdText, 'no header object');
      else {
        const wrong: string[] = [];
        if (h.ver !== 1) wrong.push(`ver ${JSON.stringify(h.ver)} (1)`);
        if (h.src_sys_type !== 2) wrong.push(`src_sys_type ${JSON.stringify(h.src_sys_type)} (2)`);
        if (typeof h.src_sys_name !== 'string' || h.src_sys_name.trim() === '')
          wrong.push(`src_sys_name ${JSON.stringify(h.src_sys_name)} (a name)`);
        if (typeof h.archtics_version !== 'string' || h.archtics_version.toUpperCase() !== 'V999')
          wrong.push(`archtics_version ${JSON.stringify(h.archtics_version)} ("V999")`);
        if (wrong.length)
          this.flag('bad-envelope', cmdText, `header fields wrong: ${wrong.join(', ')}`);
      }
      if (!c1) this.flag('bad-envelope', cmdText, 'no command1 object');
      else {
        if (!cmd) this.flag('bad-envelope', cmdText, `unknown cmd ${JSON.stringify(c1.cmd)}`);
        const uid = c1.uid;
        if ((typeof uid !== 'string' && typeof uid !== 'number') || String(uid).trim() === '')
          this.flag('bad-envelope', cmdText, 'uid missing');
        else if (String(uid).length > 12)
          this.flag('bad-envelope', cmdText, `uid "${String(uid)}" is longer than 12 characters`);
      }
    }
    const bodyDsn =
      c1 && (typeof c1.dsn === 'string' || typeof c1.dsn === 'number') ? String(c1.dsn) : '';
    const urlDsn = info.urlDsn ?? '';
    if (urlDsn.trim() === '') this.flag('dsn-mismatch', cmdText, 'the URL carries no dsn');
    if (c1 && bodyDsn.trim() === '') this.flag('dsn-mismatch', cmdText, 'command1 carries no dsn');
    if (
      urlDsn.trim() !== '' &&
      bodyDsn.trim() !== '' &&
      urlDsn.toLowerCase() !== bodyDsn.toLowerCase()
    ) {
      this.flag('dsn-mismatch', cmdText, `URL dsn "${urlDsn}" ≠ command1.dsn "${bodyDsn}"`);
    }

    // Routing (§1, §4).
    if (cmd && info.product && info.product !== COMMANDS[cmd].product) {
      const bigger = PRODUCTS.indexOf(info.product) > PRODUCTS.indexOf(COMMANDS[cmd].product);
      this.flag(
        'product-not-smallest',
        cmd,
        `${cmd} sent to ${info.product}; its smallest product is ${COMMANDS[cmd].product}${bigger ? '' : ' (which this path does not even contain)'}`,
      );
    }

    // Budget (§1, §5): only POSTs a known key makes are the key's.
    if (info.keyKnown) {
      const k = this.key(apiKey);
      if (realAt < k.pausedUntil - 10 && realAt > k.pauseFrom + this.options.retryAfterGraceMs) {
        this.flag(
          'retry-after-ignored',
          cmdText,
          `POST ${Math.round(realAt - k.pauseFrom)} ms after a 429 with Retry-After: ${k.retryAfterText} (${Math.round(k.pausedUntil - realAt)} ms early)`,
        );
      }
      const window = MINUTE_MS - this.options.rateSlackMs;
      while (k.posts.length > 0 && k.posts[0]! <= realAt - window) k.posts.shift();
      k.posts.push(realAt);
      if (k.posts.length > info.ratePerMinute) {
        this.flag(
          'over-rate',
          cmdText,
          `${k.posts.length} POSTs within ${window / 1000} s (the limit is ${info.ratePerMinute} per minute)`,
        );
      }
    }

    this.judgeCookies(obs);

    // Writes: the canonical command1 without ref, per key, DSN and command.
    if (cmd && COMMANDS[cmd].kind === 'write' && !IDEMPOTENT_WRITES.has(cmd) && c1) {
      const { ref: _ref, ...rest } = c1;
      obs.writeKey = `${apiKey}\n${bodyDsn.toLowerCase()}\n${cmd}\n${canonical({ ...rest, cmd })}`;
    }
    return obs;
  }

  private instanceFor(name: string, value: string | undefined): Instance | undefined {
    return value === undefined ? undefined : this.byCookie.get(`${name}=${value}`);
  }

  private alive(inst: Instance): boolean {
    if (!inst.dead && !this.isQueued(inst.cid)) inst.dead = true;
    return !inst.dead;
  }

  /** Cookie rules and poll spacing (§3). */
  private judgeCookies(obs: Observation): void {
    const { cookies, body, cmdText } = obs;
    const cid = cookies[POLL_COOKIES.commandId];
    const byCid = cid !== undefined ? this.byCid.get(cid) : undefined;
    // Every instance some cookie of ours names.
    const named = new Set<Instance>();
    for (const [name, value] of Object.entries(cookies)) {
      const inst = this.instanceFor(name, value);
      if (inst) named.add(inst);
    }
    if (named.size === 0 && !byCid) return;

    const sameBody = (inst: Instance) => inst.body.equals(body);
    const target = byCid ?? [...named].find(sameBody) ?? [...named][0]!;
    for (const other of named) {
      if (other !== target) {
        this.flag(
          'cookie-from-other-command',
          cmdText,
          `cookies of two commands in one request (${other.cmd} and ${target.cmd}): one jar shared between commands`,
        );
        break;
      }
    }

    if (!sameBody(target)) {
      const live = this.alive(target);
      const otherBody = [...this.byCid.values()].some((i) => i !== target && i.body.equals(body));
      if (target.cmd !== obs.cmd || otherBody || !live) {
        this.flag(
          'cookie-from-other-command',
          cmdText,
          `cookies of ${live ? 'queued' : 'finished'} ${target.cmd} sent with ${otherBody ? "another accepted command's" : `a ${cmdText || 'different'}`} body: one jar shared between commands`,
        );
      } else {
        this.flag(
          'poll-body-changed',
          cmdText,
          `a poll of ${target.cmd} whose body differs from the first send's (${body.length} vs ${target.body.length} bytes)`,
        );
      }
      return;
    }

    // The body is the target's: a poll of it (or, with dead cookies, the same command sent afresh).
    if (!this.alive(target)) return;
    const missing: string[] = [];
    if (cookies[POLL_COOKIES.commandId] !== target.cid) missing.push(POLL_COOKIES.commandId);
    if (cookies[POLL_COOKIES.queueToken] !== target.qtkn) missing.push(POLL_COOKIES.queueToken);
    if (cookies[SESSION_COOKIE] !== target.sid) missing.push(SESSION_COOKIE);
    if (missing.length)
      this.flag(
        'poll-missing-cookie',
        target.cmd,
        `a poll of ${target.cmd} without the ${missing.join(', ')} cookie(s) the service set`,
      );
    const since = obs.realAt - target.lastPostReal;
    if (since < this.options.pollMinMs) {
      this.flag(
        'poll-too-soon',
        target.cmd,
        `a poll of ${target.cmd} ${Math.round(since)} ms after the previous POST of it (≥ ~300 ms)`,
      );
    }
    target.lastPostReal = obs.realAt;
    obs.named = target;
  }

  /**
   * The server decided. `newCommand`: the POST reached the command stage as a new command (not a
   * poll); `ran`: it was executed or queued (so a copy of it is a resend); `quota429`: refused by the
   * quota itself. Returns the SID to add to a 202, when there is one.
   */
  decided(
    obs: Observation,
    outcome: {
      status: number;
      setCookies: string[];
      isPoll: boolean;
      newCommand: boolean;
      ran: boolean;
      quota429: boolean;
      retryAfter?: string;
    },
  ): string | undefined {
    const { cmdText } = obs;
    if (outcome.quota429)
      this.flag(
        'over-quota',
        cmdText,
        `refused by the quota (429, Retry-After: ${outcome.retryAfter ?? '?'}): the client did not budget`,
      );

    if (obs.writeKey && outcome.newCommand) {
      const prev = this.writes.get(obs.writeKey);
      if (prev !== undefined && obs.realAt - prev < this.options.writeWindowMs) {
        this.flag(
          'write-resent',
          cmdText,
          `the same ${cmdText} arrived again as a new command ${Math.round(obs.realAt - prev)} ms after an identical one ran`,
        );
      }
      if (outcome.ran) this.writes.set(obs.writeKey, obs.realAt);
      this.pruneWrites(obs.realAt);
    }

    if (outcome.status === 202 && outcome.isPoll && obs.named) return obs.named.sid;
    if (outcome.status === 202 && !outcome.isPoll && obs.cmd) {
      const set = Object.fromEntries(
        outcome.setCookies
          .map((c) => c.split(';')[0]!.split('='))
          .map(([n, ...v]) => [n!.trim(), v.join('=')]),
      );
      const cid = set[POLL_COOKIES.commandId];
      const qtkn = set[POLL_COOKIES.queueToken];
      if (!cid || !qtkn) return undefined;
      const inst: Instance = {
        cid,
        qtkn,
        sid: randomBytes(9).toString('base64url'),
        cmd: obs.cmd,
        apiKey: obs.apiKey,
        body: obs.body,
        lastPostReal: obs.realAt,
        dead: false,
      };
      this.byCid.set(cid, inst);
      for (const [name, value] of [
        [POLL_COOKIES.commandId, cid],
        [POLL_COOKIES.queueToken, qtkn],
        [SESSION_COOKIE, inst.sid],
      ] as const)
        this.byCookie.set(`${name}=${value}`, inst);
      this.pruneInstances();
      return inst.sid;
    }
    if (outcome.status === 200 && outcome.isPoll && obs.named) obs.named.dead = true;
    return undefined;
  }

  /** A 429 is being answered at this moment: the key pauses for its Retry-After. */
  refused429(apiKey: string, retryAfter: string | undefined): void {
    const now = this.realNow();
    const seconds = Number(retryAfter);
    const k = this.key(apiKey);
    const until = now + (Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0);
    if (until > k.pausedUntil) {
      k.pausedUntil = until;
      k.pauseFrom = now;
      k.retryAfterText = retryAfter ?? '';
    }
  }

  private pruneWrites(now: number): void {
    if (this.writes.size < 1000) return;
    for (const [k, t] of this.writes)
      if (now - t >= this.options.writeWindowMs) this.writes.delete(k);
  }

  private pruneInstances(): void {
    if (this.byCid.size <= MAX_INSTANCES) return;
    for (const inst of this.byCid.values()) {
      if (this.byCid.size <= MAX_INSTANCES * 0.9) break;
      this.byCid.delete(inst.cid);
      for (const name of [
        `${POLL_COOKIES.commandId}=${inst.cid}`,
        `${POLL_COOKIES.queueToken}=${inst.qtkn}`,
        `${SESSION_COOKIE}=${inst.sid}`,
      ])
        this.byCookie.delete(name);
    }
  }
}
