import { defineCommand } from '../parse.js';
import type { PollingTestResult } from '../types.js';

/**
 * ats_ext_test_polling: answers 202 for about 10 s, then `{cmd, result: 0, sql_code: 0}`; its only
 * output is that it completed (reference §3).
 */
export const pollingTest = defineCommand<void, PollingTestResult>('ats_ext_test_polling', {
  product: 'sth-customer',
  kind: 'read',
  failures: {},
  toFields: () => ({}),
  parseOk: () => ({ completed: true }),
});
