/**
 * The cache tags the command definitions share: which cached reads a write makes wrong. A read is
 * tagged when stored (from its request and, where it names more, its answer); a write evicts its
 * tags once sent — whether it succeeded, failed or ended ambiguously (a timed-out hold may still
 * have held seats). The cache treats them as opaque strings.
 *
 *   event:<NAME>        availability of that event (both get_avail_seats forms, every filter)
 *   avail:all           every availability entry (a cart whose events are unknown)
 *   cart:<orderNum>     that cart
 *   sold:<acctId>       that account's sold seats
 *   customer:<acctId>   that account (by acct_id, or by e-mail answered with it)
 *   customer-email:<e>  the account by that e-mail (lower-cased), including "not found"
 *
 * Events, the event search and price codes are not tagged: no write of this API changes them (a
 * hold changes availability, not an event), so only their TTL ages them.
 */
import { wireName } from '../parse.js';

export const ALL_AVAILABILITY = 'avail:all';

export const tag = {
  event: (name: string) => `event:${wireName(name)}`,
  cart: (orderNum: number) => `cart:${orderNum}`,
  sold: (acctId: number) => `sold:${acctId}`,
  customer: (acctId: number) => `customer:${acctId}`,
  customerEmail: (email: string) => `customer-email:${email.trim().toLowerCase()}`,
};

/** Where the events seen in a cart are remembered, so a payment or abort evicts their availability. */
export const cartEventsKey = (orderNum: number): string => `cart-events:${orderNum}`;

export const isNum = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);
export const isStr = (s: unknown): s is string => typeof s === 'string' && s.length > 0;

/** The availability tags of the events named in a list of runs or line items (upper-cased, once each). */
export function eventTagsOf(
  list: readonly { eventName?: unknown }[] | undefined,
  also: readonly unknown[] = [],
): string[] {
  const names = [...also, ...(list ?? []).map((s) => s.eventName)].filter(isStr).map(wireName);
  return [...new Set(names)].map(tag.event);
}
