// One customer's usage rows (src/store/usage.ts) folded into what each charge of its plan measured in
// each interval, and the events that no charge counted, with why. Each group of events goes to every
// charge whose code and filters it matches: its own plan's charges only. Pure.
import { Decimal } from '../money/decimal.js'
import type { Charge, Plan } from '../plans/types.js'
import { hasPerEventBounds, runningTotalOf } from '../pricing/models/index.js'
import { addsValue, isLaterPlace, type EventPlace, type UsageRow } from '../store/usage.js'
import type { BillingInterval } from './intervals.js'
import {
  counts,
  groupValues,
  matches,
  readsNonNumber,
  unbilledReason,
  type EventFacts,
  type ValueState,
} from './charge-match.js'
import type { ChargeUsage, UnbilledEvents, UnbilledReason } from './types.js'
import { carries, valueLayouts, type UsageShape, type ValueLayout } from './usage-shape.js'

export interface FoldedUsage {
  /** Per interval, in order: what each charge measured, per group. */
  intervals: ChargeUsage[][]
  unbilled: UnbilledEvents[]
  /** Events whose value was not a number, by charge index: they add nothing to it. */
  invalid: Map<number, number>
  /** Events of the customer in the period. */
  events: number
}

/** What one charge gathered in one group of one interval, before it becomes units. */
interface Tally {
  charge: number
  values: string[]
  events: number
  sum: Decimal
  max: Decimal | null
  latest: { ms: number; version: bigint; value: Decimal } | null
  /** weighted_sum: increments (sum) and their time-weighted integral to the interval's end. */
  weighted: Decimal
  /** unique_count: the distinct values seen, each with the place of its latest event. */
  unique: Map<string, EventPlace>
  /** unique_count: values counted by the engine, apart from those in `unique` (none of them among those). */
  added: number
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

/** What a fold needs of a plan and a shape, worked out once for all of the plan's customers. */
interface PlanIndex {
  layouts: ValueLayout[]
  dimension: Map<string, number>
  value: Map<string, number>
  /** The plan's charges on each code, with their places in the plan. */
  byCode: Map<string, { charge: Charge; index: number }[]>
}

const indexes = new WeakMap<UsageShape, WeakMap<Plan, PlanIndex>>()

function planIndex(plan: Plan, shape: UsageShape): PlanIndex {
  const known = indexes.get(shape) ?? indexes.set(shape, new WeakMap()).get(shape)!
  let index = known.get(plan)
  if (!index) {
    const byCode = new Map<string, { charge: Charge; index: number }[]>()
    plan.charges.forEach((charge, i) => {
      const list =
        byCode.get(charge.metric.code) ?? byCode.set(charge.metric.code, []).get(charge.metric.code)!
      list.push({ charge, index: i })
    })
    index = {
      layouts: valueLayouts(shape),
      dimension: new Map(shape.dimensions.map((d, i) => [d.name, i])),
      value: new Map(shape.values.map((v, i) => [v.name, i])),
      byCode,
    }
    known.set(plan, index)
  }
  return index
}

const NO_CHARGES: { charge: Charge; index: number }[] = []

/** A tally's sums start here: one instance, since Decimals are immutable. */
const ZERO = new Decimal(0)

class Fold {
  private readonly index: PlanIndex
  /** tallies[interval] : key (charge, group) -> tally */
  private readonly tallies: Map<string, Tally>[]
  /** Recurring weighted_sum charges: increments before the period, by key. */
  private readonly carried = new Map<string, Decimal>()
  private readonly unbilled = new Map<string, UnbilledEvents>()
  /** Events whose value was not a number, by charge: they add nothing to it. */
  private readonly invalid = new Map<number, number>()
  private events = 0

  constructor(
    private readonly plan: Plan,
    private readonly shape: UsageShape,
    intervals: number,
  ) {
    this.index = planIndex(plan, shape)
    this.tallies = Array.from({ length: intervals }, () => new Map())
  }

  add(row: UsageRow): void {
    if (row.piece === 0) this.addCarried(row)
    else this.addGroup(row)
  }

  /** A group of events: to every matching charge; if none counts them, they are unbilled. */
  private addGroup(row: UsageRow): void {
    this.events += row.n
    const facts = this.factsOf(row)
    const matched = (this.index.byCode.get(row.code) ?? NO_CHARGES).filter(({ charge }) =>
      matches(charge, facts),
    )
    let counted = false
    for (const { charge, index } of matched) {
      const { aggregation, property } = charge.metric
      if (readsNonNumber(charge, facts)) {
        this.invalid.set(index, (this.invalid.get(index) ?? 0) + row.n)
      }
      if (!counts(charge, facts)) continue
      counted = true
      const t = this.tally(row.piece, index, groupValues(charge, facts))
      t.events += row.n
      if (property === undefined) continue
      const v = this.index.value.get(property)!
      if (aggregation === 'unique_count') {
        addDistinct(t.unique, row.distinct[v])
        t.added += row.added[v] ?? 0
      } else this.addValues(t, aggregation, this.index.layouts[v]!, row.vals)
      if (charge.model === 'percentage') this.addSingles(t, charge, row)
    }
    if (!counted) {
      const reason = unbilledReason(
        this.plan,
        facts,
        matched.map((m) => m.charge),
      )
      this.addUnbilled(row.code, reason, row.n)
    }
  }

