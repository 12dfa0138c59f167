// Reading usage straight from the raw events, one page of customers at a time, in one query: the
// period's events are grouped by customer, interval, code, dimension values (the properties filters
// and groups read) and the state of each value property (missing, not a number, a number), with
// counts, sums, maxima, latest values, time-weighted integrals, the distinct values unique counts
// need, and for percentage charges whose rules read single events, those events' values in time
// order. Interval 0 holds the increments of weighted_sum codes from before the period, which carry
// in: grouped the same way, counts and sums only.
// FINAL reads one row per event, the newest copy; each month's partition is read on its own (copies
// that moved months are retired by tombstones: see copies.ts). Values are read as Decimal256 with 20
// decimals: room for sums and for value x milliseconds products.
import type { UsageShape } from '../invoices/usage-shape.js'
import { NEWEST_COPIES, NEWEST_COPIES_SETTINGS } from './event-versions.js'
import type { Store } from './store.js'

export const VALUE_SCALE = 20

/**
 * Each value and dimension is looked up only in the events of the codes that read it (`if(code IN
 * …, properties[…], NULL)`): forced, since by default the engine judges a map lookup too cheap to
 * skip and does it for every event (the largest page of `invoice --all`: 2.3 s instead of 2.6 s).
 */
const USAGE_SETTINGS = {
  ...NEWEST_COPIES_SETTINGS,
  short_circuit_function_evaluation: 'force_enable',
} as const

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
  /** Per unique property of the shape: the distinct values the row's events carry. */
  distinct: string[][]
  /** Per entry of shape.eventValues: the row's events with a number in that property, in time order (the first `first`). */
  singles: SingleEvent[][]
}

export interface UsagePage {
  customers: string[]
  /** Interval starts and ends (ms), one pair per interval; the period is from the first start to the last end. */
  starts: number[]
  ends: number[]
}

/**
 * The page's rows. A page is bounded (a few thousand customers), so its answer is read whole within
 * each attempt: a server failing half-way is asked again, as for any statement.
 */
export async function readUsage(store: Store, shape: UsageShape, page: UsagePage): Promise<UsageRow[]> {
  if (page.customers.length === 0) return []
  const { sql, params } = usageQuery(store.db, shape, page)
  const rows = await store.tuples<RawRow>(sql, { params, settings: USAGE_SETTINGS })
  return rows.map(([customer, piece, code, keys, flags, n, vals, distinct, singles]) => ({
    customer,
    piece: Number(piece),
    code,
    keys,
    flags: flags.map(Number),
    n: Number(n),
    vals,
    distinct,
    singles: singles.map((events) =>
      events.map(([ms, version, value]) => ({ ms: Number(ms), version: BigInt(version), value })),
    ),
  }))
}

/** A row as the engine writes it, its columns in the order of the SELECT (groupsSql). */
type RawRow = [
  customer: string,
  piece: number | string,
  code: string,
  keys: (string | null)[],
  flags: (number | string)[],
  n: number | string,
  vals: (string | null)[],
  distinct: string[][],
  singles: [string, string, string][][],
]

export function usageQuery(db: string, shape: UsageShape, page: UsagePage) {
  const params: Record<string, unknown> = {
    customers: page.customers,
    starts: page.starts,
    ends: page.ends,
    from: toDateTime64(page.starts[0]!),
    to: toDateTime64(page.ends.at(-1)!),
    carried: shape.carriedCodes,
  }
  const bind = bindings(params)
  const columns = eventColumns(shape, bind)
  // Every event of the period (codes no charge reads too: they are reported as not billed), and the
  // earlier increments of weighted_sum codes. Two branches, not one OR: each keeps its own pruning,
  // the period's months by partition and the earlier increments by the (code, customer) key. The
  // increments are grouped on their own, for their sums and counts only: the fold reads nothing else
  // of them (with every aggregate, as the period's events, they cost twice as much).
  const select = (where: string) => `(
        SELECT customer, code, version, properties,
               toUnixTimestamp64Milli(timestamp) AS ms,
               ${['arrayCount(b -> b <= ms, {starts:Array(Int64)}) AS piece', ...columns].join(',\n               ')}
        FROM ${NEWEST_COPIES(db)}
        WHERE customer IN {customers:Array(String)} AND ${where}
    )`
  const groups = [
    groupsSql(
      shape,
      select(`timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}`),
      bind,
    ),
  ]
  if (shape.carriedCodes.length > 0) {
    const before = select(`code IN {carried:Array(String)} AND timestamp < {from:DateTime64(3, 'UTC')}`)
    groups.push(groupsSql(shape, before, bind, { sumsOnly: true }))
  }
  // No ORDER BY: the fold takes each customer's rows wherever they come.
  return { sql: groups.join('\n    UNION ALL\n'), params }
}

/**
 * Per event: its value properties read as numbers (only for the codes that read them), their states,
 * its dimension values, and the value of each unique property.
 */
