// Reading usage straight from the raw events, one page of customers at a time, in one query
// (usage-sql.ts): the rows of the page's groups, by customer, as the fold (usage-fold.ts) takes them.
import type { UsageShape } from '../invoices/usage-shape.js'
import { NEWEST_COPIES_SETTINGS } from './event-versions.js'
import type { Store } from './store.js'
import { usageQuery, type UsagePage, type UsageParts } from './usage-sql.js'

/** One event a percentage charge's rules look at on its own. */
export interface SingleEvent {
  ms: number
  version: bigint
  value: string
}

export interface UsageRow {
  customer: string
  /** 1-based index of the interval; 0 for increments before the period. */
  piece: number
  code: string
  /** Dimension values, null where an event has none. */
  keys: (string | null)[]
  /** Per value property: 0 missing, 1 not a number, 2 a number. */
  flags: number[]
  /** Events in the row. */
  n: number
  /** Decimals as text, in the layout of valueLayouts (single events: value, ms, version). */
  vals: (string | null)[]
  /**
   * Per value property of the shape (unique ones only, the others empty): the distinct values the
   * row's events carry, each with the place of its latest event (see latestEventSql in usage-sql.ts, and isLaterPlace).
   */
  distinct: Record<string, EventPlace>[]
  /**
   * Per value property of the shape: how many distinct values the row's events add, where the engine
   * counts them instead of listing them in `distinct` (countedUniques in usage-sql.ts); else 0.
   */
  added: number[]
  /** Per entry of shape.eventValues: the row's events with a number in that property, in time order (the first `first`). */
  singles: SingleEvent[][]
}

/**
 * The page's rows. A page is bounded (a few thousand customers; the carry-in of every customer is a
 * few rows each), so its answer is read whole within each attempt: a server failing half-way is
 * asked again, as for any statement.
 */
export async function readUsage(
  store: Store,
  shape: UsageShape,
  page: UsagePage,
  parts: UsageParts = 'all',
): Promise<UsageRow[]> {
  return [...(await readUsageLines(store, shape, page, parts)).values()].flatMap(usageRows)
}

/**
 * The page's rows as readUsage reads them, by customer, each row still its line of the answer:
 * `invoice --all` holds a page while the one before it is priced, and parses a customer's rows
 * (usageRows) only when it prices that customer. A page held as lines is a few thousand strings
 * instead of hundreds of thousands of small objects that every garbage collection meanwhile copies.
 */
export async function readUsageLines(
  store: Store,
  shape: UsageShape,
  page: UsagePage,
  parts: UsageParts = 'all',
): Promise<Map<string, string[]>> {
  const byCustomer = new Map<string, string[]>()
  if (page.customers !== 'all' && page.customers.length === 0) return byCustomer
  if (parts === 'carried' && shape.carriedCodes.length === 0) return byCustomer
  const { sql, params } = usageQuery(store.db, shape, page, parts)
  for (const line of await store.lines(sql, { params, settings: NEWEST_COPIES_SETTINGS })) {
    const customer = customerOf(line)
    const lines = byCustomer.get(customer)
    if (lines) lines.push(line)
    else byCustomer.set(customer, [line])
  }
  return byCustomer
}

/** The rows of a customer's lines from readUsageLines. */
export function usageRows(lines: readonly string[]): UsageRow[] {
  return lines.map((line) => {
    const [customer, piece, code, keys, flags, n, vals, distinct, added, singles] = JSON.parse(line) as RawRow
    return {
      customer,
      piece: Number(piece),
      code,
      keys,
      flags: flags.map(Number),
      n: Number(n),
      vals,
      distinct,
      added: added.map(Number),
      singles: singles.map((events) =>
        events.map(([ms, version, value]) => ({ ms: Number(ms), version: BigInt(version), value })),
      ),
    }
  })
}

/**
 * The customer of a row's line, its first column: `["id", …`. Read without parsing the line unless
 * the id has an escape in it (a quote, a backslash, a slash as the engine writes it), which the
 * first quote after the opening one would otherwise cut.
 */
function customerOf(line: string): string {
  const end = line.indexOf('"', 2)
  const id = line.slice(2, end)
  if (line.startsWith('["') && end > 0 && !id.includes('\\')) return id
  return (JSON.parse(line) as RawRow)[0]
}

/** A row as the engine writes it, its columns in the order of the SELECT (groupsSql in usage-sql.ts). */
type RawRow = [
  customer: string,
  piece: number | string,
  code: string,
  keys: (string | null)[],
  flags: (number | string)[],
  n: number | string,
  vals: (string | null)[],
  distinct: Record<string, string>[],
  added: (number | string)[],
  singles: [string, string, string][][],
]

/**
 * A place (latestEventSql in usage-sql.ts) as the engine writes a UInt128: in decimal, without leading zeros. Read
 * as text, not as a BigInt: `invoice --all` reads hundreds of thousands of them.
 */
export type EventPlace = string

/** Whether the event at place `a` comes after the one at `b`: the longer number, else the greater text. */
export function isLaterPlace(a: EventPlace, b: EventPlace): boolean {
  return a.length !== b.length ? a.length > b.length : a > b
}

/** Whether the event at this place adds its value: its lowest bit, odd as its last decimal digit. */
export function addsValue(at: EventPlace): boolean {
  return (at.charCodeAt(at.length - 1) & 1) === 1
}
