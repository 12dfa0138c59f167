// One customer's usage rows (src/store/usage.ts) folded into what each charge of its plan measured in
// each interval, and the events that no charge counted, with why. Each group of events goes to every
// charge whose code and filters it matches: its own plan's charges only. Pure.
import { Decimal } from '../money/decimal.js'
import type { Charge, Plan } from '../plans/types.js'
import { eventValuesNeeded } from '../pricing/models/index.js'
import type { UsageRow } from '../store/usage.js'
import type { BillingInterval } from './intervals.js'
import type { ChargeUsage, UnbilledEvents, UnbilledReason } from './types.js'
import { uniqueKey, uniqueMeasure, valueLayouts, type UsageShape, type ValueLayout } from './usage-shape.js'

export interface FoldedUsage {
  /** Per interval, in order: what each charge measured, per group. */
  intervals: ChargeUsage[][]
  unbilled: UnbilledEvents[]
  /** Events of the customer in the period. */
  events: number
}

/** What one charge gathered in one group of one interval, before it becomes units. */
interface Tally {
  charge: number
  values: string[]
  events: number
  invalid: number
  sum: Decimal
  max: Decimal | null
  latest: { ms: number; version: bigint; value: Decimal } | null
  /** weighted_sum: increments (sum) and their time-weighted integral to the interval's end. */
  weighted: Decimal
  unique: number
  eventValues: { ms: number; version: bigint; value: Decimal }[]
}

export function foldUsage(
  plan: Plan,
  shape: UsageShape,
  rows: Iterable<UsageRow>,
  intervals: readonly BillingInterval[],
): FoldedUsage {
  const fold = new Fold(plan, shape, intervals.length)
  for (const row of rows) fold.add(row)
  return fold.finish(intervals)
}

class Fold {
  private readonly layouts: ValueLayout[]
  private readonly dimension: Map<string, number>
  private readonly value: Map<string, number>
  /** tallies[interval] : key (charge, group) -> tally */
  private readonly tallies: Map<string, Tally>[]
  /** weighted_sum charges: increments before the period, by key. */
  private readonly carried = new Map<string, Decimal>()
  private readonly unbilled = new Map<string, UnbilledEvents>()
  private events = 0

  constructor(
    private readonly plan: Plan,
    private readonly shape: UsageShape,
    intervals: number,
  ) {
    this.layouts = valueLayouts(shape)
    this.dimension = new Map(shape.dimensions.map((d, i) => [d, i]))
    this.value = new Map(shape.values.map((v, i) => [v.name, i]))
    this.tallies = Array.from({ length: intervals }, () => new Map())
  }

  add(row: UsageRow): void {
    if (row.kind === 1) this.addGroup(row)
    else if (row.kind === 2) this.addUnique(row)
    else if (row.kind === 3) this.addCarried(row)
    else this.addEvent(row)
  }

  /** A group of events: to every matching charge; if none counts them, they are unbilled. */
  private addGroup(row: UsageRow): void {
    this.events += row.n
    let counted = false
    let matched = false
    let notNumber = false
    for (const [index, charge] of this.plan.charges.entries()) {
      if (!this.matches(charge, row)) continue
      matched = true
      const t = this.tally(row.piece, index, this.groupValues(charge, row))
      const { aggregation, property } = charge.metric
      if (aggregation === 'count') {
        t.events += row.n
        counted = true
        continue
      }
      const v = this.value.get(property!)!
      const flag = row.flags[v]
      if (aggregation === 'unique_count') {
        if (flag !== 0) {
          t.events += row.n
          counted = true
        }
        continue
      }
      if (flag === 1) {
        t.invalid += row.n
        notNumber = true
      }
      if (flag !== 2) continue
      counted = true
      t.events += row.n
      this.addValues(t, aggregation, this.layouts[v]!, row.vals)
    }
    if (!counted) {
      const reason: UnbilledReason = !matched
        ? this.plan.charges.some((c) => c.metric.code === row.code)
          ? 'filters'
          : 'no_charge'
        : notNumber
          ? 'not_a_number'
          : 'missing_property'
      this.addUnbilled(row.code, reason, row.n)
    }
  }

  private addValues(t: Tally, aggregation: string, layout: ValueLayout, vals: (string | null)[]): void {
    const at = (i: number | undefined) => (i === undefined ? null : vals[i]!)
    const sum = at(layout.sum)
    if ((aggregation === 'sum' || aggregation === 'weighted_sum') && sum !== null) t.sum = t.sum.plus(sum)
    if (aggregation === 'weighted_sum') {
      const w = at(layout.weighted)
      if (w !== null) t.weighted = t.weighted.plus(w)
    }
    if (aggregation === 'max') {
      const max = at(layout.max)
      if (max !== null && (t.max === null || t.max.lt(max))) t.max = new Decimal(max)
    }
    if (aggregation === 'latest' && layout.latest !== undefined) {
      const value = vals[layout.latest]
      const ms = Number(vals[layout.latest + 1])
      const version = BigInt(vals[layout.latest + 2] ?? 0)
      if (value !== null && value !== undefined && isLater(ms, version, t.latest)) {
        t.latest = { ms, version, value: new Decimal(value) }
      }
    }
  }

  private addUnique(row: UsageRow): void {
    const measure = this.shape.unique[row.flags[0]!]
    if (!measure) return
    const key = uniqueKey(measure)
    for (const [index, charge] of this.plan.charges.entries()) {
      if (charge.metric.aggregation !== 'unique_count') continue
      if (uniqueKey(uniqueMeasure(charge, charge.metric.property!)) !== key) continue
      const values = row.keys.map((k) => k ?? '')
      this.tally(row.piece, index, values).unique += Number(row.vals[0] ?? 0)
    }
  }

