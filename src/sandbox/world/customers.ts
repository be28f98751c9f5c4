/**
 * Customer accounts: customer_query (by acct_id or e-mail, system call or PIN), customer_add
 * (e-mails unique, case-insensitive), customer_update (replace semantics).
 */
import { type Command1Request } from '../../protocol/wire.js';
import { RESULT_CODES } from '../reference.js';
import { dateOf, fail, int, isEmail, isRecord, ok, str } from './format.js';
import type { Account } from './seed.js';
import type { WorldState } from './state.js';
import type { Outcome } from './types.js';

export function customerRecord(a: Account): Record<string, unknown> {
  const c: Record<string, unknown> = {
    acct_id: a.acctId,
    cust_name_id: String(a.custNameId),
    name_type: a.nameType,
    name_first: a.nameFirst,
    name_mi: a.nameMi,
    name_last: a.nameLast,
  };
  if (a.companyName) c.company_name = a.companyName;
  c.street_addr_1 = a.street1;
  if (a.street2) c.street_addr_2 = a.street2;
  c.city = a.city;
  c.state = a.state;
  c.zip = a.zip;
  c.country = a.country;
  if (a.phoneDay) c.phone_day = a.phoneDay;
  if (a.phoneCell) c.phone_cell = a.phoneCell;
  c.email = a.email;
  c.add_date = a.addDate;
  c.acct_type = a.acctType;
  c.email_optout = a.emailOptout;
  return c;
}

function isSystemCall(c: Command1Request): boolean {
  return str(c.call_reason)?.toUpperCase() === 'S';
}

export function customerQuery(state: WorldState, c: Command1Request): Outcome {
  const acctId = int(c.acct_id);
  const email = str(c.email);
  const pin = str(c.pin);
  if (acctId === undefined && email === undefined)
    return fail(RESULT_CODES.customerMissingInput, 'Missing input: acct_id or email is required');
  if (!isSystemCall(c) && pin === undefined)
    return fail(
      RESULT_CODES.customerMissingInput,
      'Missing input: pin is required unless call_reason is "S"',
    );
  const id = acctId ?? state.emailIndex.get(email!.toLowerCase());
  const a = id === undefined ? undefined : state.accounts.get(id);
  if (!a) return fail(RESULT_CODES.customerNotFound, 'Customer not found', { noRow: true });
  if (!isSystemCall(c) && (a.pin === '' || a.pin !== pin))
    return fail(RESULT_CODES.customerPinMismatch, 'PIN mismatch');
  return ok({
    customer: customerRecord(a),
    account_id_list: String(a.acctId),
    rec_status: 'Active',
  });
}

const NAME_TYPES = new Set(['I', 'C']);

export function customerAdd(state: WorldState, c: Command1Request): Outcome {
  const cust = isRecord(c.customer) ? c.customer : undefined;
  if (!cust) return fail(RESULT_CODES.customerAddMissingField, 'Missing field: customer');
  for (const f of ['name_first', 'name_last', 'email'] as const)
    if (str(cust[f]) === undefined)
      return fail(RESULT_CODES.customerAddMissingField, `Missing field: ${f}`);
  const email = str(cust.email)!;
  if (!isEmail(email))
    return fail(RESULT_CODES.customerAddInvalidEmail, `Invalid e-mail address: ${email}`);
  const existing = state.emailIndex.get(email.toLowerCase());
  if (existing !== undefined) {
    const a = state.accounts.get(existing)!;
    return fail(RESULT_CODES.emailExists, 'E-mail address already exists', {
      fields: { acct_id: a.acctId, cust_name_id: a.custNameId },
    });
  }
  const nameType = str(cust.name_type)?.toUpperCase();
  const acctId = state.nextAcctId++;
  const a: Account = {
    acctId,
    custNameId: acctId + state.data.world.custNameIdOffset,
    nameType: nameType === 'C' ? 'C' : 'I',
    nameFirst: str(cust.name_first)!,
    nameMi: str(cust.name_mi) ?? '',
    nameLast: str(cust.name_last)!,
    street1: str(cust.street_addr_1) ?? '',
    city: str(cust.city) ?? '',
    state: str(cust.state) ?? '',
    zip: str(cust.zip) ?? '',
    country: str(cust.country) ?? '',
    email,
    addDate: dateOf(state.clock.now()),
    acctType: 'IND',
    emailOptout: 0,
    pin: str(c.pin) ?? '',
  };
  const phoneDay = str(cust.phone_day);
  if (phoneDay) a.phoneDay = phoneDay;
  if (nameType === 'C' && str(cust.company_name)) a.companyName = str(cust.company_name);
  state.accounts.set(acctId, a);
  state.emailIndex.set(email.toLowerCase(), acctId);
  return ok({ acct_id: a.acctId, cust_name_id: a.custNameId });
}

