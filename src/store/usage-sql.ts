// The usage query of a page of customers, read straight from the raw events: the period's events
// are grouped by customer, interval, code and, of the dimension values (the properties filters and
// groups read) and the states of the value properties (missing, not a number, a number), those that
// the charges of the event's code read (codes in branches by what they read) and, on a page of
// customers on different plans, that the customer's own plan reads; with counts, sums, maxima,
// latest values, time-weighted integrals, the distinct values unique counts need, and for
// percentage charges whose rules read single events, those events' values in time order. Interval
// 0 holds the increments of weighted_sum codes from before the period, which carry in: grouped the
// same way, counts and sums only.
// FINAL reads one row per event, the newest copy; each month's partition is read on its own (copies
// that moved months are retired by tombstones: see copies.ts). Values are read as Decimal256 with 20
// decimals: room for sums and for value x milliseconds products. Pure: SQL and its parameters.
import type { Dimension, UsageShape, ValueProperty } from '../invoices/usage-shape.js'
import { NEWEST_COPIES } from './event-versions.js'

export const VALUE_SCALE = 20

/** Some customers of a page, and the shape of their plan alone. */
export interface PlanCustomers {
  customers: string[]
  shape: UsageShape
}

export interface UsagePage {
  /** 'all': every customer in the store (the carry-in of `invoice --all`, a few rows per customer). */
  customers: string[] | 'all'
  /**
   * A page of customers on different plans: its customers by plan, each group with its own plan's
   * shape. A column of the page's shape (a dimension, a value property) is then read, on each code,
   * only for the customers whose plan reads it there; for the others it is missing, as in their own
   * plan's shape, so their events fall in fewer groups (see Readers).
   */
  plans?: PlanCustomers[]
  /** Interval starts and ends (ms), one pair per interval; the period is from the first start to the last end. */
  starts: number[]
  ends: number[]
}

/**
 * Which rows: all of them, the period's only (piece ≥ 1), or the increments carried in from before
 * the period only (piece 0), which `invoice --all` reads for every customer at once.
 */
export type UsageParts = 'all' | 'period' | 'carried'

export function usageQuery(db: string, shape: UsageShape, page: UsagePage, parts: UsageParts = 'all') {
  const params: Record<string, unknown> = {
    ...(page.customers !== 'all' && { customers: page.customers }),
    starts: page.starts,
    ends: page.ends,
    from: toDateTime64(page.starts[0]!),
    to: toDateTime64(page.ends.at(-1)!),
  }
  const bind = bindings(params)
  const readers = new Readers(page.plans, bind)
  const planColumn = [readers.planColumn(page.customers)].filter((c) => c !== null)
  const customers = page.customers === 'all' ? '' : 'customer IN {customers:Array(String)} AND '
  // One interval (a month's invoice): every event of the period is in it.
  const piece = page.starts.length === 1 ? '1' : 'arrayCount(b -> b <= ms, {starts:Array(Int64)})'
  const select = (branch: Branch, where: string, pieceSql: string) => `(
        SELECT customer, code, version, properties,
               toUnixTimestamp64Milli(timestamp) AS ms,
               ${[`${pieceSql} AS piece`, ...planColumn, ...eventColumns(shape, branch, bind, readers)].join(',\n               ')}
        FROM ${NEWEST_COPIES(db)}
        WHERE ${customers}${codesSql(branch, bind)} AND ${where}
    )`
  // Every event of the period (codes no charge reads too: they are reported as not billed), and the
  // earlier increments of weighted_sum codes. Apart, not one OR: each keeps its own pruning, the
  // period's months by partition and the earlier increments by the (code, customer) key. The
  // increments are grouped on their own, for their sums and counts only: the fold reads nothing else
  // of them (with every aggregate, as the period's events, they cost twice as much).
  const period = `timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}`
  const groups: string[] = []
  for (const branch of branchesOf(shape)) {
    if (parts !== 'carried') groups.push(groupsSql(shape, branch, select(branch, period, piece), bind))
    const carried = branch.codes.filter((c) => shape.carriedCodes.includes(c))
    if (carried.length === 0 || parts === 'period') continue
    const before = narrowed(shape, branch, carried)
    const earlier = select(before, `timestamp < {from:DateTime64(3, 'UTC')}`, '0')
    groups.push(groupsSql(shape, before, earlier, bind, { sumsOnly: true }))
  }
  // No ORDER BY: the fold takes each customer's rows wherever they come.
  return { sql: groups.join('\n    UNION ALL\n'), params }
}

