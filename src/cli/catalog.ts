// Loads the plans folder for a command; problems are printed as file:line:col and stop the command.
// A folder unchanged since it last loaded without problems comes from the catalog cache.
import type { Command } from '@oclif/core/command'
import { loadPlansCached } from '../plans/catalog-cache.js'
import { formatProblem } from '../plans/problems.js'
import type { Catalog } from '../plans/types.js'
import { EXIT } from './exit-codes.js'

export async function catalogFromFlag(dir: string, command: Command): Promise<Catalog> {
  let loaded
  try {
    loaded = await loadPlansCached(dir)
  } catch (e) {
    return command.error((e as Error).message, { exit: EXIT.usage })
  }
  const { catalog, problems } = loaded
  if (problems.length > 0) {
    for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`)
    command.error(
      `${problems.length} problem(s) in the plans folder ${dir}: fix them first (billing plans validate ${dir})`,
      { exit: EXIT.usage },
    )
  }
  return catalog
}
