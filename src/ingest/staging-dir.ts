// Staging files live in temp folders named after the process that owns them, so that the folder of a
// killed run (SIGKILL leaves it behind) is recognised and removed by the next one. Ingest keeps its
// folder in the system temp folder; load tests keep theirs in shared memory when they can.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { processIsAlive } from '../process-alive.js'

/** A new folder `<root>/<prefix><pid>-XXXXXX`, after removing those of `prefix` whose process is gone. */
export function createStagingDir(root = os.tmpdir(), prefix = 'billing-staging-'): string {
  removeOrphans(root, prefix)
  return mkdtempSync(path.join(root, `${prefix}${process.pid}-`))
}

function removeOrphans(root: string, prefix: string): void {
  for (const name of readdirSync(root)) {
    if (!name.startsWith(prefix)) continue
    const pid = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1])
    if (Number.isInteger(pid) && pid > 0 && !processIsAlive(pid)) {
      rmSync(path.join(root, name), { recursive: true, force: true })
    }
  }
}
