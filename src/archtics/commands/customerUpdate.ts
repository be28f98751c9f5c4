import { compact, defineCommand } from '../parse.js';
import type { CustomerUpdateRequest, CustomerUpdateResult } from '../types.js';
import { authFields } from './customerQuery.js';
import { isStr, tag } from './tags.js';

/**
 * customer_update: replace semantics — every updatable field the caller gives is sent under its
 * customer_query name; a field left out is cleared upstream, so callers merge before they send.
 */
export const customerUpdate = defineCommand<CustomerUpdateRequest, CustomerUpdateResult>(
  'customer_update',
  {
    product: 'sth-customer',
    kind: 'write',
    failures: {
      5021: 'missingInput',
      5034: 'unknownAccount',
      5036: 'invalidEmail',
      5037: 'emailExists',
    },
    toFields: ({ pin, customer: c }) => ({
      ...authFields(pin),
      customer: compact({
        acct_id: c.acctId,
        name_type: c.nameType,
        name_first: c.firstName,
        name_mi: c.middleInitial,
        name_last: c.lastName,
        company_name: c.companyName,
        street_addr_1: c.street1,
        street_addr_2: c.street2,
        city: c.city,
        state: c.state,
        zip: c.zip,
        country: c.country,
        phone_day: c.phoneDay,
        phone_cell: c.phoneCell,
        email: c.email,
        acct_type: c.acctType,
        email_optout: c.emailOptOut === undefined ? undefined : c.emailOptOut ? 1 : 0,
      }),
    }),
    parseOk: () => ({ updated: true }),
    cache: {
      invalidates: ({ customer: c }) => ({
        tags: [tag.customer(c.acctId), ...(isStr(c.email) ? [tag.customerEmail(c.email)] : [])],
      }),
    },
  },
);
