import { compact, defineCommand, toCents, toInt, wireName, type FieldReader } from '../parse.js';
import { ALL_AVAILABILITY, tag } from './tags.js';
import type {
  AvailableSeatRow,
  AvailRequest,
  AvailSeatsResult,
  AvailSummaryResult,
  SectionAvailabilityRow,
} from '../types.js';

function availFields(req: AvailRequest, summaryFlag: 'Y' | 'N'): Record<string, unknown> {
  return compact({
    event_name: wireName(req.eventName),
    summary_flag: summaryFlag,
    section_name: req.section,
    price_code: req.priceCode,
  });
}

/** One data row, its cells found by column name; conversion failures name row and column. */
interface TableRow {
  text(column: string): string;
  int(column: string): number;
  cents(column: string): number;
}

/**
 * Rows of a `{columns, data}` table: `columns` names the columns in one comma-separated string,
 * each `data` row is comma-separated the same way. Cells are found by column NAME, so a reordered
 * column list still parses; a column the parser needs but the table lacks is a ProtocolError.
 */
function readTable<T>(
  table: FieldReader,
  required: readonly string[],
  toRow: (row: TableRow) => T,
): T[] {
  const data = table.raw('data') ?? [];
  if (!Array.isArray(data)) throw table.fail('data', 'is not a list', data);
  if (data.length === 0) return [];
  const splitCells = (value: unknown): string[] | undefined =>
    typeof value === 'string' ? value.split(',').map((cell) => cell.trim()) : undefined;
  const columns = splitCells(table.raw('columns'));
  if (!columns)
    throw table.fail('columns', 'is not a comma-separated column list', table.raw('columns'));
  const indexOf = new Map(columns.map((name, i) => [name.toLowerCase(), i]));
  const missing = required.filter((name) => !indexOf.has(name));
  if (missing.length > 0)
    throw table.fail('columns', `lacks ${missing.join(', ')}`, table.raw('columns'));

  return data.map((value, i) => {
    const cells = splitCells(value);
    if (!cells || cells.length !== columns.length) {
      throw table.fail(
        `data[${i}]`,
        `does not have the ${columns.length} cells its columns name`,
        value,
      );
    }
    const text = (column: string): string => cells[indexOf.get(column)!]!;
    const convert = <V>(column: string, to: (v: string) => V | undefined, expected: string): V => {
      const out = to(text(column));
      if (out === undefined)
        throw table.fail(`data[${i}].${column}`, `is not ${expected}`, text(column));
      return out;
    };
    return toRow({
      text,
      int: (column) => convert(column, toInt, 'an integer'),
      cents: (column) => convert(column, toCents, 'an amount'),
    });
  });
}

/** Both forms: a hold, an abort or a payment changes availability constantly. */
const availability = {
  product: 'sth-inventory',
  kind: 'read',
  failures: { 6002: 'unknownEvent' },
  cache: {
    ttlMs: 15_000,
    shareMisses: true,
    // Every caller of an event page shares it: a hot event's availability is renewed ahead.
    refreshAhead: true,
    tags: (req: AvailRequest) => [tag.event(req.eventName), ALL_AVAILABILITY],
  },
} as const;

const SUMMARY_COLUMNS = [
  'section_name',
  'num_avail',
  'min_price',
  'max_price',
  'price_codes',
] as const;
const SEAT_COLUMNS = ['section_name', 'row_name', 'seat_num', 'price_code', 'price'] as const;

/**
 * get_avail_seats with summary_flag "Y": availability per section
 * (`manifest.section_summary`, price codes joined by `|`).
 */
export const getAvailSummary = defineCommand<AvailRequest, AvailSummaryResult>('get_avail_seats', {
  ...availability,
  toFields: (req) => availFields(req, 'Y'),
  parseOk: (a) => ({
    sections: readTable(
      a.obj('manifest').obj('section_summary'),
      SUMMARY_COLUMNS,
      (row): SectionAvailabilityRow => ({
        section: row.text('section_name'),
        available: row.int('num_avail'),
        minPrice: row.cents('min_price'),
        maxPrice: row.cents('max_price'),
        priceCodes: row
          .text('price_codes')
          .split('|')
          .map((code) => code.trim())
          .filter((code) => code !== ''),
      }),
    ),
  }),
});

/** get_avail_seats with summary_flag "N": one row per available seat (`manifest.seats`). */
export const getAvailSeats = defineCommand<AvailRequest, AvailSeatsResult>('get_avail_seats', {
  ...availability,
  toFields: (req) => availFields(req, 'N'),
  parseOk: (a) => ({
    seats: readTable(a.obj('manifest').obj('seats'), SEAT_COLUMNS, (row): AvailableSeatRow => ({
      section: row.text('section_name'),
      row: row.text('row_name'),
      seat: row.int('seat_num'),
      priceCode: row.text('price_code'),
      price: row.cents('price'),
    })),
  }),
});
