// Turns zod issues into plan problems: a place in the file, a path, and a message finished with what
// only the file knows (the value as written, the key that was mistyped).
import type { z } from 'zod'
import type { IssueHints } from './schema-leaves.js'
import type { DocumentPath, PlanProblem } from './problems.js'
import type { YamlFile } from './yaml-file.js'

/** The problems of a zod parse of (part of) `yaml`, whose value sits at `under` in the document. */
export function issueProblems(yaml: YamlFile, issues: readonly z.core.$ZodIssue[], under: DocumentPath = []) {
  return issues.map((issue) => issueProblem(yaml, issue, [...under, ...issue.path]))
}

function issueProblem(yaml: YamlFile, issue: z.core.$ZodIssue, documentPath: DocumentPath): PlanProblem {
  const hints: IssueHints = issue.code === 'custom' ? ((issue.params ?? {}) as IssueHints) : {}
  const key = documentPath.at(-1)

  if (hints.unknownKey) {
    const name = String(key)
    const guess = closest(name, hints.unknownKey)
    const message = guess
      ? `unknown key "${name}": did you mean "${guess}"?`
      : `unknown key "${name}": expected one of ${hints.unknownKey.join(', ')}`
    return yaml.problem(documentPath, message, 'key')
  }

  let message = issue.message
  if (hints.quote) {
    // Show the fix with the value exactly as written: `0.10` stays "0.10", not "0.1".
    const written = yaml.sourceText(documentPath)
    if (written !== undefined)
      message += `; quote it: ${typeof key === 'string' ? `${key}: ` : ''}"${written}"`
  }
  return yaml.problem(documentPath, message)
}

/** The allowed key nearest to a mistyped one, if it is near enough to be the likely intent. */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase())
    if (!best || distance < best.distance) best = { candidate, distance }
  }
  if (!best) return undefined
  return best.distance <= Math.max(1, Math.floor(best.candidate.length / 3)) ? best.candidate : undefined
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution)
    }
    previous = current
  }
  return previous[b.length] ?? 0
}
