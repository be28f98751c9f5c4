/**
 * An account's sold seat blocks (seats_sold), one call per (account, event filter) per operation.
 * No blocks parses as an empty list.
 */
import DataLoader from 'dataloader';
import type { SeatBlock } from '../archtics/types.js';
import type { GatewayApi } from './api.js';

export interface SeatsSoldKey {
  acctId: number;
  /** Only this event's blocks; absent = every event. */
  eventName?: string;
}

export const seatsSoldKey = (k: SeatsSoldKey): string => `${k.acctId}|${k.eventName?.trim().toUpperCase() ?? ''}`;

export function createSeatsSoldLoader(api: Pick<GatewayApi, 'seatsSold'>): DataLoader<SeatsSoldKey, SeatBlock[], string> {
  return new DataLoader<SeatsSoldKey, SeatBlock[], string>(
    (keys) =>
      Promise.all(
        keys.map(async ({ acctId, eventName }) => {
          const result = await api.seatsSold({ acctId, ...(eventName ? { eventNames: [eventName.trim().toUpperCase()] } : {}) });
          return result.blocks;
        }),
      ),
    { batch: false, cacheKeyFn: seatsSoldKey },
  );
}
