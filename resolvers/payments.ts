/**
 * submitPayment (payment_request), exactly once per idempotency key.
 *
 * The service does not de-duplicate: a payment sent twice charges twice. So before anything is
 * sent the key and the request's fingerprint are recorded (src/idempotency/), and the record —
 * not the caller's patience — decides what a repeat gets:
 *
 *   first call          check_out (amount due, line items, the cart's seats), record the seats and
 *                       `sentAt`, THEN send payment_request once; record the outcome
 *   same key, done      the first outcome again; nothing is sent
 *   same key, other req BAD_USER_INPUT
 *   concurrent repeat   answered at once, never held: PAYMENT_OUTCOME_UNKNOWN ("in progress") with
 *                       retryAfterSeconds = until the attempt's lease ends (by then it has ended, or
 *                       renewed it, or died and its record can be taken over and settled by reading)
 *   outcome unknown     (timeout after the service accepted it, connection lost mid-poll, an
 *                       unreadable answer) → PAYMENT_OUTCOME_UNKNOWN; the record stays "unknown";
 *                       a retry with the key settles it by READING, never by paying (settle()).
 */
import { GraphQLError } from 'graphql';
import {
  checkOut,
  failureOf,
  paymentRequest,
  shoppingCart,
} from '../src/archtics/commands/index.js';
import { ArchticsCommandError, isArchticsError } from '../src/archtics/errors.js';
import type { CardDetails, Cents, CheckOutResult, PaymentResult } from '../src/archtics/types.js';
import type { GatewayContext } from '../src/context.js';
import type { WriteHandle } from '../src/drain.js';
import {
  acquire,
  fingerprint,
  KeyReusedError,
  secretDigest,
  type IdempotencyRecord,
} from '../src/idempotency/index.js';
import { assertCartAccess, checkOrderNum } from './carts.js';
import { checkAcctId } from './customers.js';
import { badInput } from './errors.js';
import { AmountMismatch, CardDeclined, CartExpired, NotFound } from './failures.js';
import { formatSeatKey, parseSeatKey, seatsFromBlocks } from './seats.js';
import { checkCardNumber, checkCvv, checkExpiry, checkText, parseAmount } from './validate.js';

export type DeliveryMethod = 'E' | 'P';

export interface SubmitPaymentArgs {
  idempotencyKey: string;
  acctId: number;
  orderNum: number;
  amount: string;
  card: {
    type: CardDetails['type'];
    number: string;
    cvv: string;
    expiry: string;
    firstName: string;
    lastName: string;
  };
  deliveryMethod?: DeliveryMethod | null;
}

/** What settling needs, recorded before the send. No card data. */
export interface PaymentRecordContext {
  acctId: number;
  orderNum: number;
  amount: Cents;
  events: string[];
  /** The cart's seats, as seat keys ("EVENT01|101|A|7"). */
  seats: string[];
}

export type PaymentOutcome =
  | {
      type: 'paid';
      orderNum: number;
      acctId: number;
      amount: Cents;
      confirmationNum: string | null;
      settledByReading: boolean;
    }
  | { type: 'declined' }
  | { type: 'amountMismatch'; calculated: Cents }
  | { type: 'cartExpired'; orderNum: number; settledByReading?: boolean }
  | { type: 'notFound'; message: string };

export interface PaymentSuccess {
  orderNum: number;
  acctId: number;
  amount: Cents;
  confirmationNum: string | null;
  /** True when the outcome was established by reading after a lost answer. */
  settledByReading: boolean;
  /** True when this call sent nothing and answered with the key's recorded outcome. */
  replayed: boolean;
}

type Rec = IdempotencyRecord<PaymentRecordContext, PaymentOutcome>;

const KEY = /^[A-Za-z0-9._:-]{8,128}$/;

interface CheckedPayment {
  key: string;
  acctId: number;
  orderNum: number;
  amount: Cents;
  card: CardDetails;
  deliveryMethod: DeliveryMethod;
}

/**
 * Every input check, all reported at once: one BAD_USER_INPUT whose message lists each problem and
 * whose `invalidArguments` names them ({ argument, message }), `argument` being the first.
 */
