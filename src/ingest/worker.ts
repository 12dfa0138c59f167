// The validation stage, run by piscina in worker threads: a chunk of lines in, its good events
// written as a staging file for the engine, and only counts and rejections sent back.
import { writeFileSync } from 'node:fs'
import { rowsCapacity, validateChunk, type Chunk, type LineRejection } from './validate-chunk.js'

export interface ValidateTask {
  chunk: Chunk
  /** Where to write the staging rows. */
  stagingFile: string
}

export interface ValidateResult {
  stagingFile: string | null
  stagingBytes: number
  lines: number
  good: number
  blank: number
  rejects: LineRejection[]
}

/** One buffer for the rows of every chunk this worker validates: they are written out at once. */
let scratch = Buffer.alloc(0)

export default function validateToFile(task: ValidateTask): ValidateResult {
  const needed = rowsCapacity(task.chunk.bytes.length)
  if (scratch.length < needed) scratch = Buffer.allocUnsafe(needed)
  const v = validateChunk(task.chunk, scratch)
  if (v.good > 0) writeFileSync(task.stagingFile, v.rows)
  return {
    stagingFile: v.good > 0 ? task.stagingFile : null,
    stagingBytes: v.rows.length,
    lines: v.lines,
    good: v.good,
    blank: v.blank,
    rejects: v.rejects,
  }
}
