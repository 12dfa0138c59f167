// The stages of the load test's pipeline measured one at a time on the same events, in this thread:
// generating ingest lines, validating them into staging rows (the ingest worker's own task), and the
// engine storing those rows (parsing only, into a Null table; and into the events table with merges
// held, as the load test stores them).
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import stage from '../src/ingest/worker.js'
import type { TrafficShape } from '../src/loadtest/generate.js'
import { threadCpuMs } from '../src/loadtest/thread-cpu.js'
import { insertFromFilesSql, STAGING_SETTINGS } from '../src/store/event-sql.js'
import { StampClock } from '../src/store/event-versions.js'
import { startMerges, stopMerges } from '../src/store/merges.js'
import type { Store } from '../src/store/store.js'
import { insertBatch } from '../src/store/write-events.js'

export interface Measured {
  events: number
  seconds: number
  /** CPU over the measurement (seconds): this thread's for generation and validation, the process's for the engine. */
  cpuSeconds: number
}

export const perSecond = (m: Measured) => m.events / m.seconds
/** CPU microseconds an event. */
export const cpuPerEvent = (m: Measured) => (m.cpuSeconds * 1e6) / m.events

export interface StagedFiles {
  generate: Measured
  validate: Measured
  /** Staging files in line order, each with its first place in the run and its events. */
  files: { file: string; firstSeq: number; events: number }[]
  bytes: number
}

/**
 * The worker's task, chunk by chunk, in this thread: its generation time and the rest (validation and
 * writing the staging file) apart. Times as at 1,000,000 events a second.
 */
export function stageAlone(traffic: TrafficShape, events: number, chunk: number, dir: string): StagedFiles {
  mkdirSync(dir, { recursive: true })
  const from = Date.now()
  const generate = { events, seconds: 0, cpuSeconds: 0 }
  const validate = { events, seconds: 0, cpuSeconds: 0 }
  const files: StagedFiles['files'] = []
  let bytes = 0
  for (let first = 0; first < events; first += chunk) {
    const count = Math.min(chunk, events - first)
    const wall = performance.now()
    const cpu = threadCpuMs() ?? wall
    const stagingFile = path.join(dir, `staging-${files.length + 1}.rowbinary`)
    const r = stage({
      source: {
        generate: {
          ...traffic,
          run: 1,
          firstSeq: first,
          count,
          fromMs: from + first / 1000,
          toMs: from + (first + count) / 1000,
        },
        maxLineBytes: 1 << 20,
      },
      stagingFile,
    })
    if (r.good !== count) throw new Error(`generated lines rejected: ${JSON.stringify(r.rejects[0])}`)
    const wallMs = performance.now() - wall
    const cpuMs = (threadCpuMs() ?? performance.now()) - cpu
    // The task's generation part (its CPU) and the rest; wall times split in the same proportion.
    const share = r.generateMs / cpuMs
    generate.seconds += (wallMs * share) / 1000
    generate.cpuSeconds += r.generateMs / 1000
    validate.seconds += (wallMs * (1 - share)) / 1000
    validate.cpuSeconds += (cpuMs - r.generateMs) / 1000
    files.push({ file: stagingFile, firstSeq: first, events: count })
    bytes += r.stagingBytes
  }
  return { generate, validate, files, bytes }
}

/** The files in batches of about `batchEvents` events, as the load test's batch writer cuts them. */
export function batchesOf(files: StagedFiles['files'], batchEvents: number): StagedFiles['files'][] {
  const out: StagedFiles['files'][] = []
  let batch: StagedFiles['files'] = []
  let n = 0
  for (const f of files) {
    batch.push(f)
    n += f.events
    if (n >= batchEvents) {
      out.push(batch)
      batch = []
      n = 0
    }
  }
  if (batch.length > 0) out.push(batch)
  return out
}

/** The engine alone: every batch as one INSERT, one at a time, with the table's merges held. */
export async function insertAlone(
  store: Store,
  batches: StagedFiles['files'][],
  events: number,
): Promise<Measured> {
  const clock = new StampClock(0, 0)
  await stopMerges(store)
  const cpu = process.cpuUsage()
  const t = performance.now()
  for (const batch of batches) {
    await insertBatch(store, {
      files: batch.map((f) => f.file),
      stamp: clock.next(),
      firstSeq: batch[0]!.firstSeq,
    })
  }
  const c = process.cpuUsage(cpu)
  const seconds = (performance.now() - t) / 1000
  await startMerges(store)
  return { events, seconds, cpuSeconds: (c.user + c.system) / 1e6 }
}

/** The engine reading and converting the staging rows, storing nothing (a Null copy of the table). */
export async function parseAlone(
  store: Store,
  batches: StagedFiles['files'][],
  events: number,
): Promise<Measured> {
  const clock = new StampClock(0, 0)
  await store.command(
    `CREATE TABLE IF NOT EXISTS ${store.db}.events_null AS ${store.db}.events ENGINE = Null`,
  )
  const cpu = process.cpuUsage()
  const t = performance.now()
  for (const batch of batches) {
    await store.insert(
      nullInsert(
        store.db,
        batch.map((f) => f.file),
      ),
      { params: { stamp: clock.next(), first_seq: batch[0]!.firstSeq }, settings: STAGING_SETTINGS },
    )
  }
  const c = process.cpuUsage(cpu)
  return { events, seconds: (performance.now() - t) / 1000, cpuSeconds: (c.user + c.system) / 1e6 }
}

function nullInsert(db: string, files: string[]): string {
  const names = files.map((f) => path.basename(f))
  return insertFromFilesSql(db, path.dirname(files[0]!), names).replace(
    `INSERT INTO ${db}.events `,
    `INSERT INTO ${db}.events_null `,
  )
}

/** CPU of the whole machine, to tell how much other processes took during a measurement. */
export function machineBusySeconds(): number | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
    const [user, nice, system, , , irq, softirq, steal] = fields as number[]
    // USER_HZ is 100 on Linux.
    return (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) / 100
  } catch {
    return undefined
  }
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}
