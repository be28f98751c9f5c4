/**
 * Availability of an event (get_avail_seats): per section (summary_flag Y) and per seat
 * (summary_flag N), one call per (event, section, price code) per operation.
 */
import DataLoader from 'dataloader';
import type { AvailableSeatRow, AvailRequest, SectionAvailabilityRow } from '../archtics/types.js';
import type { GatewayApi } from './api.js';
import { eventKey } from './events.js';

export const availKey = (k: AvailRequest): string =>
  [
    eventKey(k.eventName),
    k.section?.trim().toUpperCase() ?? '',
    k.priceCode?.trim().toUpperCase() ?? '',
  ].join('|');

function normalise(k: AvailRequest): AvailRequest {
  return {
    eventName: eventKey(k.eventName),
    ...(k.section ? { section: k.section.trim() } : {}),
    ...(k.priceCode ? { priceCode: k.priceCode.trim() } : {}),
  };
}

export interface AvailabilityLoaders {
  summary: DataLoader<AvailRequest, SectionAvailabilityRow[], string>;
  seats: DataLoader<AvailRequest, AvailableSeatRow[], string>;
}

export function createAvailabilityLoaders(
  api: Pick<GatewayApi, 'getAvailSummary' | 'getAvailSeats'>,
): AvailabilityLoaders {
  return {
    summary: new DataLoader<AvailRequest, SectionAvailabilityRow[], string>(
      (keys) =>
        Promise.all(keys.map(async (k) => (await api.getAvailSummary(normalise(k))).sections)),
      { batch: false, cacheKeyFn: availKey },
    ),
    seats: new DataLoader<AvailRequest, AvailableSeatRow[], string>(
      (keys) => Promise.all(keys.map(async (k) => (await api.getAvailSeats(normalise(k))).seats)),
      { batch: false, cacheKeyFn: availKey },
    ),
  };
}
