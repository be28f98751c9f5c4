/** Upstream: the ticketing service itself — ping, the polling self-test, and our budget. */
import {
  ping as pingCommand,
  pollingTest as pollingTestCommand,
} from '../../src/archtics/commands/index.js';
import { ping, pollingTest, quota } from '../../resolvers/upstream.js';
import { builder } from '../builder.js';
import { PingRef, PollingTestRef, QuotaRef, UpstreamRef } from './refs.js';

UpstreamRef.implement({
  description: 'The Archtics service behind this gateway.',
  fields: (t) => ({
    ping: t.field({
      type: PingRef,
      nullable: true,
      extensions: { upstream: pingCommand.name },
      description: 'Health of the service (ping).',
      resolve: (_u, _a, ctx) => ping(ctx),
    }),
    pollingTest: t.field({
      type: PollingTestRef,
      nullable: true,
      extensions: { upstream: pollingTestCommand.name },
      description:
        'Exercises asynchronous polling (ats_ext_test_polling): answers after about 10 s of 202s.',
      resolve: (_u, _a, ctx) => pollingTest(ctx),
    }),
    quota: t.field({
      type: QuotaRef,
      description: 'Calls left this minute and today, and callers waiting: no upstream call.',
      resolve: (_u, _a, ctx) => quota(ctx),
    }),
  }),
});

builder.queryField('upstream', (t) =>
  t.field({
    type: UpstreamRef,
    description: 'The ticketing service behind this gateway.',
    resolve: () => ({}),
  }),
);
