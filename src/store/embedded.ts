// The embedded engine (chDB) in this process, bound to one data folder. The engine locks its folder:
// a second process that opens it fails at once, so this one waits for the holder first.
import { createClient, type ClickHouseClient } from '@clickhouse/client'
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { processIsAlive } from '../process-alive.js'
import { StoreMissingError, type StoreOptions } from './store.js'

export class StoreBusyError extends Error {}

type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>

export const DEFAULT_DATA_DIR = './.billing'

export async function openEmbeddedClient(options: StoreOptions): Promise<ClickHouseClient> {
  const dataDir = path.resolve(options.dataDir ?? DEFAULT_DATA_DIR)
  if (options.mode === 'write') mkdirSync(dataDir, { recursive: true })
  else assertStoreFolder(dataDir)
  const deadline = Date.now() + (options.lockWaitMs ?? 60_000)
  await waitForFolder(dataDir, deadline, options.onWait)
  // The engine's allocator (jemalloc inside libchdb) reads JE_MALLOC_CONF once, when the library
  // loads. One arena instead of one per CPU: memory the engine frees is reused rather than kept
  // resident, which took 90-170 MB off ingest's peak here at no measurable cost. A user's own wins.
  process.env.JE_MALLOC_CONF ??= 'narenas:1,percpu_arena:disabled'
  // Loaded lazily: the embedded engine is a 500 MB library that server mode never needs.
  const { createChdbConnection } = await import('chdb/connection')
  for (;;) {
    try {
      // chdb types its connection against @clickhouse/client-common, which the client bundles its
      // own copy of; the shapes are the same.
      const connection = createChdbConnection({ path: dataDir }) as unknown as ClientConnection
      return createClient({ connection })
    } catch (e) {
      const locked = String((e as Error).message).includes('Cannot lock')
      if (!locked) throw e
      // Another process took the folder between our look at its status file and the open.
      if (Date.now() > deadline) throw busy(dataDir)
      await sleep(250)
    }
  }
}

/** A folder the engine has written (it keeps its catalog in `metadata/`); never creates one. */
function assertStoreFolder(dataDir: string): void {
  const what = existsSync(dataDir)
    ? readdirSync(dataDir).length === 0
      ? 'is empty'
      : existsSync(path.join(dataDir, 'metadata'))
        ? undefined
        : 'is not a billing data folder'
    : 'does not exist'
  if (what) {
    throw new StoreMissingError(
      `no store: the data folder ${dataDir} ${what}; store events first (billing ingest FILE) or point --data (BILLING_DATA) or --url at the store`,
    )
  }
}

/**
 * The engine holds a lock on `<dir>/status` and writes its PID there while a process has the folder
 * open. Waiting on that PID first keeps the engine's own "cannot lock" noise off the terminal. One
 * deadline covers this wait and the open's retries.
 */
async function waitForFolder(
  dataDir: string,
  deadline: number,
  onWait: ((message: string) => void) | undefined,
): Promise<void> {
  let told = false
  for (;;) {
    const holder = holderPid(dataDir)
    if (holder === undefined || holder === process.pid) return
    if (Date.now() >= deadline) throw busy(dataDir, holder)
    if (!told) {
      onWait?.(`waiting for process ${holder}, which is using the data folder ${dataDir}`)
      told = true
    }
    await sleep(200)
  }
}

function holderPid(dataDir: string): number | undefined {
  const status = path.join(dataDir, 'status')
  if (!existsSync(status)) return undefined
  const pid = Number(/PID:\s*(\d+)/.exec(readFileSync(status, 'utf8'))?.[1])
  return Number.isInteger(pid) && pid > 0 && processIsAlive(pid) ? pid : undefined
}

function busy(dataDir: string, pid?: number): StoreBusyError {
  const who = pid ? `process ${pid}` : 'another process'
  return new StoreBusyError(
    `the data folder ${dataDir} is in use by ${who}; wait for it to finish (or raise --wait) and run again`,
  )
}
