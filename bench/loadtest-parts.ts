// The pieces of the load-test benchmark measured one at a time, on the same events: generation on
// one core, the engine reading staging files without storing them, and the engine storing them.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { generateEvents, type TrafficShape } from '../src/loadtest/generate.js'
import { threadCpuMs } from '../src/loadtest/thread-cpu.js'
import type { Store } from '../src/store/connect.js'
import { insertStagingFiles } from '../src/store/write-events.js'

export interface Measured {
  events: number
  seconds: number
  /** CPU of the whole process over the measurement (seconds), all threads. */
  cpuSeconds: number
  bytes?: number
}

export const perSecond = (m: Measured) => m.events / m.seconds
/** CPU microseconds spent per event. */
export const cpuPerEvent = (m: Measured) => (m.cpuSeconds * 1e6) / m.events

async function measure(
  events: number,
  work: () => Promise<number | void> | number | void,
): Promise<Measured> {
  const cpu = process.cpuUsage()
  const t = performance.now()
  const bytes = await work()
  const c = process.cpuUsage(cpu)
  return {
    events,
    seconds: (performance.now() - t) / 1000,
    cpuSeconds: (c.user + c.system) / 1e6,
    bytes: bytes ?? undefined,
  }
}

/**
 * Builds the rows in this thread, chunk by chunk as the workers do, and writes each chunk as a staging
 * file: the two are timed apart (this thread's CPU, and wall time).
 */
export function generationAlone(
  traffic: TrafficShape,
  events: number,
  chunk: number,
  dir: string,
): { generate: Measured; write: Measured; files: string[] } {
  mkdirSync(dir, { recursive: true })
  const from = Date.now()
  // Times as at 1,000,000 events a second.
  const ms = (n: number) => from + Math.floor(n / 1000)
  const generate = { events, seconds: 0, cpuSeconds: 0, bytes: 0 }
  const write = { events, seconds: 0, cpuSeconds: 0, bytes: 0 }
  const files: string[] = []
  const clocks = () => ({ wall: performance.now(), cpu: threadCpuMs() ?? performance.now() })
  const add = (m: Measured, a: ReturnType<typeof clocks>, b: ReturnType<typeof clocks>) => {
    m.seconds += (b.wall - a.wall) / 1000
    m.cpuSeconds += (b.cpu - a.cpu) / 1000
  }
  for (let first = 0; first < events; first += chunk) {
    const count = Math.min(chunk, events - first)
    const t0 = clocks()
    const rows = generateEvents({
      ...traffic,
      run: 1,
      firstSeq: first,
      count,
      fromMs: ms(first),
      toMs: ms(first + count),
    })
    const t1 = clocks()
    const file = path.join(dir, `staging-${files.length + 1}.ndjson`)
    writeFileSync(file, rows)
    const t2 = clocks()
    add(generate, t0, t1)
    add(write, t1, t2)
    generate.bytes += rows.length
    write.bytes += rows.length
    files.push(file)
  }
  return { generate, write, files }
}

/** Sizes of the batches the load test's insert stage would make from these files. */
export function batchesOf(files: string[], perFile: number, batchEvents: number): string[][] {
  const size = Math.max(1, Math.floor(batchEvents / perFile))
  const out: string[][] = []
  for (let i = 0; i < files.length; i += size) out.push(files.slice(i, i + size))
  return out
}

/** Runs the batches with `concurrency` INSERTs at a time, as the load test's insert stage does. */
export async function insertAll(
  store: Store,
  batches: string[][],
  events: number,
  concurrency: number,
): Promise<Measured> {
  return measure(events, async () => {
    let next = 0
    const lane = async () => {
      while (next < batches.length) await insertStagingFiles(store, 1, batches[next++]!, 'JSONEachRow')
    }
    await Promise.all(Array.from({ length: concurrency }, lane))
  })
}

/** A copy of the events table that throws rows away: what reading and parsing staging files costs. */
export async function parseOnly(
  store: Store,
  nullStore: Store,
  batches: string[][],
  events: number,
): Promise<Measured> {
  await nullStore.client.command({ query: `DROP TABLE IF EXISTS ${nullStore.db}.events SYNC` })
  await nullStore.client.command({
    query: `CREATE TABLE ${nullStore.db}.events AS ${store.db}.events ENGINE = Null`,
  })
  return insertAll(nullStore, batches, events, 1)
}

export async function setMerges(store: Store, on: boolean): Promise<void> {
  await store.client.command({ query: `SYSTEM ${on ? 'START' : 'STOP'} MERGES ${store.db}.events` })
}

export async function truncateEvents(store: Store): Promise<void> {
  await store.client.command({ query: `TRUNCATE TABLE ${store.db}.events SYNC` })
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
