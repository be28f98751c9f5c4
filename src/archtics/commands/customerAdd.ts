import { RESULT_CODES } from '../../protocol/wire.js';
import { compact, defineCommand, toInt } from '../parse.js';
import type { CustomerAddRequest, CustomerAddResult } from '../types.js';

/**
 * customer_add: creates an account. 11408 (e-mail exists) throws ArchticsCommandError whose
 * `extra` is the existing account ({acctId, custNameId}); 5011 and 5019 throw. acct_id and
 * cust_name_id are numbers here (strings are tolerated).
 */
export const customerAdd = defineCommand<CustomerAddRequest, CustomerAddResult>('customer_add', {
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
    [RESULT_CODES.emailExists](a): CustomerAddResult | undefined {
      const acctId = toInt(a.raw('acct_id'));
      const custNameId = toInt(a.raw('cust_name_id'));
      return acctId === undefined || custNameId === undefined ? undefined : { acctId, custNameId };
    },
  },
  parseOk: (a) => ({ acctId: a.int('acct_id'), custNameId: a.int('cust_name_id') }),
});
