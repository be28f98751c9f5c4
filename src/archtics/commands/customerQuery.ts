import { compact, defineCommand, toInt, type FieldReader } from '../parse.js';
import { isNum, isStr, tag } from './tags.js';
import type { CustomerQueryRequest, CustomerQueryResult, CustomerRecord } from '../types.js';

/** Without a PIN a customer command is a system call: call_reason "S" instead of pin. */
export function authFields(pin: string | undefined): Record<string, string> {
  return pin === undefined ? { call_reason: 'S' } : { pin };
}

function parseCustomer(c: FieldReader): CustomerRecord {
  return {
    acctId: c.int('acct_id'),
    custNameId: c.str('cust_name_id'),
    nameType: c.oneOf('name_type', ['I', 'C'] as const),
    firstName: c.str('name_first'),
    middleInitial: c.optStr('name_mi'),
    lastName: c.str('name_last'),
    companyName: c.optStr('company_name'),
    street1: c.str('street_addr_1'),
    street2: c.optStr('street_addr_2'),
    city: c.str('city'),
    state: c.str('state'),
    zip: c.str('zip'),
    country: c.str('country'),
    phoneDay: c.optStr('phone_day'),
    phoneCell: c.optStr('phone_cell'),
    email: c.str('email'),
    addDate: c.str('add_date'),
    acctType: c.str('acct_type'),
    emailOptOut: c.bool('email_optout'),
  };
}

/** account_id_list is one CSV string ("100479,100480"), or a bare number for a single account. */
function parseAccountIds(a: FieldReader): number[] {
  const csv = a.optStr('account_id_list') ?? '';
  return csv
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const id = toInt(part);
      if (id === undefined)
        throw a.fail('account_id_list', 'has an entry that is not an account id', part);
      return id;
    });
}

/**
 * customer_query: one account by acct_id or e-mail, for the configured site. 5024 (not found) is
 * null.
 */
export const customerQuery = defineCommand<CustomerQueryRequest, CustomerQueryResult>(
  'customer_query',
  {
    product: 'sth-customer',
    kind: 'read',
    failures: { 5021: 'missingInput', 5023: 'pinMismatch' },
    toFields: (req, ctx) =>
      compact({
        site_name: ctx.siteName,
        acct_id: 'acctId' in req ? req.acctId : undefined,
        email: 'email' in req ? req.email : undefined,
        ...authFields(req.pin),
      }),
    noRow: { 5024: () => null },
    parseOk: (a) => ({
      customer: parseCustomer(a.obj('customer')),
      accountIds: parseAccountIds(a),
      recStatus: a.str('rec_status'),
    }),
    cache: {
      ttlMs: 2 * 60_000,
      // A dashboard re-reads its accounts: a hot one is worth renewing before it expires.
      refreshAhead: true,
      tags(req, res) {
        const tags = new Set<string>();
        if ('acctId' in req && isNum(req.acctId)) tags.add(tag.customer(req.acctId));
        if ('email' in req && isStr(req.email)) tags.add(tag.customerEmail(req.email));
        // Found by e-mail → also evicted by an update of that account, and vice versa.
        if (res?.customer) {
          if (isNum(res.customer.acctId)) tags.add(tag.customer(res.customer.acctId));
          if (isStr(res.customer.email)) tags.add(tag.customerEmail(res.customer.email));
        }
        return [...tags];
      },
    },
  },
);
