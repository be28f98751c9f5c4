/** The Query root. Its fields live next to the types they return; every one needs the read scope. */
import { builder } from '../builder.js';

builder.queryType({
  description: 'Reads: events, customers and their seats, carts, and the upstream itself.',
  authScopes: { read: true },
});
