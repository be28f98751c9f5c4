/** Customers (customer_query) and their seats (seats_sold, expanded to one seat each). */
import { GraphQLError } from 'graphql';
import { customerAdd, customerUpdate, failureOf } from '../src/archtics/commands/index.js';
import type { ArchticsCommandError } from '../src/archtics/errors.js';
import { fitsField, isEventName } from '../src/archtics/inputs.js';
import type {
  CustomerAddResult,
  CustomerRecord,
  NewCustomerFields,
} from '../src/archtics/types.js';
import type { GatewayContext } from '../src/context.js';
import { handleMaybePromise, type MaybePromise } from '@whatwg-node/promise-helpers';
import { badInput } from './errors.js';
import { EmailAlreadyExists, NotFound } from './failures.js';
import {
  checkPage,
  paginateSortedShared,
  type Connection,
  type ConnectionArgs,
  type Page,
} from './pagination.js';
import { checkEventName } from './events.js';
import { seatCursors, sortedSeatsFromBlocks, type SeatKey, type SeatShape } from './seats.js';

/** Account ids are positive integers (Int, so at most 2^31 - 1). */
export function checkAcctId(acctId: number, arg = 'acctId'): number {
  if (!Number.isSafeInteger(acctId) || acctId <= 0)
    throw badInput(`"${arg}" must be a positive account id, got ${acctId}.`, { argument: arg });
  return acctId;
}

