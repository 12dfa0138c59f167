// The validation stage, run by piscina in worker threads: lines in (a chunk read from a file, or made
// by the load generator in the ingest format), their good events written as a staging file for the
// engine, and only counts and rejections sent back. Both sources go through validateChunk.
import { writeFileSync } from 'node:fs'
import { generateEvents, type GenerateRange } from '../loadtest/generate.js'
import { threadCpuMs } from '../loadtest/thread-cpu.js'
import { rowsCapacity, validateChunk, type Chunk, type LineRejection } from './validate-chunk.js'

export type StageSource =
  | { chunk: Chunk }
  /** Generated lines; `outFile` also receives them as written (`loadtest --out`). */
  | { generate: GenerateRange; maxLineBytes: number; outFile?: string }

export interface StageTask {
  source: StageSource
  /** Where to write the staging rows. */
  stagingFile: string
}

export interface StageResult {
  stagingFile: string | null
  stagingBytes: number
  lines: number
  good: number
  blank: number
  rejects: LineRejection[]
  /** CPU spent making lines (generated sources only) and in the whole task, wall time where the platform tells no CPU (ms). */
  generateMs: number
  cpuMs: number
}

/** One buffer for the rows of every chunk this worker validates: they are written out at once. */
let scratch = Buffer.alloc(0)

export default function stage(task: StageTask): StageResult {
  const cpu0 = threadCpuMs()
  const t0 = performance.now()
  let chunk: Chunk
  let generateMs = 0
  if ('chunk' in task.source) chunk = task.source.chunk
  else {
    const { generate, maxLineBytes, outFile } = task.source
    const bytes = generateEvents(generate)
    const cpu = threadCpuMs()
    generateMs = cpu !== undefined && cpu0 !== undefined ? cpu - cpu0 : performance.now() - t0
    if (outFile) writeFileSync(outFile, bytes)
    chunk = { bytes, firstLine: generate.firstSeq + 1, firstSeq: generate.firstSeq, maxLineBytes }
  }
  const needed = rowsCapacity(chunk.bytes.length)
  if (scratch.length < needed) scratch = Buffer.allocUnsafe(needed)
  const v = validateChunk(chunk, scratch)
  if (v.good > 0) writeFileSync(task.stagingFile, v.rows)
  const cpu1 = threadCpuMs()
  return {
    stagingFile: v.good > 0 ? task.stagingFile : null,
    stagingBytes: v.rows.length,
    lines: v.lines,
    good: v.good,
    blank: v.blank,
    rejects: v.rejects,
    generateMs,
    cpuMs: cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : performance.now() - t0,
  }
}
