/** SectionAvailability (get_avail_seats, summary). */
import { money } from '../../resolvers/money.js';
import { MoneyRef, SectionAvailabilityRef } from './refs.js';

SectionAvailabilityRef.implement({
  description: 'How many seats of one section are still available, and at what prices.',
  fields: (t) => ({
    section: t.exposeString('section', { description: 'Section name, e.g. "101".' }),
    available: t.exposeInt('available', { description: 'Seats available in the section.' }),
    minPrice: t.field({
      type: MoneyRef,
      description: 'Lowest price of an available seat.',
      resolve: (s) => money(s.minPrice),
    }),
    maxPrice: t.field({
      type: MoneyRef,
      description: 'Highest price of an available seat.',
      resolve: (s) => money(s.maxPrice),
    }),
    priceCodes: t.exposeStringList('priceCodes', {
      description: 'Price codes of the available seats.',
    }),
  }),
});
