import { compact, defineCommand, toInt } from '../parse.js';
import { tag } from './tags.js';
import type { CustomerAddRequest, CustomerAddResult } from '../types.js';

/**
 * customer_add: creates an account. "emailExists" carries the existing account ({acctId,
 * custNameId}) as the error's `extra`. acct_id and
 * cust_name_id are numbers here (strings are tolerated).
 */
export const customerAdd = defineCommand<CustomerAddRequest, CustomerAddResult>('customer_add', {
  product: 'sth-customer',
  kind: 'write',
  failures: { 5011: 'missingInput', 5019: 'invalidEmail', 11408: 'emailExists' },
  toFields: ({ pin, customer: c }) =>
    compact({
      pin,
      customer: compact({
        name_first: c.firstName,
        name_last: c.lastName,
        email: c.email,
        street_addr_1: c.street1,
        city: c.city,
        state: c.state,
        zip: c.zip,
        country: c.country,
        phone_day: c.phoneDay,
        name_type: c.nameType,
      }),
    }),
  extra: {
    11408(a): CustomerAddResult | undefined {
      const acctId = toInt(a.raw('acct_id'));
      const custNameId = toInt(a.raw('cust_name_id'));
      return acctId === undefined || custNameId === undefined ? undefined : { acctId, custNameId };
    },
  },
  parseOk: (a) => ({ acctId: a.int('acct_id'), custNameId: a.int('cust_name_id') }),
  // A cached "not found" for this e-mail is now wrong.
  cache: { invalidates: (req) => ({ tags: [tag.customerEmail(req.customer.email)] }) },
});