/** Unknown account → null, no error. */
export function customerById(acctId: number, ctx: GatewayContext): Promise<CustomerRecord | null> {
  return ctx.loaders.customers.byId.load(checkAcctId(acctId));
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * An account-bound token finds only its own account by e-mail: another account's answers null,
 * exactly like an address no account uses, so the token cannot learn which addresses exist.
 */
export async function customerByEmail(
  email: string,
  ctx: GatewayContext,
): Promise<CustomerRecord | null> {
  const found = await ctx.loaders.customers.byEmail.load(checkEmail(email));
  if (found && ctx.auth.acctId !== undefined && found.acctId !== ctx.auth.acctId) return null;
  return found;
}

export interface CustomerSeatsArgs extends ConnectionArgs {
  eventName?: string | null;
}

/** Customer.seats arguments, checked before execution (extensions.checkArgs) and again here. */
export function checkCustomerSeatsArgs(args: CustomerSeatsArgs): {
  page: Page<SeatKey>;
  eventName?: string;
} {
  const page = checkPage(args, seatCursors);
  const eventName =
    args.eventName != null ? checkEventName(args.eventName, 'eventName') : undefined;
  if (eventName !== undefined && !isEventName(eventName))
    throw badInput('"eventName" is not an event name.', { argument: 'eventName' });
  return { page, ...(eventName !== undefined ? { eventName } : {}) };
}

/** At once (no promise) when the seats_sold answer is cached: see PeekingLoader. */
export function customerSeats(
  customer: CustomerRecord,
  args: CustomerSeatsArgs,
  ctx: GatewayContext,
): MaybePromise<Connection<SeatShape>> {
  const { page, eventName } = checkCustomerSeatsArgs(args);
  const blocks = ctx.loaders.seatsSold.get({
    acctId: customer.acctId,
    ...(eventName ? { eventName } : {}),
  });
  return handleMaybePromise(
    () => blocks,
    (b) => paginateSortedShared(sortedSeatsFromBlocks(b), page, seatCursors),
  );
}

// ── mutations: create, update ──────────────────────────────────────────────────────────────

function checkEmail(email: string, arg = 'email'): string {
  const trimmed = email.trim();
  if (trimmed.length > 254 || !EMAIL.test(trimmed) || !fitsField('email', trimmed))
    throw badInput(`"${arg}" is not an e-mail address.`, { argument: arg });
  return trimmed;
}

/** Optional text: trimmed, bounded, printable; undefined stays undefined and null stays null. */
function optText<T extends string | null | undefined>(v: T, arg: string, max = 60): T {
  if (v === undefined || v === null) return v;
  const t = v.trim();
  if (t.length > max || !fitsField(arg, t))
    throw badInput(`"${arg}" must be at most ${max} printable characters.`, { argument: arg });
  return t as T;
}

function reqText(v: string, arg: string, max = 40): string {
  const t = optText(v, arg, max);
  if (t === '') throw badInput(`"${arg}" must not be empty.`, { argument: arg });
  return t;
}

export interface CreateCustomerArgs {
  firstName: string;
  lastName: string;
  email: string;
  street1?: string | null;
  city?: string | null;
  state?: string | null;
  zip?: string | null;
  country?: string | null;
  phone?: string | null;
}

/** customer_add. "emailExists" → EmailAlreadyExists with the existing account. */
export async function createCustomer(
  args: CreateCustomerArgs,
  ctx: GatewayContext,
): Promise<{ acctId: number }> {
  const fields: NewCustomerFields = {
    firstName: reqText(args.firstName, 'firstName'),
    lastName: reqText(args.lastName, 'lastName'),
    email: checkEmail(args.email),
  };
  const optional = {
    street1: args.street1,
    city: args.city,
    state: args.state,
    zip: args.zip,
    country: args.country,
    phoneDay: args.phone,
  } as const;
  for (const [k, v] of Object.entries(optional)) {
    const t = optText(v, k === 'phoneDay' ? 'phone' : k);
    if (t) Object.assign(fields, { [k]: t });
  }
  try {
    return { acctId: (await ctx.api.customerAdd({ customer: fields })).acctId };
  } catch (e) {
    const failure = failureOf(e, customerAdd);
    if (failure === 'emailExists') {
      throw new EmailAlreadyExists(
        fields.email,
        (e as ArchticsCommandError<CustomerAddResult | undefined>).extra?.acctId,
      );
    }
    if (failure === 'invalidEmail' || failure === 'missingInput') {
      throw badInput(
        'The ticketing service refused the customer record: check the e-mail and required fields.',
      );
    }
    throw e;
  }
}

/** The fields updateCustomer may patch: absent = keep, null = clear (required ones cannot be null). */
export interface CustomerPatch {
  firstName?: string | null;
  middleInitial?: string | null;
  lastName?: string | null;
  companyName?: string | null;
  email?: string | null;
  street1?: string | null;
  street2?: string | null;
  city?: string | null;
  state?: string | null;
  zip?: string | null;
  country?: string | null;
  phoneDay?: string | null;
  phoneCell?: string | null;
  emailOptOut?: boolean | null;
}

const REQUIRED_FIELDS = ['firstName', 'lastName', 'email'] as const;

/** What a cleared field becomes when customer_query always has it (CustomerRecord's non-optional fields). */
const CLEARED = {
  street1: '',
  city: '',
  state: '',
  zip: '',
  country: '',
  emailOptOut: false,
} as const;

function checkPatch(patch: CustomerPatch): CustomerPatch {
  const out: CustomerPatch = {};
  for (const [k, v] of Object.entries(patch) as [keyof CustomerPatch, unknown][]) {
    if (v === undefined) continue;
    if (v === null) {
      if ((REQUIRED_FIELDS as readonly string[]).includes(k))
        throw badInput(`"${k}" cannot be cleared.`, { argument: k });
      Object.assign(out, { [k]: null });
    } else if (k === 'emailOptOut') out.emailOptOut = v as boolean;
    else if (k === 'email') out.email = checkEmail(v as string);
    else if ((REQUIRED_FIELDS as readonly string[]).includes(k))
      Object.assign(out, { [k]: reqText(v as string, k) });
    else Object.assign(out, { [k]: optText(v as string, k, k === 'middleInitial' ? 1 : 60) });
  }
  return out;
}

/**
 * customer_update REPLACES the whole record (a field left out is cleared), so this reads the
 * record first (customer_query, uncached: a stale copy would undo recent changes), applies the
 * patch and sends the merge. Two concurrent updates of one account: the last one wins — the
 * service offers no version to compare against.
 */
export async function updateCustomer(
  acctIdArg: number,
  patchArg: CustomerPatch,
  ctx: GatewayContext,
): Promise<CustomerRecord> {
  const acctId = checkAcctId(acctIdArg);
  const patch = checkPatch(patchArg);
  if (Object.keys(patch).length === 0)
    throw badInput('Nothing to update: give at least one field.');
  // "That address is taken" would tell an account-bound token that some other account uses it.
  if (patch.email !== undefined && ctx.auth.acctId !== undefined) {
    throw new GraphQLError(
      'An account-bound token cannot change the e-mail address: ask the box office, or use a token not bound to an account.',
      { extensions: { code: 'FORBIDDEN' } },
    );
  }
  const found = await ctx.freshApi.customerQuery({ acctId });
  if (!found) throw new NotFound(`No account ${acctId}.`, 'ACCOUNT');
  const { acctId: _id, custNameId, addDate, ...current } = found.customer;
  const merged: Omit<CustomerRecord, 'acctId' | 'custNameId' | 'addDate'> = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v !== null) Object.assign(merged, { [k]: v });
    // Cleared: fields the record always has become empty (false for the opt-out), the rest are left out.
    else if (k in CLEARED) Object.assign(merged, { [k]: CLEARED[k as keyof typeof CLEARED] });
    else delete (merged as Record<string, unknown>)[k];
  }
  try {
    await ctx.api.customerUpdate({ customer: { acctId, ...merged } });
  } catch (e) {
    switch (failureOf(e, customerUpdate)) {
      case 'unknownAccount':
        throw new NotFound(`No account ${acctId}.`, 'ACCOUNT');
      case 'emailExists':
        throw new EmailAlreadyExists(merged.email);
      case 'invalidEmail':
        throw badInput('"email" was refused by the ticketing service.', { argument: 'email' });
    }
    throw e;
  }
  return { acctId, custNameId, addDate, ...merged };
}
