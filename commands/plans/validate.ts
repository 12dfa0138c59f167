import * as Args from '@oclif/core/args'
import { Command } from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'
import { plansFlag } from '../../src/cli/flags.js'
import { loadDocumentSettings } from '../../src/documents/seller.js'
import { formatProblem, loadPlans } from '../../src/plans/load.js'

export default class PlansValidate extends Command {
  static override description =
    'Check every plan file, metrics.yaml, customers.yaml and billing.yaml of a plans folder; print each problem as file:line:col  path  message'

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> ./plans',
    '<%= config.bin %> <%= command.id %> --json',
  ]

  static override args = {
    dir: Args.string({ description: 'plans folder (default: the --plans folder)' }),
  }

  static override flags = {
    plans: plansFlag,
    json: Flags.boolean({ description: 'print { ok, plans, customers, problems } as JSON' }),
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PlansValidate)
    const dir = args.dir ?? flags.plans
    const { catalog, problems: planProblems } = await loadPlans(dir)
    const problems = [...planProblems, ...(await loadDocumentSettings(dir)).problems]
    if (problems.length > 0) process.exitCode = 1

    if (flags.json) {
      const ok = problems.length === 0
      this.log(
        JSON.stringify(
          { ok, plans: catalog.plans.size, customers: catalog.customers.size, problems },
          null,
          2,
        ),
      )
      return
    }
    if (problems.length === 0) {
      this.log(`${catalog.plans.size} plans, ${catalog.customers.size} customers: OK`)
      return
    }
    for (const problem of problems) this.log(formatProblem(problem))
    this.logToStderr(problems.length === 1 ? '1 problem' : `${problems.length} problems`)
  }
}
