import { Command } from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'
import { catalogFromFlag } from '../../src/cli/catalog.js'
import { plansFlag } from '../../src/cli/flags.js'
import { planJson, renderPlanList } from '../../src/render/plans.js'

export default class PlansList extends Command {
  static override description =
    'List the plans of the plans folder: code, name, currency, interval, fees, charges'

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --plans ./examples/plans',
    '<%= config.bin %> <%= command.id %> --json',
  ]

  static override flags = {
    plans: plansFlag,
    json: Flags.boolean({ description: 'print the plans, in full, as a JSON array' }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(PlansList)
    const catalog = await catalogFromFlag(flags.plans, this)
    const plans = [...catalog.plans.values()].sort((a, b) => a.code.localeCompare(b.code))
    this.log(flags.json ? JSON.stringify(plans.map(planJson), null, 2) : renderPlanList(plans))
  }
}
