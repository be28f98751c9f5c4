/**
 * Invalidation tags: which cached reads a write makes wrong. Reads are tagged when stored (from the
 * request and, where it names more, the answer); a write evicts its tags once it has been sent —
 * whether it succeeded, failed or ended ambiguously (a timed-out hold may still have held seats).
 *
 *   event:<NAME>        get_avail_seats of that event (both forms, every filter)
 *   avail:all           every get_avail_seats entry (a cart whose events are unknown)
 *   cart:<orderNum>     shopping_cart of that cart
 *   sold:<acctId>       seats_sold of that account
 *   customer:<acctId>   customer_query of that account (by acct_id, or by e-mail answered with it)
 *   customer-email:<e>  customer_query by that e-mail (lower-cased), including "not found"
 *
 * event_details, event_search and event_price_info are not tagged: no write of this API changes
 * them (a hold changes availability, not an event), so only their TTL ages them.
 */
import type {
  AbortCartResult,
  CartRequest,
  CartResult,
  CheckOutRequest,
  CheckOutResult,
  CustomerAddRequest,
  CustomerQueryResult,
  CustomerUpdateRequest,
  HoldResult,
  PaymentRequest,
  SeatsHoldRequest,
  SeatsHoldSpecificRequest,
  SeatsSoldRequest,
  TicketPrintRequest,
  AvailRequest,
} from '../archtics/types.js';

export const ALL_AVAILABILITY = 'avail:all';

export const tag = {
  event: (name: string) => `event:${name.trim().toUpperCase()}`,
  cart: (orderNum: number) => `cart:${orderNum}`,
  sold: (acctId: number) => `sold:${acctId}`,
  customer: (acctId: number) => `customer:${acctId}`,
  customerEmail: (email: string) => `customer-email:${email.trim().toLowerCase()}`,
};

const isNum = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);
const isStr = (s: unknown): s is string => typeof s === 'string' && s.length > 0;

/** Tags of a cached read. */
export function readTags(command: string, req: unknown, res: unknown): string[] {
  const tags = new Set<string>();
  switch (command) {
    case 'get_avail_seats': {
      const r = req as AvailRequest;
      if (isStr(r?.eventName)) tags.add(tag.event(r.eventName));
      tags.add(ALL_AVAILABILITY);
      break;
    }
    case 'shopping_cart': {
      const r = req as CartRequest;
      if (isNum(r?.orderNum)) tags.add(tag.cart(r.orderNum));
      break;
    }
    case 'seats_sold': {
      const r = req as SeatsSoldRequest;
      if (isNum(r?.acctId)) tags.add(tag.sold(r.acctId));
      break;
    }
    case 'customer_query': {
      const r = req as Record<string, unknown>;
      if (isNum(r?.acctId)) tags.add(tag.customer(r.acctId));
      if (isStr(r?.email)) tags.add(tag.customerEmail(r.email));
      // Found by e-mail → also evicted by an update of that account, and vice versa.
      const found = res as CustomerQueryResult;
      if (found?.customer) {
        if (isNum(found.customer.acctId)) tags.add(tag.customer(found.customer.acctId));
        if (isStr(found.customer.email)) tags.add(tag.customerEmail(found.customer.email));
      }
      break;
    }
  }
  return [...tags];
}

