// Reading usage straight from the raw events, one page of customers at a time. One query, four kinds
// of rows, all ordered by customer so that each customer's rows arrive together:
//   1 groups   the period's events by interval, code, dimension values and the state of each value
//              property, with counts, sums, maxima, latest values and time-weighted integrals;
//   2 unique   distinct values of each unique_count charge, by interval and group;
//   3 carried  increments of weighted_sum codes before the period (they carry in);
//   4 events   single events of percentage charges whose rules read them, in time order.
// FINAL reads one row per event, the newest copy; each month's partition is read on its own (copies
// that moved months are retired by tombstones: see copies.ts). Values are read as Decimal256 with 20
// decimals: room for sums and for value x milliseconds products.
import type { UsageShape } from '../invoices/usage-shape.js'
import type { Store } from './store.js'

export const VALUE_SCALE = 20

export type UsageKind = 1 | 2 | 3 | 4

/** One row; which fields mean what depends on its kind (see the head of this file). */
export interface UsageRow {
  customer: string
  kind: UsageKind
  /** 1-based index of the interval (0 for carried rows). */
  piece: number
  code: string
  /** Dimension values, null where an event has none (unique rows: the group's values, '' for none). */
  keys: (string | null)[]
  /** Per value property: 0 missing, 1 not a number, 2 a number (unique rows: the measure's index). */
  flags: number[]
  /** Events in the row. */
  n: number
  /** Decimals as text, in the layout of valueLayouts (unique rows: the distinct count; events: value, ms, version). */
  vals: (string | null)[]
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
    codes: shape.codes,
    starts: page.starts,
    ends: page.ends,
    from: toDateTime64(page.starts[0]!),
    to: toDateTime64(page.ends.at(-1)!),
  }
  const bind = bindings(params)
  const dims = shape.dimensions.map((d) => {
    const p = bind.string(d)
    return `if(mapContains(properties, ${p}), properties[${p}], NULL)`
  })
  const nums = shape.values.map((v) => {
    const p = bind.string(v.name)
    const codes = bind.strings(v.codes)
    return {
      num: `if(code IN ${codes}, toDecimal256OrNull(properties[${p}], ${VALUE_SCALE}), NULL)`,
      flag: `if(code IN ${codes} AND mapContains(properties, ${p}), if(isNull(num_V), 1, 2), 0)`,
    }
  })
  const defs = [
    ...nums.map((n, i) => `${n.num} AS num_${i}`),
    ...nums.map((n, i) => `${n.flag.replace('num_V', `num_${i}`)} AS flag_${i}`),
    `[${dims.join(', ')}]::Array(Nullable(String)) AS keys`,
    `[${nums.map((_, i) => `flag_${i}`).join(', ')}]::Array(UInt8) AS flags`,
  ]
  const source = (where: string) => `(
        SELECT customer, code, version, properties,
               toUnixTimestamp64Milli(timestamp) AS ms,
               arrayCount(b -> b <= ms, {starts:Array(Int64)}) AS piece,
               ${defs.join(',\n               ')}
        FROM ${db}.events FINAL
        WHERE customer IN {customers:Array(String)} AND ${where}
    )`
  const inPeriod = `timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}`
  // Every event of the period, codes no charge reads too: those are reported as not billed.
  const parts = [groupsSql(shape, source(inPeriod))]
  if (shape.unique.length > 0) {
    parts.push(uniqueSql(shape, source(`code IN {codes:Array(String)} AND ${inPeriod}`), bind))
  }
  if (shape.carriedCodes.length > 0) {
    params.carried = shape.carriedCodes
    const before = `code IN {carried:Array(String)} AND timestamp < {from:DateTime64(3, 'UTC')}`
    parts.push(carriedSql(shape, source(before)))
  }
  for (const e of shape.eventValues) {
    parts.push(eventsSql(shape, e, source(`code IN {codes:Array(String)} AND ${inPeriod}`), bind))
  }
  const sql = `SELECT customer, kind, piece, code, keys, flags, n, vals
FROM
(
${parts.join('\nUNION ALL\n')}
)
ORDER BY customer`
  return { sql, params }
}

