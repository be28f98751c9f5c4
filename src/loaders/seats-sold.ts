/** An account's sold seat blocks (seats_sold) are loaded per (account, event filter). */
export interface SeatsSoldKey {
  acctId: number;
  /** Only this event's blocks; absent = every event. */
  eventName?: string;
}

export const seatsSoldKey = (k: SeatsSoldKey): string =>
  `${k.acctId}|${k.eventName?.trim().toUpperCase() ?? ''}`;
