import { defineCommand } from '../parse.js';
import type { PingResult } from '../types.js';

/** ping: connectivity and server status; takes no input (reference §4). */
export const ping = defineCommand<void, PingResult>('ping', {
  product: 'sth-customer',
  kind: 'read',
  failures: {},
  toFields: () => ({}),
  parseOk: (a) => ({
    systemAvailable: a.bool('system_available'),
    digitAvailable: a.bool('digit_available'),
    cpuLoad: a.int('cpu_load'),
    dbConnections: a.int('db_connections'),
    activeRequests: a.int('active_requests'),
    dbName: a.str('db_name'),
  }),
});
