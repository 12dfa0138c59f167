// A problem in a plans folder is data: where it is, which value, and what was expected there.
// The library collects every problem; the CLI decides how to print them.
import path from 'node:path'

export interface PlanProblem {
  /** The file, as found under the plans folder (relative to the current directory if the folder was). */
  file: string
  /** 1-based line and column of the offending value, or of the mapping that lacks a required key. */
  line: number
  col: number
  /** Where in the document, e.g. `charges[1].tiers[0].up_to`; empty for a problem with the whole file. */
  path: string
  /** What was expected, e.g. `expected a decimal string like "0.01", got number 0.1`. */
  message: string
}

/** `file:line:col  path  message`, the file relative to the current directory; no path for file problems. */
export function formatProblem(problem: PlanProblem, cwd: string = process.cwd()): string {
  const file = path.relative(cwd, path.resolve(cwd, problem.file)) || problem.file
  const where = `${file}:${problem.line}:${problem.col}`
  return problem.path ? `${where}  ${problem.path}  ${problem.message}` : `${where}  ${problem.message}`
}

/** Thrown by `loadCatalog` when a plans folder has any problem; `problems` lists them all. */
export class PlansInvalidError extends Error {
  override readonly name = 'PlansInvalidError'

  constructor(
    readonly dir: string,
    readonly problems: PlanProblem[],
  ) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`
    super(`${dir} has ${count}:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`)
  }
}

/** A path inside a YAML document, as zod reports it: keys and list indexes. */
export type DocumentPath = readonly PropertyKey[]

const plainKey = /^[A-Za-z0-9_-]+$/

/** `['charges', 1, 'tiers', 0, 'up_to']` -> `charges[1].tiers[0].up_to`; odd keys are quoted: `["a b"]`. */
export function formatPath(documentPath: DocumentPath): string {
  let text = ''
  for (const segment of documentPath) {
    if (typeof segment === 'number') text += `[${segment}]`
    else if (typeof segment === 'string' && plainKey.test(segment)) text += text ? `.${segment}` : segment
    else text += `[${JSON.stringify(String(segment))}]`
  }
  return text
}
