import { PingRef } from './refs.js';

PingRef.implement({
  description: 'What the service says about its own health (ping).',
  fields: (t) => ({
    systemAvailable: t.exposeBoolean('systemAvailable', {
      description: 'The ticketing system is up.',
    }),
    digitAvailable: t.exposeBoolean('digitAvailable', {
      description: 'The digital ticketing subsystem is up.',
    }),
    cpuLoad: t.exposeInt('cpuLoad', { description: 'CPU load, percent.' }),
    dbConnections: t.exposeInt('dbConnections', { description: 'Open database connections.' }),
    activeRequests: t.exposeInt('activeRequests', { description: 'Requests in progress.' }),
    dbName: t.exposeString('dbName', { description: 'Name of the database answering.' }),
  }),
});
