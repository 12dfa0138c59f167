// What the store must measure for a set of plans, read off their charges: the event codes, the
// properties that filters and groups look at ("dimensions"), the properties metrics read values from,
// and which aggregates each of those needs. The store groups the period's events by customer,
// interval, code, dimension values and the state of each value property (missing, not a number,
// a number); the fold (usage-fold.ts) then gives each charge the groups it matches. Pure.
import type { BillableMetric, Charge, Plan } from '../plans/types.js'
import { eventValuesNeeded } from '../pricing/models/index.js'

/** A property a metric reads values from, and what is asked of it. */
export interface ValueProperty {
  name: string
  /** The codes of the events it is read from (for other codes it counts as missing). */
  codes: string[]
  sum: boolean
  max: boolean
  latest: boolean
  /** Time-weighted within the interval (weighted_sum). */
  weighted: boolean
  /** Its distinct values (unique_count: distinct counts do not add up, the values do). */
  unique: boolean
}

/** A percentage charge whose rules look at single events: their values, in time order. */
export interface EventValues {
  code: string
  property: string
  /** The first this many events of each group are enough; null: all of them. */
  first: number | null
}

/** A property filters or groups look at, and the codes of the charges that do (for others it is not read). */
export interface Dimension {
  name: string
  codes: string[]
}

export interface UsageShape {
  dimensions: Dimension[]
  values: ValueProperty[]
  /** Codes of recurring weighted_sum metrics: their increments before the period carry in. */
  carriedCodes: string[]
  eventValues: EventValues[]
}

/** Where each aggregate of each value property sits in a group's `vals` (see src/store/usage-sql.ts). */
export interface ValueLayout {
  sum?: number
  max?: number
  /** The latest value, its time (ms) and version. */
  latest?: number
  weighted?: number
}

export function usageShape(plans: readonly Plan[]): UsageShape {
  const charges = plans.flatMap((p) => p.charges)
  const dimensions = new Map<string, Set<string>>()
  const values = new Map<string, ValueProperty>()
  const eventValues = new Map<string, EventValues>()
  for (const charge of charges) {
    const { code, aggregation, property } = charge.metric
    for (const name of [...Object.keys(charge.filters), ...charge.groupBy]) {
      dimensions.set(name, (dimensions.get(name) ?? new Set()).add(code))
    }
    if (property === undefined) continue
    const value = values.get(property) ?? {
      name: property,
      codes: [],
      sum: false,
      max: false,
      latest: false,
      weighted: false,
      unique: false,
    }
    if (!value.codes.includes(code)) value.codes.push(code)
    if (aggregation === 'sum') value.sum = true
    if (aggregation === 'max') value.max = true
    if (aggregation === 'latest') value.latest = true
    if (aggregation === 'weighted_sum') value.weighted = value.sum = true
    if (aggregation === 'unique_count') value.unique = true
    values.set(property, value)
    if (charge.model === 'percentage') addEventValues(eventValues, charge, property)
  }
  return {
    dimensions: [...dimensions]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, codes]) => ({ name, codes: [...codes].sort() })),
    values: [...values.values()].sort((a, b) => (a.name < b.name ? -1 : 1)),
    carriedCodes: [...new Set(charges.filter((c) => carries(c.metric)).map((c) => c.metric.code))].sort(),
    eventValues: [...eventValues.values()],
  }
}

/** A recurring weighted_sum: its running total carries in from before the period and across intervals. */
export function carries(metric: BillableMetric): boolean {
  return metric.aggregation === 'weighted_sum' && metric.recurring === true
}

/** Offsets of each value property's aggregates in `vals`, in the order of shape.values. */
export function valueLayouts(shape: UsageShape): ValueLayout[] {
  let at = 0
  return shape.values.map((v) => {
    const layout: ValueLayout = {}
    if (v.sum) layout.sum = at++
    if (v.max) layout.max = at++
    if (v.latest) {
      layout.latest = at
      at += 3
    }
    if (v.weighted) layout.weighted = at++
    return layout
  })
}

function addEventValues(into: Map<string, EventValues>, charge: Charge, property: string): void {
  if (charge.model !== 'percentage') return
  const need = eventValuesNeeded(charge, charge.metric.aggregation)
  if (need === 'none') return
  const key = JSON.stringify([charge.metric.code, property])
  const first = need === 'all' ? null : need.first
  const known = into.get(key)
  if (!known) into.set(key, { code: charge.metric.code, property, first })
  else if (known.first !== null) known.first = first === null ? null : Math.max(known.first, first)
}
