import { builder } from '../builder.js';

export const SeatStatusEnum = builder.enumType('SeatStatus', {
  description: 'Where a seat stands.',
  values: {
    AVAILABLE: { description: 'Free to hold.' },
    HELD: { description: 'In a cart, not yet paid.' },
    SOLD: {
      description:
        'Sold to an account (or taken, when the gateway cannot see whose cart holds it).',
    },
  } as const,
});