/**
 * Events of some codes, and the dimensions and value properties (indices in the shape) that their
 * charges read. The codes are read and grouped in branches of the query of their own, each computing
 * and grouping by only what its codes read: the key starts with the code, so each branch reads its
 * own codes' rows (a page of customers: one range per code), and a group by few columns is faster
 * than one by every dimension and state (the 13 pages of `invoice --all` at 100M events, one after
 * another: 4.5 s instead of 4.9-5.3 s). Codes that read dimensions have a branch per set of what
 * they read; the others share one, grouped by small value states only: fewer branches, each with a
 * cost of its own (a small customer's query: 52-76 ms instead of 60-90 ms, warm). `others`, when
 * set: the branch also reads every code not in it, the codes no charge reads (counted only).
 */
interface Branch {
  codes: string[]
  others: string[] | null
  dims: number[]
  values: number[]
}

/**
 * One branch per set of codes that read the same dimensions and values; the codes that read no
 * dimension share one (grouped by value states only, each value looked up only in the events of its
 * own codes), which also counts the events of codes that nothing reads: a branch of their own cost
 * a small customer's query 8-11 ms, for rows that are seldom there.
 */
function branchesOf(shape: UsageShape): Branch[] {
  const read = new Map<string, { dims: number[]; values: number[] }>()
  const of = (code: string) => read.get(code) ?? read.set(code, { dims: [], values: [] }).get(code)!
  shape.dimensions.forEach((d, i) => d.codes.forEach((code) => of(code).dims.push(i)))
  shape.values.forEach((v, i) => v.codes.forEach((code) => of(code).values.push(i)))
  const alike = new Map<string, Branch>()
  for (const [code, r] of [...read].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const signature = r.dims.length === 0 ? 'no dimension' : JSON.stringify(r)
    const branch = alike.get(signature)
    if (!branch) alike.set(signature, { codes: [code], others: null, dims: r.dims, values: r.values })
    else {
      branch.codes.push(code)
      branch.values = [...new Set([...branch.values, ...r.values])].sort((a, b) => a - b)
    }
  }
  const readCodes = [...read.keys()]
  const others = (codes: string[]) => readCodes.filter((c) => !codes.includes(c)).sort()
  const counted = alike.get('no dimension')
  if (counted) counted.others = others(counted.codes)
  else alike.set('nothing', { codes: [], others: others([]), dims: [], values: [] })
  return [...alike.values()]
}

/** The branch for some of its codes only, with only what those read. */
function narrowed(shape: UsageShape, branch: Branch, codes: string[]): Branch {
  const readBy = (readers: string[]) => codes.some((c) => readers.includes(c))
  return {
    codes,
    others: null,
    dims: branch.dims.filter((i) => readBy(shape.dimensions[i]!.codes)),
    values: branch.values.filter((i) => readBy(shape.values[i]!.codes)),
  }
}

/** A column of the shape: a dimension or a value property. */
type Column = { kind: 'dimensions'; of: Dimension } | { kind: 'values'; of: ValueProperty }

/**
 * Which events of a branch read a column: those of the codes that read it and, on a page of
 * customers on different plans (UsagePage.plans), of the customers whose own plan reads it on that
 * code. Each event's plan is looked up once, as a number (the `plan` column: the place of its
 * customer's group in UsagePage.plans, from 1), so the page's customers are bound once, not again
 * per plan: a page's parameters stay the size of its list of customers (a server reads them from
 * the request's URL).
 */
class Readers {
  constructor(
    private readonly plans: PlanCustomers[] | undefined,
    private readonly bind: Bindings,
  ) {}

  /** SQL: the event's plan, for the conditions of sql(); none unless the page has its plans. */
  planColumn(customers: string[] | 'all'): string | null {
    if (this.plans === undefined || customers === 'all') return null
    const place = new Map<string, number>()
    this.plans.forEach((p, i) => p.customers.forEach((id) => place.set(id, i + 1)))
    const numbers = this.bind.numbers(customers.map((id) => place.get(id) ?? 0))
    return `transform(customer, {customers:Array(String)}, ${numbers}, toUInt16(0)) AS plan`
  }

  /** SQL: the condition that an event of the branch reads the column; null when every one does. */
  sql(branch: Branch, column: Column): string | null {
    const own = branch.codes
      .filter((c) => column.of.codes.includes(c))
      .map((code) => ({ code, plans: this.plansReading(column, code) }))
    const everyone = own.filter((o) => o.plans === 'all').map((o) => o.code)
    if (everyone.length === branch.codes.length && branch.others === null) return null
    const conditions = everyone.length > 0 ? [`code IN ${this.bind.strings(everyone)}`] : []
    for (const { code, plans } of own) {
      if (plans === 'all' || plans.length === 0) continue
      conditions.push(`(code = ${this.bind.string(code)} AND plan IN (${plans.join(', ')}))`)
    }
    if (conditions.length === 0) return '0'
    return conditions.length === 1 ? conditions[0]! : `(${conditions.join(' OR ')})`
  }

