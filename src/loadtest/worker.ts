// The generation stage, run by piscina in worker threads: a range of scheduled events in, a staging
// file for the engine out (and, with --out, the same events as `billing ingest` lines).
import { writeFileSync } from 'node:fs'
import { generateEvents, type GenerateRange } from './generate.js'
import { threadCpuMs } from './thread-cpu.js'

export interface GenerateTask {
  range: GenerateRange
  stagingFile: string
  /** Also write the events in the ingest format here. */
  ingestFile?: string
}

export interface GenerateResult {
  stagingFile: string
  ingestFile?: string
  events: number
  bytes: number
  /** Time spent building the rows, and writing them to the file (ms, this worker's clock). */
  generateMs: number
  writeMs: number
  /** CPU time of the whole task (ms), where the platform tells it; else its wall time. */
  cpuMs: number
}

export default function generateToFile(task: GenerateTask): GenerateResult {
  const cpu0 = threadCpuMs()
  const t0 = performance.now()
  const rows = generateEvents(task.range, 'staging')
  const t1 = performance.now()
  writeFileSync(task.stagingFile, rows)
  const t2 = performance.now()
  if (task.ingestFile) writeFileSync(task.ingestFile, generateEvents(task.range, 'ingest'))
  const cpu1 = threadCpuMs()
  return {
    stagingFile: task.stagingFile,
    ingestFile: task.ingestFile,
    events: task.range.count,
    bytes: rows.length,
    generateMs: t1 - t0,
    writeMs: t2 - t1,
    cpuMs: cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : performance.now() - t0,
  }
}
