import * as Args from '@oclif/core/args'
import { Command } from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'
import { catalogFromFlag } from '../../src/cli/catalog.js'
import { plansFlag } from '../../src/cli/flags.js'
import { planJson, renderPlan } from '../../src/render/plans.js'

export default class PlansShow extends Command {
  static override description = 'Show one plan: its fees, charges, tiers and the metrics they read'

  static override examples = [
    '<%= config.bin %> <%= command.id %> pro',
    '<%= config.bin %> <%= command.id %> pro --json',
  ]

  static override args = {
    code: Args.string({ description: 'the plan code', required: true }),
  }

  static override flags = {
    plans: plansFlag,
    json: Flags.boolean({ description: 'print the plan as JSON' }),
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PlansShow)
    const catalog = await catalogFromFlag(flags.plans, this)
    const plan = catalog.plans.get(args.code)
    if (!plan) {
      const codes = [...catalog.plans.keys()].sort().join(', ') || 'none'
      this.error(`no plan ${JSON.stringify(args.code)} in ${flags.plans} (plans: ${codes})`, { exit: 1 })
    }
    this.log(flags.json ? JSON.stringify(planJson(plan), null, 2) : renderPlan(plan))
  }
}
