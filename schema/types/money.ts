import { formatCents } from '../../resolvers/money.js';
import { MoneyRef } from './refs.js';

MoneyRef.implement({
  description: 'An amount of money: an exact decimal string, never a float.',
  fields: (t) => ({
    amount: t.string({
      description: 'Decimal amount with two places, e.g. "45.50".',
      resolve: (m) => formatCents(m.cents),
    }),
    currency: t.string({
      description:
        'ISO 4217 currency code: the service\'s, as configured (ARCHTICS_CURRENCY, default "USD").',
      resolve: (m, _args, ctx) => m.currency ?? ctx.currency,
    }),
  }),
});
