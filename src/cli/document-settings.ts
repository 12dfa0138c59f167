// Loads billing.yaml for a command that renders documents; problems are printed as file:line:col
// and stop the command, as the plans' problems do.
import type { Command } from '@oclif/core/command'
import type { DocumentSettings } from '../documents/seller.js'
import { formatProblem } from '../plans/problems.js'
import { EXIT } from './exit-codes.js'

export async function documentSettingsFromFlag(dir: string, command: Command): Promise<DocumentSettings> {
  // Imported here: its schema library is not needed by the commands that print no document.
  const { loadDocumentSettings } = await import('../documents/seller.js')
  const { settings, file, problems } = await loadDocumentSettings(dir)
  if (problems.length > 0) {
    for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`)
    command.error(`${problems.length} problem(s) in ${file}: fix them first`, { exit: EXIT.usage })
  }
  return settings
}
