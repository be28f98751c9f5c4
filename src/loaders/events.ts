/**
 * Events by name: every Event load of one operation (event, events, searchEvents, Seat.event,
 * node/nodes) goes through this one loader and becomes one event_details call with a list filter,
 * split only above `batchSize` names.
 */
import DataLoader from 'dataloader';
import type { EventDetail } from '../archtics/types.js';
import type { GatewayApi } from './api.js';

export const eventKey = (name: string): string => name.trim().toUpperCase();

export function createEventLoader(
  api: Pick<GatewayApi, 'eventDetails'>,
  opts: { batchSize: number; schedule?: (dispatch: () => void) => void },
): DataLoader<string, EventDetail | null, string> {
  return new DataLoader<string, EventDetail | null, string>(
    async (names) => {
      const keys = names.map(eventKey);
      const result = await api.eventDetails({ names: keys });
      // Matched by name, never by position: a name the service does not return is null.
      const byName = new Map(result.events.map((e) => [eventKey(e.name), e]));
      return keys.map((k) => byName.get(k) ?? null);
    },
    {
      cacheKeyFn: eventKey,
      maxBatchSize: opts.batchSize,
      ...(opts.schedule ? { batchScheduleFn: opts.schedule } : {}),
    },
  );
}
