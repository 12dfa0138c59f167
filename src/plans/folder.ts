// The files of a plans folder: one plan per YAML file, plus the special metrics, customers and billing
// files. Kept apart from the loader so that the catalog cache can list a folder without importing the
// schema and the YAML parser.
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import type { PlanProblem } from './problems.js'

/** Files that are not plans: metrics.yaml (shared metrics) and customers.yaml, or their .yml spelling. */
const SPECIAL_FILES = ['metrics', 'customers', 'billing'] as const

export interface Folder {
  plans: string[]
  metrics?: string
  customers?: string
  billing?: string
  problems: PlanProblem[]
}

/** The YAML files of the folder, sorted, by role; two files for one special role are a problem. */
export async function listFolder(dir: string): Promise<Folder> {
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : String(error)
    throw new Error(`cannot read the plans folder ${dir}: ${reason}`)
  }
  const names = entries
    .filter((entry) => (entry.isFile() || entry.isSymbolicLink()) && /\.ya?ml$/.test(entry.name))
    .filter((entry) => !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort()
  const folder: Folder = { plans: [], problems: [] }
  for (const name of names) {
    const file = path.join(dir, name)
    const special = SPECIAL_FILES.find((base) => name === `${base}.yaml` || name === `${base}.yml`)
    if (!special) folder.plans.push(file)
    else if (folder[special] === undefined) folder[special] = file
    else {
      const message = `a plans folder has one ${special} file, and ${folder[special]} is already read: merge the two`
      folder.problems.push({ file, line: 1, col: 1, path: '', message })
    }
  }
  return folder
}
