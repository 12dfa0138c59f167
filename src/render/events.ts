// `billing events`: a customer's stored events, each with the charges it fed, for people and programs.
import Table from 'cli-table3'
import type { EventCharges } from '../invoices/event-charges.js'
import type { Period } from '../invoices/types.js'
import { UNBILLED_REASONS } from './invoice.js'

export interface EventsPage {
  customer: string
  plan: string | null
  period: Period
  offset: number
  events: EventCharges[]
  /** Where the next page starts, when there is one. */
  nextOffset: number | null
}

const NO_PLAN = 'the customer has no plan'

export function eventsJson(page: EventsPage) {
  return {
    customer: page.customer,
    plan: page.plan,
    period: { from: page.period.from.toISOString(), to: page.period.to.toISOString() },
    offset: page.offset,
    events: page.events.map(({ event, charges, unbilled }) => ({
      transaction_id: event.transactionId,
      code: event.code,
      timestamp: event.timestamp.toISOString(),
      properties: event.properties,
      ingested_at: event.ingestedAt.toISOString(),
      charges,
      unbilled: page.plan === null ? 'no_plan' : unbilled,
    })),
    next_offset: page.nextOffset,
  }
}

export function eventsTable(page: EventsPage): string {
  const head = `Events of ${page.customer} (plan ${page.plan ?? 'none'}), ${page.period.from.toISOString()} .. ${page.period.to.toISOString()}, newest first`
  if (page.events.length === 0) return `${head}\nno events${page.offset > 0 ? ' on this page' : ''}`
  const table = new Table({
    head: ['Time', 'Code', 'Transaction id', 'Properties', 'Billed by'],
    style: { head: [], border: [], compact: true },
    wordWrap: true,
    colWidths: [26, 16, 38, 36, 40],
  })
  for (const { event, charges, unbilled } of page.events) {
    const props = Object.entries(event.properties)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')
    const billed =
      page.plan === null
        ? `not billed: ${NO_PLAN}`
        : charges.length > 0
          ? charges.map((c) => (c.group ? `${c.metric} ${JSON.stringify(c.group)}` : c.metric)).join(', ')
          : `not billed: ${UNBILLED_REASONS[unbilled!]}`
    table.push([event.timestamp.toISOString(), event.code, event.transactionId, props, billed])
  }
  const first = page.offset + 1
  const last = page.offset + page.events.length
  const more = page.nextOffset === null ? '' : `; the next page: --offset ${page.nextOffset}`
  return `${head}\n${table.toString()}\nevents ${first}-${last}${more}`
}