  private addCarried(row: UsageRow): void {
    for (const [index, charge] of this.plan.charges.entries()) {
      if (charge.metric.aggregation !== 'weighted_sum' || !this.matches(charge, row)) continue
      const v = this.value.get(charge.metric.property!)!
      const increment = row.vals[v]
      if (row.flags[v] !== 2 || increment === null || increment === undefined) continue
      const key = keyOf(index, this.groupValues(charge, row))
      this.carried.set(key, (this.carried.get(key) ?? new Decimal(0)).plus(increment))
    }
  }

  private addEvent(row: UsageRow): void {
    const [value, ms, version] = row.vals
    if (value === null || value === undefined) return
    for (const [index, charge] of this.plan.charges.entries()) {
      if (charge.model !== 'percentage' || !this.matches(charge, row)) continue
      this.tally(row.piece, index, this.groupValues(charge, row)).eventValues.push({
        ms: Number(ms),
        version: BigInt(version ?? 0),
        value: new Decimal(value),
      })
    }
  }

  private matches(charge: Charge, row: UsageRow): boolean {
    if (charge.metric.code !== row.code) return false
    for (const [property, values] of Object.entries(charge.filters)) {
      const v = row.keys[this.dimension.get(property)!]
      if (v === null || v === undefined || !values.includes(v)) return false
    }
    return true
  }

  /** The charge's group_by values of a row ('' where its events have none). */
  private groupValues(charge: Charge, row: UsageRow): string[] {
    return charge.groupBy.map((g) => row.keys[this.dimension.get(g)!] ?? '')
  }

  private tally(piece: number, charge: number, values: string[]): Tally {
    const tallies = this.tallies[piece - 1]!
    const key = keyOf(charge, values)
    let t = tallies.get(key)
    if (!t) {
      t = {
        charge,
        values,
        events: 0,
        invalid: 0,
        sum: new Decimal(0),
        max: null,
        latest: null,
        weighted: new Decimal(0),
        unique: 0,
        eventValues: [],
      }
      tallies.set(key, t)
    }
    return t
  }

  private addUnbilled(code: string, reason: UnbilledReason, events: number): void {
    const key = JSON.stringify([code, reason])
    const u = this.unbilled.get(key) ?? { code, reason, events: 0 }
    u.events += events
    this.unbilled.set(key, u)
  }

  finish(intervals: readonly BillingInterval[]): FoldedUsage {
    // weighted_sum: the level at each interval's start is what came before it, in the period too.
    const level = new Map(this.carried)
    const folded = intervals.map((interval, k) => {
      const tallies = this.tallies[k]!
      for (const key of level.keys()) {
        const [charge, values] = JSON.parse(key) as [number, string[]]
        if (!tallies.has(key)) this.tally(k + 1, charge, values)
      }
      const usage: ChargeUsage[] = []
      for (const [key, t] of tallies) {
        const charge = this.plan.charges[t.charge]!
        usage.push(this.usageOf(charge, t, interval, level.get(key) ?? new Decimal(0)))
        if (charge.metric.aggregation === 'weighted_sum') {
          level.set(key, (level.get(key) ?? new Decimal(0)).plus(t.sum))
        }
      }
      return usage
    })
    const unbilled = [...this.unbilled.values()].sort(
      (a, b) => b.events - a.events || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
    )
    return { intervals: folded, unbilled, events: this.events }
  }

  private usageOf(charge: Charge, t: Tally, interval: BillingInterval, carried: Decimal): ChargeUsage {
    const group = Object.fromEntries(charge.groupBy.map((g, i) => [g, t.values[i] ?? '']))
    const usage: ChargeUsage = {
      charge: t.charge,
      group,
      units: unitsOf(charge, t, interval, carried),
      events: t.events,
      invalid: t.invalid,
    }
    // A percentage charge on a count metric: each event is one unit.
    if (
      charge.model === 'percentage' &&
      charge.metric.aggregation === 'count' &&
      eventValuesNeeded(charge) !== 'none'
    ) {
      usage.eventValues = Array.from({ length: t.events }, () => new Decimal(1))
    } else if (t.eventValues.length > 0) {
      usage.eventValues = t.eventValues
        .sort((a, b) => a.ms - b.ms || (a.version < b.version ? -1 : a.version > b.version ? 1 : 0))
        .map((e) => e.value)
    }
    return usage
  }
}

/** The aggregated units of a tally, as the metric defines them. */
function unitsOf(charge: Charge, t: Tally, interval: BillingInterval, carried: Decimal): Decimal {
  switch (charge.metric.aggregation) {
    case 'count':
      return new Decimal(t.events)
    case 'sum':
      return t.sum
    case 'unique_count':
      return new Decimal(t.unique)
    case 'max':
      return t.max ?? new Decimal(0)
    case 'latest':
      // A negative latest value counts as no units, as Lago's latest aggregation has it.
      return t.latest === null ? new Decimal(0) : Decimal.max(0, t.latest.value)
    case 'weighted_sum': {
      // The running total, held over the part of the interval billed, over the whole interval's time
      // (Lago's weighted sum): the level carried in for all of the part, each increment from its time.
      const part = interval.to.getTime() - interval.from.getTime()
      const whole = interval.whole.to.getTime() - interval.whole.from.getTime()
      return carried.times(part).plus(t.weighted).div(whole)
    }
  }
}

function isLater(ms: number, version: bigint, than: { ms: number; version: bigint } | null): boolean {
  return than === null || ms > than.ms || (ms === than.ms && version > than.version)
}

function keyOf(charge: number, values: string[]): string {
  return JSON.stringify([charge, values])
}