function groupsSql(shape: UsageShape, source: string): string {
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
  return `    SELECT customer, toUInt8(1) AS kind, toUInt32(piece) AS piece, toString(code) AS code,
           keys, flags, count() AS n, [${vals.join(', ')}]::Array(Nullable(String)) AS vals
    FROM ${source}
    GROUP BY customer, piece, code, keys, flags`
}

function carriedSql(shape: UsageShape, source: string): string {
  const vals = shape.values.map((v, i) => (v.weighted ? `toString(sum(num_${i}))` : 'NULL'))
  return `    SELECT customer, toUInt8(3) AS kind, toUInt32(0) AS piece, toString(code) AS code,
           keys, flags, count() AS n, [${vals.join(', ')}]::Array(Nullable(String)) AS vals
    FROM ${source}
    GROUP BY customer, code, keys, flags`
}

/**
 * Distinct values of each unique_count measure, by interval and the measure's group. An event counts
 * for a measure when its code, its filters and the property match (ARRAY JOIN over the measures).
 */
function uniqueSql(shape: UsageShape, source: string, bind: Bindings): string {
  const measures = shape.unique.map((u, j) => {
    const property = bind.string(u.property)
    const filters = u.filters.map((f) => {
      const p = bind.string(f.property)
      return `mapContains(properties, ${p}) AND properties[${p}] IN ${bind.strings(f.values)}`
    })
    return {
      j,
      matches: [`code = ${bind.string(u.code)}`, `mapContains(properties, ${property})`, ...filters].join(
        ' AND ',
      ),
      group: `[${u.groupBy.map((g) => `properties[${bind.string(g)}]`).join(', ')}]::Array(Nullable(String))`,
      value: `properties[${property}]`,
    }
  })
  const byMeasure = (pick: (m: (typeof measures)[number]) => string, otherwise: string) =>
    `multiIf(${measures.map((m) => `m = ${m.j}, ${pick(m)}`).join(', ')}, ${otherwise})`
  // The source has its own keys and flags: the measure's group and value get names of their own.
  return `    SELECT customer, toUInt8(2) AS kind, toUInt32(piece) AS piece, '' AS code,
           group_values AS keys, [toUInt8(m)] AS flags, count() AS n,
           [toString(uniqExact(value))]::Array(Nullable(String)) AS vals
    FROM
    (
        SELECT customer, piece, m,
               ${byMeasure((m) => m.group, '[]::Array(Nullable(String))')} AS group_values,
               ${byMeasure((m) => m.value, "''")} AS value
        FROM ${source}
        ARRAY JOIN arrayFilter(j -> ${measures.map((m) => `(j = ${m.j} AND ${m.matches})`).join(' OR ')}, range(${measures.length})) AS m
    )
    GROUP BY customer, piece, m, group_values`
}

/** Single events of a code, value, time and version, in time order; the first `first` of each group. */
function eventsSql(
  shape: UsageShape,
  e: UsageShape['eventValues'][number],
  source: string,
  bind: Bindings,
): string {
  const i = shape.values.findIndex((v) => v.name === e.property)
  const limit = e.first === null ? '' : `\n    LIMIT ${Math.floor(e.first)} BY customer, piece, keys, flags`
  return `    SELECT * FROM (SELECT customer, toUInt8(4) AS kind, toUInt32(piece) AS piece, toString(code) AS code,
           keys, flags, toUInt64(1) AS n,
           [toString(num_${i}), toString(ms), toString(version)]::Array(Nullable(String)) AS vals
    FROM ${source}
    WHERE code = ${bind.string(e.code)} AND flag_${i} = 2
    ORDER BY customer, piece, keys, flags, ms, version${limit})`
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