  /** The places (from 1) of the page's plans whose own shape reads the column on this code; 'all' when every one does. */
  private plansReading(column: Column, code: string): number[] | 'all' {
    if (this.plans === undefined) return 'all'
    const reads = (columns: readonly (Dimension | ValueProperty)[]) =>
      columns.some((c) => c.name === column.of.name && c.codes.includes(code))
    const reading = this.plans.flatMap((p, i) => (reads(p.shape[column.kind]) ? [i + 1] : []))
    return reading.length === this.plans.length ? 'all' : reading
  }
}

/** Conditions joined by AND, the missing ones left out. */
function allOf(...conditions: (string | null)[]): string {
  return conditions.filter((c) => c !== null).join(' AND ')
}

function codesSql(branch: Branch, bind: Bindings): string {
  if (branch.others === null) return `code IN ${bind.strings(branch.codes)}`
  return branch.others.length === 0 ? '1' : `code NOT IN ${bind.strings(branch.others)}`
}

/**
 * Per event of the branch: its dimension values, its value properties read as numbers, their
 * states, and the value of each unique property.
 */
function eventColumns(shape: UsageShape, branch: Branch, bind: Bindings, readers: Readers): string[] {
  // Dimensions and states are columns of their own, grouped by as scalars (faster than arrays).
  // A column some of the branch's codes do not read is NULL (missing) for their events.
  const columns = branch.dims.map((i) => {
    const d = shape.dimensions[i]!
    const p = bind.string(d.name)
    const has = allOf(readers.sql(branch, { kind: 'dimensions', of: d }), `mapContains(properties, ${p})`)
    return `if(${has}, properties[${p}], NULL) AS dim_${i}`
  })
  for (const i of branch.values) {
    const v = shape.values[i]!
    const p = bind.string(v.name)
    const reads = readers.sql(branch, { kind: 'values', of: v })
    const num = `toDecimal256OrNull(properties[${p}], ${VALUE_SCALE})`
    columns.push(
      `${reads === null ? num : `if(${reads}, ${num}, NULL)`} AS num_${i}`,
      `if(${allOf(reads, `mapContains(properties, ${p})`)}, if(isNull(num_${i}), 1, 2), 0) AS flag_${i}`,
    )
    if (v.unique) {
      columns.push(
        `if(flag_${i} != 0, properties[${p}], NULL) AS text_${i}`,
        `if(isNull(text_${i}), toUInt128(0), ${latestEventSql(bind)}) AS at_${i}`,
      )
    }
  }
  return columns
}

/**
 * The row's dimension values and states, as arrays: the branch's own from their columns, the others
 * none (NULL, missing), as for every event of a code that does not read them.
 */
function keysAndFlags(shape: UsageShape, branch: Branch): { keys: string; flags: string; groupBy: string } {
  const dims = shape.dimensions.map((_, i) => (branch.dims.includes(i) ? `dim_${i}` : 'NULL'))
  const flags = shape.values.map((_, i) => (branch.values.includes(i) ? `flag_${i}` : '0'))
  return {
    keys: `[${dims.join(', ')}]::Array(Nullable(String))`,
    flags: `[${flags.join(', ')}]::Array(UInt8)`,
    groupBy: [...branch.dims.map((i) => `dim_${i}`), ...branch.values.map((i) => `flag_${i}`)].join(', '),
  }
}

/**
 * The groups of the source's events, in the layout of valueLayouts. `sumsOnly` (the increments
 * before the period): the counts and sums, every other value NULL and every list empty.
 */
