import { PollingTestRef } from './refs.js';

PollingTestRef.implement({
  description: 'Outcome of the asynchronous-polling self-test (ats_ext_test_polling).',
  fields: (t) => ({
    completed: t.exposeBoolean('completed', {
      description: 'True once the service delivered the final answer.',
    }),
  }),
});
