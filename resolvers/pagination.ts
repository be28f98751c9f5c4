/**
 * Relay connections over a fully known, sorted list. Cursors carry the item's sort key (not its
 * position), so a page that starts after a cursor has no duplicates and no gaps even when items
 * came or went between requests. Arguments are checked before any upstream call.
 */
import { isShared, share } from '../src/loaders/index.js';
import { badInput } from './errors.js';

export const MAX_PAGE = 100;
export const DEFAULT_PAGE = 50;

export interface ConnectionArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

/** How one kind of list orders its items and spells its cursors. */
export interface CursorScheme<T, K> {
  /** Tag inside the cursor, so a cursor of another list is refused. */
  kind: string;
  keyOf(item: T): K;
  format(key: K): string;
  /** undefined when the text is not a key of this list. */
  parse(text: string): K | undefined;
  compare(a: K, b: K): number;
}

export interface Page<K> {
  first?: number;
  last?: number;
  after?: K;
  before?: K;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

function encodeCursor(kind: string, key: string): string {
  return Buffer.from(`${kind}:${key}`, 'utf8').toString('base64');
}

function decodeCursor<K>(
  scheme: CursorScheme<unknown, K>,
  arg: 'after' | 'before',
  cursor: string,
): K {
  const text = /^[A-Za-z0-9+/]+={0,2}$/.test(cursor)
    ? Buffer.from(cursor, 'base64').toString('utf8')
    : '';
  const prefix = `${scheme.kind}:`;
  const key = text.startsWith(prefix) ? scheme.parse(text.slice(prefix.length)) : undefined;
  if (key === undefined)
    throw badInput(`Unknown cursor in "${arg}": use a cursor this connection returned.`, {
      argument: arg,
    });
  return key;
}

function checkSize(arg: 'first' | 'last', n: number | null | undefined): number | undefined {
  if (n === null || n === undefined) return undefined;
  if (!Number.isInteger(n) || n < 0 || n > MAX_PAGE) {
    throw badInput(`"${arg}" must be between 0 and ${MAX_PAGE}, got ${n}.`, { argument: arg });
  }
  return n;
}

/** Validates connection arguments (BAD_USER_INPUT) without touching the upstream. */
export function checkPage<K>(args: ConnectionArgs, scheme: CursorScheme<never, K>): Page<K> {
  const first = checkSize('first', args.first);
  const last = checkSize('last', args.last);
  if (first !== undefined && last !== undefined)
    throw badInput('Pass "first" or "last", not both.');
  const page: Page<K> = {};
  if (args.after != null)
    page.after = decodeCursor(scheme as CursorScheme<unknown, K>, 'after', args.after);
  if (args.before != null)
    page.before = decodeCursor(scheme as CursorScheme<unknown, K>, 'before', args.before);
  if (last !== undefined) page.last = last;
  else page.first = first ?? DEFAULT_PAGE;
  return page;
}

export function cursorOf<T, K>(scheme: CursorScheme<T, K>, item: T): string {
  return encodeCursor(scheme.kind, scheme.format(scheme.keyOf(item)));
}

/** Sorts `items` by the scheme and cuts the page. */
export function paginate<T, K>(
  items: readonly T[],
  page: Page<K>,
  scheme: CursorScheme<T, K>,
): Connection<T> {
  return paginateSorted(sortBy(items, scheme), page, scheme);
}

/** A sorted copy of `items` in the scheme's order. */
export function sortBy<T, K>(items: readonly T[], scheme: CursorScheme<T, K>): T[] {
  return [...items].sort((a, b) => scheme.compare(scheme.keyOf(a), scheme.keyOf(b)));
}

/** First index in [lo, hi) whose item is not `before(item)` (the list is sorted, so `before` is monotone). */
function firstNot<T>(
  sorted: readonly T[],
  lo: number,
  hi: number,
  before: (item: T) => boolean,
): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(sorted[mid])) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Cuts the page out of a list ALREADY sorted by the scheme (e.g. one memoised per cached answer):
 * cursors are found by binary search and only the page's items are touched, so a page of 10 out of
 * a season of seats costs the page, not the season.
 */
export function paginateSorted<T, K>(
  sorted: readonly T[],
  page: Page<K>,
  scheme: CursorScheme<T, K>,
): Connection<T> {
  let start = 0;
  let end = sorted.length;
  if (page.after !== undefined) {
    const after = page.after;
    start = firstNot(sorted, start, end, (item) => scheme.compare(scheme.keyOf(item), after) <= 0);
  }
  if (page.before !== undefined) {
    const before = page.before;
    end = firstNot(sorted, start, end, (item) => scheme.compare(scheme.keyOf(item), before) < 0);
  }
  if (page.first !== undefined && end - start > page.first) end = start + page.first;
  if (page.last !== undefined && end - start > page.last) start = end - page.last;
  const edges = sorted.slice(start, end).map((node) => ({ cursor: cursorOf(scheme, node), node }));
  return {
    edges,
    pageInfo: {
      hasPreviousPage: start > 0,
      hasNextPage: end < sorted.length,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

/** Pages cut from one frozen (shared, memoised) list, by page; at most this many pages per list. */
const MAX_PAGES_PER_LIST = 8;
const pagesOf = new WeakMap<readonly unknown[], Map<string, Connection<unknown>>>();

/**
 * paginateSorted, memoised per frozen list and page: a cached list (e.g. a customer's seats from a
 * cached seats_sold answer) is asked for the same page again and again (a dashboard's first 10),
 * and its edges and cursors are the same every time. The connection is frozen and shared like the
 * list; an unfrozen list is paged afresh every time.
 */
export function paginateSortedShared<T, K>(
  sorted: readonly T[],
  page: Page<K>,
  scheme: CursorScheme<T, K>,
): Connection<T> {
  if (!isShared(sorted)) return paginateSorted(sorted, page, scheme);
  const key = `${page.first ?? ''}|${page.last ?? ''}|${page.after === undefined ? '' : scheme.format(page.after)}|${page.before === undefined ? '' : scheme.format(page.before)}`;
  let pages = pagesOf.get(sorted);
  if (!pages) pagesOf.set(sorted, (pages = new Map()));
  const known = pages.get(key) as Connection<T> | undefined;
  if (known) return known;
  const conn = share(paginateSorted(sorted, page, scheme));
  if (pages.size < MAX_PAGES_PER_LIST) pages.set(key, conn as Connection<unknown>);
  return conn;
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
/** Natural order: "2" < "10", "A" < "B". */
export const naturalCompare = (a: string, b: string): number =>
  collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
