// What each stored event fed: the charges of the customer's plan that counted it, with the group it
// counted in, or why none did. Pure; the same rules as the invoice (charge-match.ts).
import type { Plan } from '../plans/types.js'
import type { StoredEvent } from '../store/events-read.js'
import {
  counts,
  groupValues,
  matches,
  unbilledReason,
  type EventFacts,
  type ValueState,
} from './charge-match.js'
import type { UnbilledReason } from './types.js'
import type { UsageShape } from './usage-shape.js'

export interface FedCharge {
  /** Index of the charge in the plan. */
  charge: number
  metric: string
  model: string
  group: Record<string, string> | null
}

export interface EventCharges {
  event: StoredEvent
  charges: FedCharge[]
  /** Set when no charge counted the event. */
  unbilled: UnbilledReason | null
}

export function chargesOf(plan: Plan, shape: Pick<UsageShape, 'values'>, event: StoredEvent): EventCharges {
  const value = new Map(shape.values.map((v, i) => [v.name, i]))
  const facts: EventFacts = {
    code: event.code,
    dimension: (p) => (Object.hasOwn(event.properties, p) ? event.properties[p]! : null),
    value: (p) => (event.valueStates[value.get(p) ?? -1] ?? 0) as ValueState,
  }
  const matched = plan.charges.filter((c) => matches(c, facts))
  const charges = plan.charges.flatMap((charge, index) =>
    matches(charge, facts) && counts(charge, facts)
      ? [
          {
            charge: index,
            metric: charge.metric.name,
            model: charge.model,
            group:
              charge.groupBy.length > 0
                ? Object.fromEntries(charge.groupBy.map((g, i) => [g, groupValues(charge, facts)[i]!]))
                : null,
          },
        ]
      : [],
  )
  return { event, charges, unbilled: charges.length > 0 ? null : unbilledReason(plan, facts, matched) }
}