function groupsSql(
  shape: UsageShape,
  branch: Branch,
  source: string,
  bind: Bindings,
  options = { sumsOnly: false },
): string {
  const all = (sql: string) => (options.sumsOnly ? 'NULL' : sql)
  const vals: string[] = []
  shape.values.forEach((v, i) => {
    const read = branch.values.includes(i)
    const own = (sql: string) => (read ? sql : 'NULL')
    if (v.sum) vals.push(own(`toString(sum(num_${i}))`))
    if (v.max) vals.push(own(all(`toString(max(num_${i}))`)))
    if (v.latest) {
      vals.push(
        own(all(`toString(argMax(num_${i}, (ms, version)))`)),
        own(all(`toString(max(ms))`)),
        own(all(`toString(argMax(version, (ms, version)))`)),
      )
    }
    if (v.weighted) vals.push(own(all(`toString(sum(num_${i} * ({ends:Array(Int64)}[piece] - ms)))`)))
  })
  // Distinct values of each unique property in the period, each with its latest event (unique_count
  // charges merge them: a value counts when its latest event in the charge's events adds it); or,
  // where no two groups can hold the same value (countedUniques), only how many of them the row adds.
  const counted = countedUniques(shape)
  const latest = (i: number) => `maxMapIf(map(assumeNotNull(text_${i}), at_${i}), isNotNull(text_${i}))`
  const unique = (i: number) => shape.values[i]!.unique && branch.values.includes(i) && !options.sumsOnly
  const distinct = shape.values.map((_, i) =>
    unique(i) && !counted[i] ? `mapApply((v, at) -> (v, toString(at)), ${latest(i)})` : 'map()',
  )
  const added = shape.values.map((_, i) =>
    unique(i) && counted[i] ? `arrayCount(at -> bitAnd(at, toUInt128(1)) = 1, mapValues(${latest(i)}))` : '0',
  )
  // Single events, as (ms, version, value) in time order; only the first `first` when that is enough.
  const singles = shape.eventValues.map((e) => {
    const i = shape.values.findIndex((v) => v.name === e.property)
    if (options.sumsOnly || !branch.codes.includes(e.code)) {
      return '[]::Array(Tuple(String, String, String))'
    }
    // The value stays a decimal until the events are picked: toString on every event of every code
    // (the aggregate's argument is computed before its condition) cost 12 % of the query.
    const event = `(ms, version, assumeNotNull(num_${i}))`
    // Rows are grouped by code, so another code's events would never be read; not gathered either.
    const when = `code = ${bind.string(e.code)} AND flag_${i} = 2`
    const events =
      e.first === null
        ? `arraySort(groupArrayIf(${event}, ${when}))`
        : `groupArraySortedIf(${Math.floor(e.first)})(${event}, ${when})`
    return `arrayMap(e -> (toString(e.1), toString(e.2), toString(e.3)), ${events})`
  })
  const k = keysAndFlags(shape, branch)
  // The columns in the order of RawRow: readUsage reads them by place.
  return `    SELECT customer, toUInt32(piece) AS piece, toString(code) AS code,
           ${k.keys} AS keys, ${k.flags} AS flags, count() AS n,
           [${vals.join(', ')}]::Array(Nullable(String)) AS vals,
           [${distinct.join(', ')}]::Array(Map(String, String)) AS distinct,
           [${added.join(', ')}]::Array(UInt64) AS added,
           [${singles.join(', ')}]::Array(Array(Tuple(String, String, String))) AS singles
    FROM ${source}
    GROUP BY customer, piece, code${k.groupBy ? `, ${k.groupBy}` : ''}`
}

/**
 * Per value property: whether its distinct values are counted by the engine rather than listed.
 * They can be when the events of its codes are grouped by nothing but its own state: no dimension
 * and no other value property is read on those codes. A value's state follows from its text, so no
 * two groups of a customer's interval and code then hold the same value, and the values a charge
 * counts over several groups add up (a charge's groups are of one code). `invoice --all` at 100M
 * events ships 143,502 values of `seats` that way as 10,000 counts.
 */
export function countedUniques(shape: UsageShape): boolean[] {
  const readElsewhere = (code: string, own: number) =>
    shape.dimensions.some((d) => d.codes.includes(code)) ||
    shape.values.some((v, j) => j !== own && v.codes.includes(code))
  return shape.values.map((v, i) => v.unique && !v.codes.some((code) => readElsewhere(code, i)))
}

/**
 * SQL: where an event of a unique_count stands among the events of its value, in one number that
 * orders them as Lago does (by time, then here by version: the copy stored last), its lowest bit 1
 * when the event adds the value and 0 when it removes it (its `operation_type` is `remove`). The
 * value counts when the latest of its events in the interval adds it (addsValue). Timestamps are
 * from 1970 on (43 bits of ms), versions 64 bits: both fit in 128 bits with the operation.
 */
function latestEventSql(bind: Bindings): string {
  const adds = `toUInt128(properties[${bind.string(OPERATION_PROPERTY)}] != ${bind.string('remove')})`
  return `bitShiftLeft(toUInt128(ms), 65) + bitShiftLeft(toUInt128(version), 1) + ${adds}`
}

/** The event property that says whether a unique_count event adds its value or removes it, as in Lago. */
export const OPERATION_PROPERTY = 'operation_type'

interface Bindings {
  string(value: string): string
  strings(values: string[]): string
  numbers(values: number[]): string
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
    numbers(values) {
      const name = `v${n++}`
      params[name] = values
      return `{${name}:Array(UInt16)}`
    },
  }
}

/** ClickHouse reads `YYYY-MM-DD hh:mm:ss.sss` for a DateTime64(3, 'UTC') parameter. */
export function toDateTime64(ms: number | Date): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '')
}
