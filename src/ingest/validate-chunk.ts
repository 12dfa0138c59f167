// One stage of ingest: a chunk of whole NDJSON lines in, the good events as the store's staging rows
// (RowBinary, see staging-rows.ts) plus the rejected lines out. Pure: no I/O, so it runs the same in a worker, a test or a benchmark.
import { isUtf8 } from 'node:buffer'
import { parseEventLine } from '../events/parse-event.js'
import { StagingRows } from './staging-rows.js'

export interface Chunk {
  bytes: Uint8Array
  /** 1-based line number of the chunk's first line in its file. */
  firstLine: number
  /** Ordinal of the chunk's first line across the whole run (decides which copy of an event wins). */
  firstSeq: number
  maxLineBytes: number
}

export interface LineRejection {
  line: number
  field: string | null
  reason: string
  /** The start of the offending line, for people to find it. */
  excerpt: string
}

export interface ValidatedChunk {
  /** Good events as RowBinary staging rows (see staging-rows.ts and src/store/event-sql.ts). */
  rows: Buffer
  lines: number
  good: number
  blank: number
  rejects: LineRejection[]
}

const NEWLINE = 0x0a
const EXCERPT_BYTES = 200

export function overLongReason(bytes: number, max: number): string {
  return `line is ${bytes} bytes, over the ${max}-byte limit`
}

export function excerptOf(b: Buffer, start: number, end: number): string {
  const stop = Math.min(end, start + EXCERPT_BYTES)
  const text = b.toString('utf8', start, stop)
  return stop < end ? `${text}…` : text
}

/** The largest the staging rows of `bytes` of input can be. */
export function rowsCapacity(bytes: number): number {
  // A row is never longer than its line: the UUID, ts, seq and the counts (34 bytes) replace the
  // keys and the timestamp (at least 53 bytes), length prefixes replace quotes, escapes only shrink.
  // Twice the input leaves room to spare.
  return 2 * bytes + 256
}

/**
 * Validates a chunk. `scratch`, when given and large enough, receives the staging rows (the result's
 * `rows` is then a view of it): a worker reuses one buffer instead of leaving one per chunk to the GC.
 */
export function validateChunk(chunk: Chunk, scratch?: Buffer): ValidatedChunk {
  const b = Buffer.from(chunk.bytes.buffer, chunk.bytes.byteOffset, chunk.bytes.byteLength)
  const capacity = rowsCapacity(b.length)
  const out = scratch && scratch.length >= capacity ? scratch : Buffer.allocUnsafe(capacity)
  const rows = new StagingRows(out)
  const allUtf8 = isUtf8(b)
  const rejects: LineRejection[] = []
  let good = 0
  let blank = 0
  let lines = 0
  let start = 0
  while (start < b.length) {
    let end = b.indexOf(NEWLINE, start)
    if (end < 0) end = b.length
    const lineNo = chunk.firstLine + lines
    const seq = chunk.firstSeq + lines
    lines++
    let stop = end
    if (stop > start && b[stop - 1] === 0x0d) stop-- // CRLF
    const next = end + 1
    if (isBlank(b, start, stop)) {
      blank++
    } else if (stop - start > chunk.maxLineBytes) {
      rejects.push({
        line: lineNo,
        field: null,
        reason: overLongReason(stop - start, chunk.maxLineBytes),
        excerpt: excerptOf(b, start, stop),
      })
    } else if (!allUtf8 && !isUtf8(b.subarray(start, stop))) {
      rejects.push({
        line: lineNo,
        field: null,
        reason: 'not valid UTF-8',
        excerpt: excerptOf(b, start, stop),
      })
    } else {
      const v = parseEventLine(b, start, stop)
      if (!v.ok) {
        rejects.push({ line: lineNo, field: v.field, reason: v.reason, excerpt: excerptOf(b, start, stop) })
      } else {
        good++
        rows.add(b, v, seq)
      }
    }
    start = next
  }
  return { rows: out.subarray(0, rows.length), lines, good, blank, rejects }
}

function isBlank(b: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = b[i]
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false
  }
  return true
}