function checkPayment(args: SubmitPaymentArgs, now: number): CheckedPayment {
  const problems: { argument: string; message: string }[] = [];
  const check = <T>(run: () => T): T | undefined => {
    try {
      return run();
    } catch (e) {
      const ext = (e as GraphQLError).extensions;
      if (ext?.code !== 'BAD_USER_INPUT') throw e;
      problems.push({ argument: String(ext.argument ?? ''), message: (e as Error).message });
      return undefined;
    }
  };
  const key = check(() => {
    if (!KEY.test(args.idempotencyKey)) {
      throw badInput(
        '"idempotencyKey" must be 8–128 characters of A–Z, a–z, 0–9, ".", "_", ":" or "-" (a UUID will do).',
        { argument: 'idempotencyKey' },
      );
    }
    return args.idempotencyKey;
  });
  const acctId = check(() => checkAcctId(args.acctId));
  const orderNum = check(() => checkOrderNum(args.orderNum));
  const amount = check(() => parseAmount(args.amount));
  const number = check(() => checkCardNumber(args.card.number));
  const cin = check(() => checkCvv(args.card.cvv));
  const expiry = check(() => checkExpiry(args.card.expiry, now));
  const firstName = check(() => checkText(args.card.firstName, 'card.firstName'));
  const lastName = check(() => checkText(args.card.lastName, 'card.lastName'));
  if (problems.length === 1)
    throw badInput(problems[0].message, {
      argument: problems[0].argument,
      invalidArguments: problems,
    });
  if (problems.length > 1) {
    throw badInput(
      `${problems.length} inputs are invalid: ${problems.map((p) => p.message).join(' ')}`,
      { argument: problems[0].argument, invalidArguments: problems },
    );
  }
  return {
    key: key!,
    acctId: acctId!,
    orderNum: orderNum!,
    amount: amount!,
    card: {
      type: args.card.type,
      number: number!,
      cin: cin!,
      expiry: expiry!,
      firstName: firstName!,
      lastName: lastName!,
    },
    deliveryMethod: args.deliveryMethod ?? 'E',
  };
}

/** The request as the fingerprint sees it: card number and CVV only as digests. */
function fingerprintOf(p: CheckedPayment): string {
  return fingerprint({
    acctId: p.acctId,
    orderNum: p.orderNum,
    amount: p.amount,
    deliveryMethod: p.deliveryMethod,
    card: {
      type: p.card.type,
      number: secretDigest('card', p.card.number),
      cvv: secretDigest('cvv', p.card.cin),
      expiry: p.card.expiry,
      firstName: p.card.firstName,
      lastName: p.card.lastName,
    },
  });
}

function outcomeUnknown(key: string, why: string, retryAfterMs?: number): GraphQLError {
  return new GraphQLError(
    `The payment's outcome is not known yet (${why}). Retry with the same idempotencyKey: the gateway finds out by reading and never pays twice.`,
    {
      extensions: {
        code: 'PAYMENT_OUTCOME_UNKNOWN',
        idempotencyKey: key,
        ...(retryAfterMs !== undefined
          ? { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) }
          : {}),
      },
    },
  );
}

/** A recorded outcome as the mutation answers it: a success, or a typed failure thrown. */
function answer(outcome: PaymentOutcome, replayed: boolean): PaymentSuccess {
  switch (outcome.type) {
    case 'paid':
      return { ...outcome, replayed };
    case 'declined':
      throw new CardDeclined();
    case 'amountMismatch':
      throw new AmountMismatch(outcome.calculated);
    case 'cartExpired':
      throw new CartExpired(outcome.orderNum, outcome.settledByReading ?? false);
    case 'notFound':
      throw new NotFound(outcome.message, 'ACCOUNT');
  }
}

function cartSeatKeys(items: CheckOutResult['items']): string[] {
  return items.flatMap((i) =>
    Array.from({ length: i.numSeats }, (_, n) =>
      formatSeatKey({
        eventName: i.eventName,
        section: i.section,
        row: i.row,
        number: i.firstSeat + n,
      }),
    ),
  );
}

/** True when the error proves the command was NOT carried out (refused before it ran). */
function provablyNotSent(e: unknown): boolean {
  return (
    isArchticsError(e) &&
    !(e instanceof ArchticsCommandError) &&
    !(e as { outcomeUnknown?: boolean }).outcomeUnknown
  );
}

/** The cart's seats sold to the account, read fresh (never from the cache: a cached "not sold" could hide a payment). */
async function soldSeats(
  ctx: GatewayContext,
  acctId: number,
  events: readonly string[],
): Promise<Set<string>> {
  const owned = await ctx.freshApi.seatsSold({ acctId, eventNames: [...events] });
  return new Set(seatsFromBlocks(owned.blocks).map(formatSeatKey));
}

class Attempt {
  private rec: Rec;
  /** Saves run one after another: a lease renewal never overwrites the outcome written before it. */
  private saving: Promise<unknown> = Promise.resolve();
  private heartbeat?: ReturnType<typeof setInterval>;
  private tracked?: WriteHandle;

