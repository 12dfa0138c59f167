// Staging files live in a temp folder named after the process that owns it, so that the folder of a
// killed ingest (SIGKILL leaves it behind) is recognised and removed by the next one.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { processIsAlive } from '../process-alive.js'

const PREFIX = 'billing-staging-'

export function createStagingDir(): string {
  removeOrphans()
  return mkdtempSync(path.join(os.tmpdir(), `${PREFIX}${process.pid}-`))
}

function removeOrphans(): void {
  for (const name of readdirSync(os.tmpdir())) {
    const pid = Number(/^billing-staging-(\d+)-/.exec(name)?.[1])
    if (Number.isInteger(pid) && pid > 0 && !processIsAlive(pid)) {
      rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true })
    }
  }
}