  /** A row's code, dimension values and value states, as the matching rules read them. */
  private factsOf(row: UsageRow): EventFacts {
    return {
      code: row.code,
      dimension: (p) => row.keys[this.index.dimension.get(p)!],
      value: (p) => (row.flags[this.index.value.get(p)!] ?? 0) as ValueState,
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

  private addCarried(row: UsageRow): void {
    const facts = this.factsOf(row)
    for (const [index, charge] of this.plan.charges.entries()) {
      if (!carries(charge.metric) || !matches(charge, facts) || !counts(charge, facts)) continue
      // The increments before the period: the sum column of the metric's own property.
      const at = this.index.layouts[this.index.value.get(charge.metric.property!)!]!.sum
      const increment = at === undefined ? null : row.vals[at]
      if (increment === null || increment === undefined) continue
      const key = keyOf(index, groupValues(charge, facts))
      this.carried.set(key, (this.carried.get(key) ?? new Decimal(0)).plus(increment))
    }
  }

  /** The single events of a percentage charge's code and property, where its rules read them. */
  private addSingles(t: Tally, charge: Charge, row: UsageRow): void {
    const { code, property } = charge.metric
    const j = this.shape.eventValues.findIndex((e) => e.code === code && e.property === property)
    for (const e of row.singles[j] ?? []) {
      t.eventValues.push({ ms: e.ms, version: e.version, value: new Decimal(e.value) })
    }
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
        sum: ZERO,
        max: null,
        latest: null,
        weighted: ZERO,
        unique: new Map(),
        added: 0,
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
    // A recurring weighted_sum: the level at each interval's start is what came before it, in the
    // period too. A metered one starts each interval at 0.
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
        if (carries(charge.metric)) {
          level.set(key, (level.get(key) ?? new Decimal(0)).plus(t.sum))
        }
      }
      return usage
    })
    const unbilled = [...this.unbilled.values()].sort(
      (a, b) => b.events - a.events || compare(a.code, b.code) || compare(a.reason, b.reason),
    )
    return { intervals: folded, unbilled, invalid: this.invalid, events: this.events }
  }

  private usageOf(charge: Charge, t: Tally, interval: BillingInterval, carried: Decimal): ChargeUsage {
    const group = Object.fromEntries(charge.groupBy.map((g, i) => [g, t.values[i] ?? '']))
    const usage: ChargeUsage = {
      charge: t.charge,
      group,
      units: unitsOf(charge, t, interval, carried),
      events: t.events,
    }
    if (charge.model === 'percentage') Object.assign(usage, percentageShares(charge, t))
    return usage
  }
}

/**
 * What a percentage charge's rules read of its events, as Lago's aggregations give them: how the units
 * build up (a unique_count's "events" are its distinct values, but with per-event bounds every event
 * is one), and each event's share of the units in time order: a sum's values, or a max's, where only
 * the first event holding the maximum has a share.
 */
function percentageShares(
  charge: Charge,
  t: Tally,
): Pick<ChargeUsage, 'events' | 'eventValues' | 'runningTotal'> {
  const { aggregation } = charge.metric
  const runningTotal = runningTotalOf(aggregation)
  const bounds = charge.model === 'percentage' && hasPerEventBounds(charge)
  const events = aggregation === 'unique_count' && !bounds ? uniqueCount(t) : t.events
  if (t.eventValues.length === 0) return { events, runningTotal }
  const values = t.eventValues
    .sort((a, b) => a.ms - b.ms || (a.version < b.version ? -1 : a.version > b.version ? 1 : 0))
    .map((e) => e.value)
  return { events, runningTotal, eventValues: aggregation === 'max' ? firstMaximumOnly(values) : values }
}

/** Max's per-event values, as Lago's: the first event holding the maximum keeps it, the others 0. */
function firstMaximumOnly(values: Decimal[]): Decimal[] {
  // A loop, not Decimal.max(...values): spread over 150,000 values, that overflows the stack.
  let first = 0
  for (let i = 1; i < values.length; i++) if (values[i]!.gt(values[first]!)) first = i
  return values.map((v, i) => (i === first ? v : ZERO))
}

/** The aggregated units of a tally, as the metric defines them. */
function unitsOf(charge: Charge, t: Tally, interval: BillingInterval, carried: Decimal): Decimal {
  switch (charge.metric.aggregation) {
    case 'count':
      return new Decimal(t.events)
    case 'sum':
      return t.sum
    case 'unique_count':
      return new Decimal(uniqueCount(t))
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

/** A row's distinct values into a tally's: each value keeps its latest event. */
function addDistinct(into: Map<string, EventPlace>, values: Record<string, EventPlace> | undefined): void {
  for (const [value, at] of Object.entries(values ?? {})) {
    const known = into.get(value)
    if (known === undefined || isLaterPlace(at, known)) into.set(value, at)
  }
}

/**
 * Lago's unique count: the values whose latest event in the interval adds them. A value removed
 * (`operation_type: remove`) and not added again after does not count, nor one only ever removed.
 */
function uniqueCount(t: Tally): number {
  let n = t.added
  for (const at of t.unique.values()) if (addsValue(at)) n++
  return n
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function isLater(ms: number, version: bigint, than: { ms: number; version: bigint } | null): boolean {
  return than === null || ms > than.ms || (ms === than.ms && version > than.version)
}

function keyOf(charge: number, values: string[]): string {
  return JSON.stringify([charge, values])
}