  constructor(
    private readonly p: CheckedPayment,
    private readonly ctx: GatewayContext,
    rec: Rec,
  ) {
    this.rec = rec;
  }

  /**
   * Renews the lease while this attempt works (a third of the lease at a time), so that duplicates
   * wait for a live attempt, and a dead one's record (kill -9, power cut) is taken over within one
   * lease — not after the whole polling horizon.
   */
  private beat(): void {
    const { leaseMs } = this.ctx.idempotency.options;
    this.heartbeat = setInterval(
      () => {
        void this.save({ leaseUntil: this.now() + leaseMs }).catch(() => undefined);
      },
      Math.max(20, Math.floor(leaseMs / 3)),
    );
    this.heartbeat.unref?.();
  }

  private stopBeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /**
   * Runs the attempt, the lease renewed until it ends; a shutdown meanwhile waits for it and logs
   * its outcome — or its key, when the outcome is unknown at exit (src/drain.ts).
   */
  async run(work: () => Promise<PaymentSuccess>): Promise<PaymentSuccess> {
    const tracked = this.ctx.drain?.write({
      what: 'payment',
      idempotencyKey: this.p.key,
      orderNum: this.p.orderNum,
      requestId: this.ctx.requestId,
    });
    this.tracked = tracked;
    this.beat();
    try {
      const paid = await work();
      tracked?.end('done', paid.settledByReading ? 'paid (settled by reading)' : 'paid');
      return paid;
    } catch (e) {
      const state =
        this.rec.state === 'pending' && this.rec.sentAt !== undefined ? 'unknown' : this.rec.state;
      tracked?.end(state, e instanceof Error ? e.name : 'failed');
      throw e;
    } finally {
      this.stopBeat();
    }
  }

  private get storeKey(): string {
    return `payment:${this.p.key}`;
  }

  private now(): number {
    return this.ctx.idempotency.options.clock.now();
  }

  /** Compare-and-set on our ownership; false when another attempt took the record over. */
  private save(patch: Partial<Rec>): Promise<boolean> {
    const write = async () => {
      const next: Rec = { ...this.rec, ...patch, updatedAt: this.now() };
      const ok = await this.ctx.idempotency.store.replace(this.storeKey, this.rec.owner, next);
      if (ok) this.rec = next;
      return ok;
    };
    const done = this.saving.then(write, write);
    this.saving = done.catch(() => undefined);
    return done;
  }

  /** Records a final outcome (best effort: if this fails, the lease lapses and a retry settles by reading). */
  private async finish(outcome: PaymentOutcome): Promise<PaymentSuccess> {
    this.stopBeat();
    try {
      if (!(await this.save({ state: 'done', outcome })))
        this.ctx.logger.warn(
          { idempotencyKey: this.p.key },
          'payment outcome not recorded: the record was taken over',
        );
    } catch (e) {
      this.ctx.logger.error(
        { idempotencyKey: this.p.key, err: e },
        'payment outcome not recorded: store failed',
      );
    }
    return answer(outcome, false);
  }

  /** Nothing reached the service: the next attempt with the key may send. */
  private async reopen(e: unknown): Promise<never> {
    this.stopBeat();
    await this.save({ state: 'open' }).catch(() => undefined);
    throw e;
  }

