// One stage of ingest: a chunk of whole NDJSON lines in, the good events as the store's NDJSON rows
// plus the rejected lines out. Pure: no I/O, so it runs the same in a worker, a test or a benchmark.
import { isUtf8 } from 'node:buffer'
import { scanString, type StringSpan } from '../events/json-scan.js'
import { parseEventLine } from '../events/parse-event.js'

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
  /** Good events, one JSON object a line, in the store's staging layout (see src/store/event-sql.ts). */
  rows: Buffer
  lines: number
  good: number
  blank: number
  rejects: LineRejection[]
}

const NEWLINE = 0x0a
const literal: StringSpan = { start: 0, end: 0, escaped: false }
const EXCERPT_BYTES = 200

const PREFIX_VERBATIM_TS = Buffer.from('{"ts":')
const PREFIX_CUSTOMER = Buffer.from('{"customer":')
const PREFIX_TX = Buffer.from(',"transaction_id":')
const PREFIX_CODE = Buffer.from(',"code":')
const PREFIX_TS = Buffer.from(',"ts":')
const PREFIX_SEQ = Buffer.from(',"seq":')
const PREFIX_PROPS = Buffer.from(',"properties":')
const EMPTY_PROPS_END = Buffer.from('{}}\n')

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
  // A good line is at least ~55 bytes and its row adds under 55 bytes of keys and numbers to it.
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
  let o = 0
  // Short spans by hand: there Buffer#copy's call overhead costs more than the copying.
  const put = (src: Buffer, start = 0, end = src.length) => {
    if (end - start > 32) o += src.copy(out, o, start, end)
    else for (let k = start; k < end; k++) out[o++] = src[k]!
  }
  // Digits written from the last one back: no string, no temporary buffer.
  const putInt = (n: number) => {
    let digits = 1
    for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++
    o += digits
    for (let k = o - 1; k >= o - digits; k--) {
      out[k] = 0x30 + (n % 10)
      n = Math.floor(n / 10)
    }
  }
  // A validated flat object of scalars: outside strings, only `true` and `false` start with t or f.
  const putQuotingBooleans = (start: number, end: number) => {
    let from = start
    for (let i = start; i < end;) {
      const c = b[i]
      if (c === 0x22) {
        scanString(b, i, end, literal)
        i = literal.end
      } else if (c === 0x74 || c === 0x66) {
        const length = c === 0x74 ? 4 : 5
        put(b, from, i)
        out[o++] = 0x22
        put(b, i, i + length)
        out[o++] = 0x22
        i += length
        from = i
      } else i++
    }
    put(b, from, end)
  }
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
        if (v.verbatim) {
          // The line as written, with the staging columns in front: one copy, and the engine reads
          // the event's own keys (unknown ones, like the timestamp text, are skipped).
          put(PREFIX_VERBATIM_TS)
          putInt(v.timestampMs)
          put(PREFIX_SEQ)
          putInt(seq)
          out[o++] = 0x2c
          put(b, v.object.start + 1, v.object.end)
          out[o++] = NEWLINE
        } else {
          put(PREFIX_CUSTOMER)
          put(b, v.customer.start, v.customer.end)
          put(PREFIX_TX)
          put(b, v.transactionId.start, v.transactionId.end)
          put(PREFIX_CODE)
          put(b, v.code.start, v.code.end)
          put(PREFIX_TS)
          putInt(v.timestampMs)
          put(PREFIX_SEQ)
          putInt(seq)
          put(PREFIX_PROPS)
          if (v.properties && v.booleans) {
            putQuotingBooleans(v.properties.start, v.properties.end)
            out[o++] = 0x7d
            out[o++] = NEWLINE
          } else if (v.properties) {
            put(b, v.properties.start, v.properties.end)
            out[o++] = 0x7d
            out[o++] = NEWLINE
          } else put(EMPTY_PROPS_END)
        }
      }
    }
    start = next
  }
  return { rows: out.subarray(0, o), lines, good, blank, rejects }
}

function isBlank(b: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = b[i]
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false
  }
  return true
}
