// Which charges of a plan an event feeds: its code must be the metric's, its properties must pass the
// charge's filters, and a metric that reads a value must find one (a number, for numeric metrics).
// One rule for invoices (usage-fold.ts) and for `billing events`.
import type { Charge, Plan } from '../plans/types.js'
import type { UnbilledReason } from './types.js'

/** The state of a property's value on an event: missing, present but not a number, a number. */
export type ValueState = 0 | 1 | 2

export interface EventFacts {
  code: string
  /** A filter or group property's value, null when the event does not have it. */
  dimension(property: string): string | null | undefined
  /** The state of the value a metric reads. */
  value(property: string): ValueState
}

export function matches(charge: Charge, event: EventFacts): boolean {
  if (charge.metric.code !== event.code) return false
  for (const [property, values] of Object.entries(charge.filters)) {
    const v = event.dimension(property)
    if (v === null || v === undefined || !values.includes(v)) return false
  }
  return true
}

/** Whether a matching charge counts the event: count always; unique_count when the value is there; others when it is a number. */
export function counts(charge: Charge, event: EventFacts): boolean {
  const { aggregation, property } = charge.metric
  if (aggregation === 'count') return true
  const state = event.value(property!)
  return aggregation === 'unique_count' ? state !== 0 : state === 2
}

/** The charge's group_by values for the event ('' where it has none). */
export function groupValues(charge: Charge, event: EventFacts): string[] {
  return charge.groupBy.map((g) => event.dimension(g) ?? '')
}

/** Why no charge counted an event that `matched` charges (or none) of the plan. */
export function unbilledReason(plan: Plan, event: EventFacts, matched: Charge[]): UnbilledReason {
  if (matched.length === 0) {
    return plan.charges.some((c) => c.metric.code === event.code) ? 'filters' : 'no_charge'
  }
  return matched.some((c) => readsNonNumber(c, event)) ? 'not_a_number' : 'missing_property'
}

/** Whether the charge's metric reads a number from a property the event has as something else. */
export function readsNonNumber(charge: Charge, event: EventFacts): boolean {
  const { property, aggregation } = charge.metric
  return property !== undefined && aggregation !== 'unique_count' && event.value(property) === 1
}
