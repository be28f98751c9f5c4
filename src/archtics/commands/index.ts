/**
 * Every Archtics command as a typed CommandDef, and `createArchticsApi`: the typed functions the
 * layers above call instead of building command1 or reading raw JSON.
 */
import type { CommandDef, CommandRunner, RunOptions } from '../types.js';
import { abortShoppingCart } from './abortShoppingCart.js';
import { checkOut } from './checkOut.js';
import { customerAdd } from './customerAdd.js';
import { customerQuery } from './customerQuery.js';
import { customerUpdate } from './customerUpdate.js';
import { eventDetails } from './eventDetails.js';
import { eventPriceInfo } from './eventPriceInfo.js';
import { eventSearch } from './eventSearch.js';
import { getAvailSeats, getAvailSummary } from './getAvailSeats.js';
import { paymentRequest } from './paymentRequest.js';
import { ping } from './ping.js';
import { pollingTest } from './pollingTest.js';
import { seatsHold } from './seatsHold.js';
import { seatsHoldSpecific } from './seatsHoldSpecific.js';
import { seatsSold } from './seatsSold.js';
import { shoppingCart } from './shoppingCart.js';
import { ticketPrint } from './ticketPrint.js';

export {
  abortShoppingCart,
  checkOut,
  customerAdd,
  customerQuery,
  customerUpdate,
  eventDetails,
  eventPriceInfo,
  eventSearch,
  getAvailSeats,
  getAvailSummary,
  paymentRequest,
  ping,
  pollingTest,
  seatsHold,
  seatsHoldSpecific,
  seatsSold,
  shoppingCart,
  ticketPrint,
};
export { calculatedAmountOf } from './paymentRequest.js';
export { failureOf } from '../parse.js';

/** Every def; get_avail_seats appears twice (summary and per-seat forms). */
export const ALL_COMMAND_DEFS = [
  ping,
  pollingTest,
  eventSearch,
  eventDetails,
  customerQuery,
  seatsSold,
  customerAdd,
  customerUpdate,
  getAvailSummary,
  getAvailSeats,
  eventPriceInfo,
  seatsHold,
  seatsHoldSpecific,
  shoppingCart,
  abortShoppingCart,
  checkOut,
  paymentRequest,
  ticketPrint,
] as const;

/** Each command's default cache TTL in ms (0: never cached), from its definition. */
export const DEFAULT_TTL_MS: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries(ALL_COMMAND_DEFS.map((def) => [def.name, def.cache?.ttlMs ?? 0])),
);

/** Per-call options over the defaults; an option given as undefined keeps the default. */
function mergeOptions(defaults: RunOptions, opts: RunOptions | undefined): RunOptions {
  const merged: RunOptions = { ...defaults };
  if (opts)
    for (const [key, value] of Object.entries(opts))
      if (value !== undefined) Object.assign(merged, { [key]: value });
  return merged;
}

/**
 * A command without input (ping, ats_ext_test_polling): `f(opts?)`, or `f(req, opts?)` with an
 * empty request like every other command, so the API also fits callers that treat all alike.
 */
export interface NoInputCall<Res> {
  (opts?: RunOptions): Promise<Res>;
  (req: void | Record<string, never>, opts?: RunOptions): Promise<Res>;
}

/**
 * A runner bound to `defaults` (a GraphQL operation's trace, signal, request id): every call's
 * options are merged over them, per-call options winning. What the loader factory runs through.
 */
export function bindRunner(runner: CommandRunner, defaults: RunOptions = {}): CommandRunner {
  return {
    run: (def, req, opts) => runner.run(def, req, mergeOptions(defaults, opts)),
    getFresh: (def, req, opts) =>
      runner.getFresh?.(def, req, opts ? mergeOptions(defaults, opts) : defaults),
  };
}

/**
 * Typed functions over a CommandRunner (the client, or a cache in front of it), one per command.
 * `defaults` apply to every call; per-call options override them.
 */
export function createArchticsApi(runner: CommandRunner, defaults: RunOptions = {}) {
  const withRequest =
    <Req, Res>(def: CommandDef<Req, Res>) =>
    (req: Req, opts?: RunOptions): Promise<Res> =>
      runner.run(def, req, mergeOptions(defaults, opts));
  const withoutRequest =
    <Res>(def: CommandDef<void, Res>): NoInputCall<Res> =>
    // The request carries nothing, so whichever argument holds options is the options.
    (first?: void | RunOptions, second?: RunOptions): Promise<Res> =>
      runner.run(def, undefined, mergeOptions(defaults, second ?? (first || undefined)));
  return {
    ping: withoutRequest(ping),
    pollingTest: withoutRequest(pollingTest),
    eventSearch: withRequest(eventSearch),
    eventDetails: withRequest(eventDetails),
    customerQuery: withRequest(customerQuery),
    seatsSold: withRequest(seatsSold),
    customerAdd: withRequest(customerAdd),
    customerUpdate: withRequest(customerUpdate),
    getAvailSummary: withRequest(getAvailSummary),
    getAvailSeats: withRequest(getAvailSeats),
    eventPriceInfo: withRequest(eventPriceInfo),
    seatsHold: withRequest(seatsHold),
    seatsHoldSpecific: withRequest(seatsHoldSpecific),
    shoppingCart: withRequest(shoppingCart),
    abortShoppingCart: withRequest(abortShoppingCart),
    checkOut: withRequest(checkOut),
    paymentRequest: withRequest(paymentRequest),
    ticketPrint: withRequest(ticketPrint),
  };
}

export type ArchticsApi = ReturnType<typeof createArchticsApi>;
