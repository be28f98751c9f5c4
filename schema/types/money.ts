import { formatCents } from '../../resolvers/money.js';
import { MoneyRef } from './refs.js';

MoneyRef.implement({
  description: 'An amount of money: an exact decimal string, never a float.',
  fields: (t) => ({
    amount: t.string({ description: 'Decimal amount with two places, e.g. "45.50".', resolve: (m) => formatCents(m.cents) }),
    currency: t.exposeString('currency', { description: 'ISO 4217 currency code, e.g. "USD".' }),
  }),
});
