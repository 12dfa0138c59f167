import * as Flags from '@oclif/core/flags'
import { catalogFromFlag } from '../src/cli/catalog.js'
import { StoreCommand } from '../src/cli/command.js'
import { plansFlag } from '../src/cli/flags.js'
import { listEvents } from '../src/invoices/events.js'
import { currentPeriod, periodFromFlags } from '../src/invoices/period.js'
import { eventsJson, eventsTable } from '../src/render/events.js'

export default class Events extends StoreCommand {
  static override description =
    "A customer's stored events (the newest copy of each), newest first, each with the charges of its plan that billed it, or why none did. Reads only that customer's events of the period."

  static override examples = [
    '<%= config.bin %> events --customer acme --period 2026-10',
    '<%= config.bin %> events --customer acme --code payment --json',
    '<%= config.bin %> events --customer acme --transaction-id tx_42 --period 2026',
    '<%= config.bin %> events --customer acme --limit 100 --offset 100',
  ]

  static override flags = {
    customer: Flags.string({ description: 'customer id', required: true }),
    period: Flags.string({
      description: "2026-10 (month), 2026-Q4, 2026-W41 or 2026 (default: the plan's current interval)",
    }),
    from: Flags.string({ description: 'start of the period (ISO-8601; a date means its midnight UTC)' }),
    to: Flags.string({ description: 'end of the period, excluded' }),
    code: Flags.string({ description: 'only events of this code' }),
    'transaction-id': Flags.string({ description: 'only the event with this transaction id' }),
    plan: Flags.string({ description: 'explain with this plan instead of the one in customers.yaml' }),
    limit: Flags.integer({ description: 'events a page shows', default: 50, min: 1, max: 10_000 }),
    offset: Flags.integer({
      description: 'events to skip (newest first), for the next pages',
      default: 0,
      min: 0,
    }),
    json: Flags.boolean({ description: 'print one JSON document' }),
    plans: plansFlag,
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Events)
    const catalog = await catalogFromFlag(flags.plans, this)
    const store = await this.openStore(flags, 'read')
    const page = await listEvents(store, catalog, {
      customer: flags.customer,
      plan: flags.plan,
      period: (interval) => periodFromFlags(flags, () => currentPeriod(interval)),
      code: flags.code,
      transactionId: flags['transaction-id'],
      limit: flags.limit,
      offset: flags.offset,
    })
    this.log(flags.json ? JSON.stringify(eventsJson(page)) : eventsTable(page))
  }
}
