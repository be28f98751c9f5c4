/** A tiny stand-in world for the server's transport tests (the seeded world is tested on its own). */
import type { Command1Request } from '../../src/protocol/wire.js';
import type { CommandName } from '../../src/sandbox/reference.js';
import type { Outcome, World, WorldClock } from '../../src/sandbox/index.js';

export function createFakeWorld(opts: {
  seed: number;
  clock: WorldClock;
}): World & { customers: number } {
  let nextAcct = 1000;
  const held = new Set<string>();
  const world = {
    customers: 0,
    samples: { acctId: 100479, events: ['EVENT01', 'EVENT02'] } as Record<string, unknown>,
    reset() {
      nextAcct = 1000;
      world.customers = 0;
      held.clear();
    },
    execute(cmd: CommandName, c: Command1Request): Outcome {
      switch (cmd) {
        case 'ping':
          return {
            result: 0,
            sql_code: 0,
            fields: {
              system_available: 1,
              digit_available: 1,
              cpu_load: 3,
              db_connections: 1,
              active_requests: 1,
              db_name: 'apigee',
              now: opts.clock.now(),
            },
          };
        case 'customer_add':
          world.customers++;
          return { result: 0, sql_code: 0, fields: { acct_id: nextAcct++, cust_name_id: 1 } };
        case 'seats_sold':
          return { result: 5069, sql_code: 100, error_desc: 'No blocks found' };
        case 'seats_hold_specific': {
          const first = Number(c.seat_num);
          const seats = Array.from(
            { length: Number(c.num_seats) },
            (_, i) => `${c.section_name}:${c.row_name}:${first + i}`,
          );
          if (seats.some((s) => held.has(s)))
            return { result: 6003, sql_code: 0, error_detail: 'Seat(s) not available' };
          for (const s of seats) held.add(s);
          return { result: 0, sql_code: 0, fields: { order_num_out: held.size } };
        }
        default:
          return { result: 0, sql_code: 0 };
      }
    },
  };
  return world;
}