function eventColumns(shape: UsageShape, bind: Bindings): string[] {
  // Dimensions and states are columns of their own, grouped by as scalars (faster than arrays); each
  // is read only from the codes whose charges look at it.
  const columns = shape.dimensions.map((d, i) => {
    const p = bind.string(d.name)
    return `if(code IN ${bind.strings(d.codes)} AND mapContains(properties, ${p}), properties[${p}], NULL) AS dim_${i}`
  })
  // The branches of `if` run only for the rows that take them: other codes' events cost no lookup.
  shape.values.forEach((v, i) => {
    const p = bind.string(v.name)
    const codes = bind.strings(v.codes)
    columns.push(
      `if(code IN ${codes}, toDecimal256OrNull(properties[${p}], ${VALUE_SCALE}), NULL) AS num_${i}`,
      `if(code IN ${codes} AND mapContains(properties, ${p}), if(isNull(num_${i}), 1, 2), 0) AS flag_${i}`,
    )
    if (v.unique) columns.push(`if(flag_${i} != 0, properties[${p}], NULL) AS text_${i}`)
  })
  return columns
}

/** The row's dimension values and states, as arrays, from their columns. */
function keysAndFlags(shape: UsageShape): { keys: string; flags: string; groupBy: string } {
  const dims = shape.dimensions.map((_, i) => `dim_${i}`)
  const flags = shape.values.map((_, i) => `flag_${i}`)
  return {
    keys: `[${dims.join(', ')}]::Array(Nullable(String))`,
    flags: `[${flags.join(', ')}]::Array(UInt8)`,
    groupBy: [...dims, ...flags].join(', '),
  }
}

/**
 * The groups of the source's events, in the layout of valueLayouts. `sumsOnly` (the increments
 * before the period): the counts and sums, every other value NULL and every list empty.
 */
function groupsSql(shape: UsageShape, source: string, bind: Bindings, options = { sumsOnly: false }): string {
  const all = (sql: string) => (options.sumsOnly ? 'NULL' : sql)
  const vals: string[] = []
  shape.values.forEach((v, i) => {
    if (v.sum) vals.push(`toString(sum(num_${i}))`)
    if (v.max) vals.push(all(`toString(max(num_${i}))`))
    if (v.latest) {
      vals.push(
        all(`toString(argMax(num_${i}, (ms, version)))`),
        all(`toString(max(ms))`),
        all(`toString(argMax(version, (ms, version)))`),
      )
    }
    if (v.weighted) vals.push(all(`toString(sum(num_${i} * ({ends:Array(Int64)}[piece] - ms)))`))
  })
  // Distinct values of each unique property in the period (unique_count charges merge them).
  const distinct = shape.values.map((v, i) =>
    v.unique && !options.sumsOnly
      ? `groupUniqArrayIf(assumeNotNull(text_${i}), isNotNull(text_${i}))`
      : '[]::Array(String)',
  )
  // Single events, as (ms, version, value) in time order; only the first `first` when that is enough.
  const singles = shape.eventValues.map((e) => {
    if (options.sumsOnly) return '[]::Array(Tuple(String, String, String))'
    const i = shape.values.findIndex((v) => v.name === e.property)
    // The value stays a decimal until the events are picked: toString on every event of every code
    // (the aggregate's argument is computed before its condition) cost 12 % of the query.
    const event = `(ms, version, assumeNotNull(num_${i}))`
    const when = `code = ${bind.string(e.code)} AND flag_${i} = 2`
    const events =
      e.first === null
        ? `arraySort(groupArrayIf(${event}, ${when}))`
        : `groupArraySortedIf(${Math.floor(e.first)})(${event}, ${when})`
    return `arrayMap(e -> (toString(e.1), toString(e.2), toString(e.3)), ${events})`
  })
  const k = keysAndFlags(shape)
  // The columns in the order of RawRow: readUsage reads them by place.
  return `    SELECT customer, toUInt32(piece) AS piece, toString(code) AS code,
           ${k.keys} AS keys, ${k.flags} AS flags, count() AS n,
           [${vals.join(', ')}]::Array(Nullable(String)) AS vals,
           [${distinct.join(', ')}]::Array(Array(String)) AS distinct,
           [${singles.join(', ')}]::Array(Array(Tuple(String, String, String))) AS singles
    FROM ${source}
    GROUP BY customer, piece, code${k.groupBy ? `, ${k.groupBy}` : ''}`
}

interface Bindings {
  string(value: string): string
  strings(values: string[]): string
}

/** Values bound as query parameters, never written into the SQL. */
function bindings(params: Record<string, unknown>): Bindings {
  let n = 0
  return {
    string(value) {
      const name = `v${n++}`
      params[name] = value
      return `{${name}:String}`
    },
    strings(values) {
      const name = `v${n++}`
      params[name] = values
      return `{${name}:Array(String)}`
    },
  }
}

/** ClickHouse reads `YYYY-MM-DD hh:mm:ss.sss` for a DateTime64(3, 'UTC') parameter. */
export function toDateTime64(ms: number | Date): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '')
}