/** Events a result shows to be in a cart (holds, shopping_cart, check_out), by order number. */
export function cartEventsOf(command: string, req: unknown, res: unknown): { orderNum: number; events: string[] } | undefined {
  const names = (list: { eventName?: unknown }[] | undefined) =>
    [...new Set((list ?? []).map((s) => s.eventName).filter(isStr).map((n) => n.trim().toUpperCase()))];
  switch (command) {
    case 'seats_hold':
    case 'seats_hold_specific': {
      const r = req as SeatsHoldRequest | SeatsHoldSpecificRequest;
      const h = res as HoldResult | undefined;
      const orderNum = isNum(h?.orderNum) && h.orderNum > 0 ? h.orderNum : r?.orderNum;
      if (!isNum(orderNum)) return undefined;
      return { orderNum, events: [...new Set([...(isStr(r?.eventName) ? [r.eventName.trim().toUpperCase()] : []), ...names(h?.seats)])] };
    }
    case 'shopping_cart': {
      const c = res as CartResult | undefined;
      return isNum(c?.orderNum) ? { orderNum: c.orderNum, events: names(c.seats) } : undefined;
    }
    case 'check_out': {
      const r = req as CheckOutRequest;
      const c = res as CheckOutResult | undefined;
      return isNum(r?.orderNum) ? { orderNum: r.orderNum, events: names(c?.items) } : undefined;
    }
  }
  return undefined;
}

/** The cart a write (or check_out) touches, if any: its events' availability goes too. */
export function cartOfWrite(command: string, req: unknown): number | undefined {
  const r = req as Record<string, unknown>;
  switch (command) {
    case 'payment_request':
    case 'abort_shopping_cart':
    case 'check_out':
      return isNum(r?.orderNum) ? r.orderNum : undefined;
  }
  return undefined;
}

/**
 * Tags a write (or the cart-binding check_out) evicts. `res` is undefined when the write failed or
 * its outcome is unknown; `cartEvents` are the events known to be in the cart it touches (empty:
 * unknown, so every event's availability goes — the safe side).
 */
export function writeTags(command: string, req: unknown, res: unknown, cartEvents: readonly string[]): string[] {
  const tags = new Set<string>();
  const cartAvailability = () => {
    if (cartEvents.length === 0) tags.add(ALL_AVAILABILITY);
    for (const e of cartEvents) tags.add(tag.event(e));
  };
  switch (command) {
    case 'seats_hold':
    case 'seats_hold_specific': {
      const r = req as SeatsHoldRequest | SeatsHoldSpecificRequest;
      if (isStr(r?.eventName)) tags.add(tag.event(r.eventName));
      if (isNum(r?.orderNum)) tags.add(tag.cart(r.orderNum));
      const h = res as HoldResult | undefined;
      if (isNum(h?.orderNum) && h.orderNum > 0) tags.add(tag.cart(h.orderNum));
      for (const s of h?.seats ?? []) if (isStr(s.eventName)) tags.add(tag.event(s.eventName));
      break;
    }
    case 'abort_shopping_cart': {
      const r = req as CartRequest;
      if (isNum(r?.orderNum)) tags.add(tag.cart(r.orderNum));
      cartAvailability();
      void (res as AbortCartResult | undefined);
      break;
    }
    case 'payment_request': {
      const r = req as PaymentRequest;
      if (isNum(r?.acctId)) tags.add(tag.sold(r.acctId));
      if (isNum(r?.orderNum)) tags.add(tag.cart(r.orderNum));
      cartAvailability();
      break;
    }
    case 'check_out': {
      // Changes nothing but binds the cart to the account: the cached cart shows no account yet.
      const r = req as CheckOutRequest;
      if (isNum(r?.orderNum)) tags.add(tag.cart(r.orderNum));
      break;
    }
    case 'customer_update': {
      const c = (req as CustomerUpdateRequest)?.customer;
      if (isNum(c?.acctId)) tags.add(tag.customer(c.acctId));
      if (isStr(c?.email)) tags.add(tag.customerEmail(c.email));
      break;
    }
    case 'customer_add': {
      // A cached "not found" for this e-mail is now wrong.
      const c = (req as CustomerAddRequest)?.customer;
      if (isStr(c?.email)) tags.add(tag.customerEmail(c.email));
      break;
    }
    case 'ticket_print': {
      const r = req as TicketPrintRequest;
      if (isNum(r?.acctId)) tags.add(tag.sold(r.acctId));
      break;
    }
  }
  return [...tags];
}
