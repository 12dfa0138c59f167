// Reading usage straight from the raw events, one page of customers at a time, in one scan: the
// events are grouped by customer, interval, code, dimension values (the properties filters and groups
// read) and the state of each value property (missing, not a number, a number), with counts, sums,
// maxima, latest values, time-weighted integrals and the distinct values unique counts need. Interval 0
// holds the increments of weighted_sum codes from before the period, which carry in. Percentage
// charges whose rules read single events add a second part: those events, in time order.
// FINAL reads one row per event, the newest copy; each month's partition is read on its own (copies
// that moved months are retired by tombstones: see copies.ts). Values are read as Decimal256 with 20
// decimals: room for sums and for value x milliseconds products.
import type { UsageShape } from '../invoices/usage-shape.js'
import type { Store } from './store.js'

export const VALUE_SCALE = 20

/** 1: a group of events; 4: a single event of a percentage charge (see the head of this file). */
export type UsageKind = 1 | 4

export interface UsageRow {
  customer: string
  kind: UsageKind
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
  const rows = await store.rows<RawRow>(sql, { params, settings: READ_SETTINGS })
  return rows.map((row) => ({
    customer: row.customer,
    kind: Number(row.kind) as UsageKind,
    piece: Number(row.piece),
    code: row.code,
    keys: row.keys,
    flags: row.flags.map(Number),
    n: Number(row.n),
    vals: row.vals,
    distinct: row.distinct,
  }))
}

interface RawRow extends Omit<UsageRow, 'kind' | 'piece' | 'flags' | 'n'> {
  kind: number | string
  piece: number | string
  flags: (number | string)[]
  n: number | string
}

/** Each month's partition on its own: a copy never needs to meet a copy in another month. */
const READ_SETTINGS = { do_not_merge_across_partitions_select_final: 1 } as const

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
  const source = (where: string) => `(
        SELECT customer, code, version, properties,
               toUnixTimestamp64Milli(timestamp) AS ms,
               ${['arrayCount(b -> b <= ms, {starts:Array(Int64)}) AS piece', ...columns].join(',\n               ')}
        FROM ${db}.events FINAL
        WHERE customer IN {customers:Array(String)}
          AND timestamp < {to:DateTime64(3, 'UTC')} AND ${where}
    )`
  // Every event of the period (codes no charge reads too: they are reported as not billed), and the
  // earlier increments of weighted_sum codes.
  const scan = `(timestamp >= {from:DateTime64(3, 'UTC')} OR code IN {carried:Array(String)})`
  const parts = [groupsSql(shape, source(scan), bind)]
  for (const e of shape.eventValues) {
    parts.push(eventsSql(shape, e, source(`timestamp >= {from:DateTime64(3, 'UTC')}`), bind))
  }
  // No ORDER BY: the fold takes each customer's rows wherever they come.
  const sql = parts.length === 1 ? parts[0]! : parts.join('\nUNION ALL\n')
  return { sql, params }
}

/**
 * Per event: its value properties read as numbers (only for the codes that read them), their states,
 * its dimension values, and the value of each unique property.
 */
function eventColumns(shape: UsageShape, bind: Bindings): string[] {
  // Dimensions and states are columns of their own, grouped by as scalars (faster than arrays).
  const columns = shape.dimensions.map((d, i) => {
    const p = bind.string(d)
    return `if(mapContains(properties, ${p}), properties[${p}], NULL) AS dim_${i}`
  })
  shape.values.forEach((v, i) => {
    const p = bind.string(v.name)
    const codes = bind.strings(v.codes)
    columns.push(
      `if(code IN ${codes}, toDecimal256OrNull(properties[${p}], ${VALUE_SCALE}), NULL) AS num_${i}`,
      `if(code IN ${codes} AND mapContains(properties, ${p}), if(isNull(num_${i}), 1, 2), 0) AS flag_${i}`,
    )
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

function groupsSql(shape: UsageShape, source: string, bind: Bindings): string {
  const vals: string[] = []
  shape.values.forEach((v, i) => {
    if (v.sum) vals.push(`toString(sum(num_${i}))`)
    if (v.max) vals.push(`toString(max(num_${i}))`)
    if (v.latest) {
      vals.push(
        `toString(argMax(num_${i}, (ms, version)))`,
        `toString(max(ms))`,
        `toString(argMax(version, (ms, version)))`,
      )
    }
    if (v.weighted) vals.push(`toString(sum(num_${i} * ({ends:Array(Int64)}[piece] - ms)))`)
  })
  // Distinct values of each unique property in the period (unique_count charges merge them).
  const distinct = shape.values.map((v, i) =>
    v.unique
      ? `groupUniqArrayIf(properties[${bind.string(v.name)}], flag_${i} != 0 AND piece > 0)`
      : '[]::Array(String)',
  )
  const k = keysAndFlags(shape)
  return `    SELECT customer, toUInt8(1) AS kind, toUInt32(piece) AS piece, toString(code) AS code,
           ${k.keys} AS keys, ${k.flags} AS flags, count() AS n,
           [${vals.join(', ')}]::Array(Nullable(String)) AS vals,
           [${distinct.join(', ')}]::Array(Array(String)) AS distinct
    FROM ${source}
    GROUP BY customer, piece, code${k.groupBy ? `, ${k.groupBy}` : ''}`
}

/** Single events of a code, value, time and version, in time order; the first `first` of each group. */
function eventsSql(
  shape: UsageShape,
  e: UsageShape['eventValues'][number],
  source: string,
  bind: Bindings,
): string {
  const i = shape.values.findIndex((v) => v.name === e.property)
  const k = keysAndFlags(shape)
  const limit =
    e.first === null
      ? ''
      : `\n    LIMIT ${Math.floor(e.first)} BY customer, piece${k.groupBy ? `, ${k.groupBy}` : ''}`
  return `    SELECT * FROM (SELECT customer, toUInt8(4) AS kind, toUInt32(piece) AS piece, toString(code) AS code,
           ${k.keys} AS keys, ${k.flags} AS flags, toUInt64(1) AS n,
           [toString(num_${i}), toString(ms), toString(version)]::Array(Nullable(String)) AS vals,
           []::Array(Array(String)) AS distinct
    FROM ${source}
    WHERE code = ${bind.string(e.code)} AND flag_${i} = 2
    ORDER BY customer, piece${k.groupBy ? `, ${k.groupBy}` : ''}, ms, version${limit})`
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