  /** check_out, then the send. Only ever called when no earlier send can still take effect. */
  async send(): Promise<PaymentSuccess> {
    const { p, ctx } = this;
    let priced: CheckOutResult;
    try {
      await assertCartAccess(p.orderNum, ctx);
      priced = await ctx.api.checkOut({ acctId: p.acctId, orderNum: p.orderNum });
    } catch (e) {
      const failure = failureOf(e, checkOut);
      if (e instanceof CartExpired || failure === 'unknownCart') return this.cartGone();
      if (failure === 'unknownAccount')
        return this.finish({ type: 'notFound', message: `No account ${p.acctId}.` });
      return this.reopen(e);
    }
    if (priced.amountDue !== p.amount)
      return this.finish({ type: 'amountMismatch', calculated: priced.amountDue });

    const context: PaymentRecordContext = {
      acctId: p.acctId,
      orderNum: p.orderNum,
      amount: p.amount,
      events: [...new Set(priced.items.map((i) => i.eventName))],
      seats: cartSeatKeys(priced.items),
    };
    // What the cart holds, kept with its owner (src/store/): a later payment of this cart that finds
    // it gone can then prove by reading whether it was bought, even without this key's record.
    await ctx.carts
      .addSeats(p.orderNum, context.seats, p.acctId)
      .catch((err: unknown) =>
        ctx.logger.warn({ err, orderNum: p.orderNum }, 'cart seats not recorded'),
      );
    // The record says "sent" BEFORE the send: whatever happens next, no later attempt sends blindly.
    const sentAt = this.now();
    this.tracked?.update('sent');
    if (!(await this.save({ state: 'pending', context, sentAt, sends: this.rec.sends + 1 }))) {
      // Our lease lapsed and another attempt took the record over, with a fresh lease.
      throw outcomeUnknown(
        p.key,
        'another attempt with this key is in progress',
        ctx.idempotency.options.leaseMs,
      );
    }

    let paid: PaymentResult;
    try {
      paid = await ctx.api.paymentRequest(
        {
          acctId: p.acctId,
          orderNum: p.orderNum,
          items: priced.items.map((i) => ({
            lineItem: i.lineItem,
            deliveryMethod: p.deliveryMethod,
          })),
          amount: p.amount,
          card: p.card,
          extTransId: p.key.slice(0, 40),
        },
        // Not the request's signal: a caller hanging up must not cut a payment off mid-poll.
        { signal: new AbortController().signal },
      );
    } catch (e) {
      switch (failureOf(e, paymentRequest)) {
        case 'cardDeclined':
          return this.finish({ type: 'declined' });
        case 'amountMismatch': {
          const calculated =
            (e as ArchticsCommandError<{ calculatedAmount?: Cents }>).extra?.calculatedAmount ??
            priced.amountDue;
          return this.finish({ type: 'amountMismatch', calculated });
        }
        case 'unknownCart':
          return this.finish({ type: 'cartExpired', orderNum: p.orderNum });
      }
      // Any other answer from the service (e.g. not checked out), or a refusal before it ran: nothing was charged.
      if (e instanceof ArchticsCommandError || provablyNotSent(e)) return this.reopen(e);
      this.stopBeat();
      await this.save({ state: 'unknown' }).catch(() => undefined);
      ctx.logger.warn(
        { idempotencyKey: p.key, orderNum: p.orderNum, err: e },
        'payment outcome unknown',
      );
      throw outcomeUnknown(p.key, 'the answer of the ticketing service was lost');
    }
    return this.finish({
      type: 'paid',
      orderNum: p.orderNum,
      acctId: p.acctId,
      amount: p.amount,
      confirmationNum: paid.confirmationNum,
      settledByReading: false,
    });
  }

  /**
   * check_out found the cart gone (unknownCart) before this key sent anything. Gone may mean paid — by a
   * lost attempt whose record is gone, or under another key — so "expired" is answered only when the
   * reads prove it: the seats this cart was seen to hold (src/store/ cart records) are read from
   * seats_sold of the account. All sold → paid (settled by reading); none → CartExpired, proven;
   * some → unknown. A cart never seen holding anything here has nothing to read: the service's
   * "unknown or expired" stands (CartExpired, not settled by reading).
   */
  private async cartGone(): Promise<PaymentSuccess> {
    const { p, ctx } = this;
    const known = await ctx.carts.get(p.orderNum).catch((err: unknown) => {
      ctx.logger.warn({ err, orderNum: p.orderNum }, 'cart record unreadable');
      return undefined;
    });
    const seats = known?.seats ?? [];
    if (seats.length === 0) return this.finish({ type: 'cartExpired', orderNum: p.orderNum });
    const events = [
      ...new Set(
        seats.map((s) => parseSeatKey(s)?.eventName).filter((e): e is string => e !== undefined),
      ),
    ];
    let sold: Set<string>;
    try {
      sold = await soldSeats(ctx, p.acctId, events);
    } catch (e) {
      // Nothing was sent under this key: it stays open, and the read's own error says retry.
      return this.reopen(e);
    }
    const soldCount = seats.filter((s) => sold.has(s)).length;
    if (soldCount === seats.length) {
      return this.finish({
        type: 'paid',
        orderNum: p.orderNum,
        acctId: p.acctId,
        amount: p.amount,
        confirmationNum: null,
        settledByReading: true,
      });
    }
    if (soldCount === 0)
      return this.finish({ type: 'cartExpired', orderNum: p.orderNum, settledByReading: true });
    ctx.logger.error(
      { idempotencyKey: p.key, orderNum: p.orderNum, soldCount, seats: seats.length },
      'payment of a gone cart: some of its seats sold, some not',
    );
    return this.reopen(
      outcomeUnknown(
        p.key,
        'the cart is gone and only some of its seats were sold to the account; support has to look',
      ),
    );
  }

