/**
 * Customers by account id and by e-mail (customer_query), one call per distinct key per operation.
 * An unknown account is null (customer_query's not-found parses as null). A customer found by e-mail primes the by-id
 * loader, so asking for the same account both ways costs one call.
 */
import DataLoader from 'dataloader';
import type { CustomerRecord } from '../archtics/types.js';
import type { GatewayApi } from './api.js';

export interface CustomerLoaders {
  byId: DataLoader<number, CustomerRecord | null>;
  byEmail: DataLoader<string, CustomerRecord | null, string>;
}

/** `primeById`: where a customer found by e-mail is primed (default: this pair's byId). */
export function createCustomerLoaders(api: Pick<GatewayApi, 'customerQuery'>, primeById?: { prime(acctId: number, c: CustomerRecord | null): unknown }): CustomerLoaders {
  const byId = new DataLoader<number, CustomerRecord | null>(
    (ids) => Promise.all(ids.map(async (acctId) => (await api.customerQuery({ acctId }))?.customer ?? null)),
    { batch: false },
  );
  const primeTarget = primeById ?? byId;
  const byEmail = new DataLoader<string, CustomerRecord | null, string>(
    (emails) =>
      Promise.all(
        emails.map(async (email) => {
          const customer = (await api.customerQuery({ email: email.trim() }))?.customer ?? null;
          if (customer) primeTarget.prime(customer.acctId, customer);
          return customer;
        }),
      ),
    { batch: false, cacheKeyFn: (email) => email.trim().toLowerCase() },
  );
  return { byId, byEmail };
}