export function customerUpdate(state: WorldState, c: Command1Request): Outcome {
  const cust = isRecord(c.customer) ? c.customer : {};
  const acctId = int(cust.acct_id) ?? int(c.acct_id);
  if (acctId === undefined)
    return fail(RESULT_CODES.customerMissingInput, 'Missing input: acct_id is required');
  const pin = str(c.pin);
  if (!isSystemCall(c) && pin === undefined)
    return fail(
      RESULT_CODES.customerMissingInput,
      'Missing input: pin is required unless call_reason is "S"',
    );
  const a = state.accounts.get(acctId);
  if (!a) return fail(RESULT_CODES.customerUpdateNotFound, 'Customer not found', { noRow: true });
  if (!isSystemCall(c) && (a.pin === '' || a.pin !== pin))
    return fail(RESULT_CODES.customerPinMismatch, 'PIN mismatch');
  const email = str(cust.email);
  if (email === undefined || !isEmail(email))
    return fail(
      RESULT_CODES.customerUpdateBadEmail,
      `Invalid e-mail address: ${email ?? '(missing)'}`,
    );
  const owner = state.emailIndex.get(email.toLowerCase());
  if (owner !== undefined && owner !== acctId)
    return fail(RESULT_CODES.customerUpdateEmailUsed, 'E-mail address is used by another customer');
  const optout = int(cust.email_optout);
  const nameType = str(cust.name_type)?.toUpperCase();

  // Replace semantics: every updatable field takes the sent value, or is cleared.
  state.emailIndex.delete(a.email.toLowerCase());
  const next: Account = {
    acctId: a.acctId,
    custNameId: a.custNameId,
    nameType: nameType && NAME_TYPES.has(nameType) ? (nameType as 'I' | 'C') : 'I',
    nameFirst: str(cust.name_first) ?? '',
    nameMi: str(cust.name_mi) ?? '',
    nameLast: str(cust.name_last) ?? '',
    street1: str(cust.street_addr_1) ?? '',
    city: str(cust.city) ?? '',
    state: str(cust.state) ?? '',
    zip: str(cust.zip) ?? '',
    country: str(cust.country) ?? '',
    email,
    addDate: a.addDate,
    acctType: str(cust.acct_type)?.toUpperCase() ?? a.acctType, // kept when left out: not the customer's to clear
    emailOptout: optout === 1 || str(cust.email_optout)?.toUpperCase() === 'Y' ? 1 : 0,
    pin: a.pin,
  };
  const optional = {
    companyName: str(cust.company_name),
    street2: str(cust.street_addr_2),
    phoneDay: str(cust.phone_day),
    phoneCell: str(cust.phone_cell),
  };
  for (const [k, v] of Object.entries(optional))
    if (v !== undefined) (next as unknown as Record<string, unknown>)[k] = v;
  state.accounts.set(acctId, next);
  state.emailIndex.set(email.toLowerCase(), acctId);
  return ok();
}
