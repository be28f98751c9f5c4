/**
 * The base of typed business failures (plugin-errors): mutations list their error classes in
 * `errors: { types: [...] }` and each failure becomes a member of the payload union.
 */
import { builder } from '../builder.js';

export const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
  description: 'A business failure reported as data (seats taken, cart expired, card declined, …).',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'What went wrong, for people.' }),
  }),
});

builder.objectType(Error, {
  name: 'BaseError',
  description: 'A business failure with no more specific type.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof Error,
});