  /**
   * Settles a record whose last send has no known outcome, by reading — never by paying again.
   *
   * payment_request sells the cart's seats to the account and removes the cart in one step. So:
   * - cart gone and every seat of it sold to the account  → it was paid (confirmation number lost)
   * - cart gone and none of its seats sold to the account → it was not paid and cannot be any
   *   more (a late execution would meet an unknown cart): CartExpired
   * - cart still there and none of its seats sold         → not paid SO FAR. An accepted (202)
   *   command runs at its completion time whether or not anybody polls, so while the last send may
   *   still be carried out (`inFlightMs`, the polling horizon) the answer stays "unknown". Past
   *   that, the reads prove the payment did not happen and cannot happen: only then is it sent again.
   * - anything else (some seats sold, some not) → unknown; needs a person.
   * The reads bypass the cross-request cache (freshApi): a cached "not sold" could hide a payment.
   */
  async settle(): Promise<PaymentSuccess> {
    const { p, ctx } = this;
    const c = this.rec.context;
    const sentAt = this.rec.sentAt;
    if (!c || sentAt === undefined) return this.send();
    let cartThere: boolean;
    let sold: Set<string>;
    try {
      const [cart, owned] = await Promise.all([
        ctx.freshApi.shoppingCart({ orderNum: c.orderNum }).then(
          () => true,
          (e: unknown) => {
            if (failureOf(e, shoppingCart) === 'unknownCart') return false;
            throw e;
          },
        ),
        soldSeats(ctx, c.acctId, c.events),
      ]);
      cartThere = cart;
      sold = owned;
    } catch (e) {
      await this.save({ state: 'unknown' }).catch(() => undefined);
      ctx.logger.warn({ idempotencyKey: p.key, err: e }, 'payment settlement reads failed');
      throw outcomeUnknown(p.key, 'the reads that would settle it failed');
    }
    const soldCount = c.seats.filter((s) => sold.has(s)).length;
    if (!cartThere && c.seats.length > 0 && soldCount === c.seats.length) {
      return this.finish({
        type: 'paid',
        orderNum: c.orderNum,
        acctId: c.acctId,
        amount: c.amount,
        confirmationNum: null,
        settledByReading: true,
      });
    }
    if (soldCount === 0 && !cartThere)
      return this.finish({ type: 'cartExpired', orderNum: c.orderNum, settledByReading: true });
    if (soldCount === 0 && cartThere) {
      const wait = sentAt + ctx.idempotency.options.inFlightMs - this.now();
      if (wait <= 0) return this.send();
      await this.save({ state: 'unknown' }).catch(() => undefined);
      throw outcomeUnknown(p.key, 'the ticketing service may still be carrying it out', wait);
    }
    await this.save({ state: 'unknown' }).catch(() => undefined);
    ctx.logger.error(
      { idempotencyKey: p.key, orderNum: c.orderNum, soldCount, seats: c.seats.length, cartThere },
      'payment settlement: inconsistent reads',
    );
    throw outcomeUnknown(p.key, 'the reads disagree; support has to look');
  }
}

export async function submitPayment(
  args: SubmitPaymentArgs,
  ctx: GatewayContext,
): Promise<PaymentSuccess> {
  const { store, options } = ctx.idempotency;
  const p = checkPayment(args, options.clock.now());
  let got;
  try {
    got = await acquire<PaymentRecordContext, PaymentOutcome>(
      store,
      `payment:${p.key}`,
      fingerprintOf(p),
      options,
    );
  } catch (e) {
    if (e instanceof KeyReusedError) throw badInput(e.message, { argument: 'idempotencyKey' });
    throw e;
  }
  switch (got.kind) {
    case 'done':
      return answer(got.record.outcome!, true);
    case 'busy':
      // Answered at once (the attempt in progress answers its own caller). Before its lease ends a
      // retry can only find it still running or done; after, a dead attempt's record is taken over.
      throw outcomeUnknown(
        p.key,
        'an attempt with this key is still in progress',
        got.record.leaseUntil - options.clock.now(),
      );
    case 'fresh': {
      const attempt = new Attempt(p, ctx, got.record);
      return attempt.run(() => attempt.send());
    }
    case 'takeover': {
      // An earlier attempt ended without a final outcome. "open": provably nothing reached the
      // service. Never sent: nothing to settle. Otherwise settle by reading.
      const attempt = new Attempt(p, ctx, got.record);
      return attempt.run(() =>
        got.previous.state === 'open' || got.previous.sentAt === undefined
          ? attempt.send()
          : attempt.settle(),
      );
    }
  }
}
