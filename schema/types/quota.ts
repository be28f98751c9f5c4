import { QuotaRef } from './refs.js';

QuotaRef.implement({
  description:
    'The gateway’s upstream budget (80 calls a minute, 5000 a day per key), as it stands.',
  fields: (t) => ({
    minuteRemaining: t.exposeInt('minuteRemaining', {
      description: 'Calls that may still be sent in the current minute.',
    }),
    dayRemaining: t.exposeInt('dayRemaining', {
      description: 'Calls that may still be sent today.',
    }),
    queueLength: t.exposeInt('queueLength', { description: 'Callers waiting for a slot.' }),
    cacheHitRatio: t.float({
      nullable: true,
      description:
        'Share of cacheable reads answered without an upstream call since start (0..1); null without the cache.',
      resolve: (q) => (q as { cacheHitRatio?: number }).cacheHitRatio ?? null,
    }),
    pausedUntil: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the service told us to stop sending (Retry-After), until when.',
      resolve: (q) => (q.pausedUntil === undefined ? null : new Date(q.pausedUntil).toISOString()),
    }),
  }),
});
