// `billing events`: a page of a customer's stored events, each with what it fed in the customer's
// plan. A customer without a plan still sees its events (none of them billed).
import type { Catalog, Interval } from '../plans/types.js'
import { readEvents } from '../store/events-read.js'
import type { Store } from '../store/store.js'
import type { EventsPage } from '../render/events.js'
import { chargesOf } from './event-charges.js'
import { planFor } from './invoice.js'
import type { Period } from './types.js'
import { usageShape } from './usage-shape.js'

export interface EventsRequest {
  customer: string
  plan?: string
  /** The period, given the plan's interval (the customer's plan, or monthly without one). */
  period: (interval: Interval) => Period
  code?: string
  transactionId?: string
  limit: number
  offset: number
}

export async function listEvents(
  store: Store,
  catalog: Catalog,
  request: EventsRequest,
): Promise<EventsPage> {
  const hasPlan = request.plan !== undefined || catalog.customers.has(request.customer)
  const plan = hasPlan ? planFor(catalog, request.customer, request.plan) : null
  const period = request.period(plan?.interval ?? 'monthly')
  const shape = plan ? usageShape([plan]) : { values: [] }
  // One more than a page, to know whether there is a next one.
  const events = await readEvents(store, shape, {
    customer: request.customer,
    period,
    code: request.code,
    transactionId: request.transactionId,
    limit: request.limit + 1,
    offset: request.offset,
  })
  const page = events.slice(0, request.limit)
  return {
    customer: request.customer,
    plan: plan?.code ?? null,
    period,
    offset: request.offset,
    events: page.map((event) =>
      plan ? chargesOf(plan, shape, event) : { event, charges: [], unbilled: null },
    ),
    nextOffset: events.length > request.limit ? request.offset + request.limit : null,
  }
}
