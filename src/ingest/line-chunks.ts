// The reading stage of ingest: bytes in, chunks of whole lines out, each with the number of its first
// line. Memory stays bounded: a line longer than the limit is skipped as it streams by, never held.
import { excerptOf, overLongReason, type LineRejection } from './validate-chunk.js'

export interface LineChunk {
  /** Whole lines; a standalone ArrayBuffer, so it can be handed to a worker without a copy. */
  bytes: Buffer
  firstLine: number
  lines: number
}

export type ChunkOrRejection = { chunk: LineChunk } | { rejection: LineRejection }

const NEWLINE = 0x0a

export async function* lineChunks(
  input: AsyncIterable<Buffer>,
  options: { chunkBytes: number; maxLineBytes: number },
): AsyncGenerator<ChunkOrRejection> {
  const { chunkBytes, maxLineBytes } = options
  let pending: Buffer[] = []
  let total = 0
  /** Bytes since the last newline (the line being read). */
  let partial = 0
  let nextLine = 1
  let discarding: { line: number; bytes: number; excerpt: string; endsInCr?: boolean } | null = null
  let head: Buffer | null = Buffer.alloc(0) // the first bytes, until we know whether they are a BOM

  const emit = (bytes: Buffer): LineChunk => {
    const out = Buffer.allocUnsafeSlow(bytes.length)
    bytes.copy(out)
    const lines = countLines(out)
    const chunk = { bytes: out, firstLine: nextLine, lines }
    nextLine += lines
    return chunk
  }

  /** Cuts the whole lines held so far into chunks of at most chunkBytes (or one longer line). */
  function* cut(all: boolean): Generator<LineChunk> {
    const buf = pending.length === 1 ? pending[0]! : Buffer.concat(pending)
    const complete = all ? buf.length : buf.length - partial
    let offset = 0
    while (complete - offset >= (all ? 1 : chunkBytes)) {
      let end = complete
      if (complete - offset > chunkBytes) {
        end = buf.lastIndexOf(NEWLINE, offset + chunkBytes - 1) + 1
        if (end <= offset) {
          // One line longer than a chunk: it goes out whole (the last line may have no newline).
          const nl = buf.indexOf(NEWLINE, offset + chunkBytes)
          end = nl < 0 || nl >= complete ? complete : nl + 1
        }
      }
      yield emit(buf.subarray(offset, end))
      offset = end
    }
    pending = offset < buf.length ? [buf.subarray(offset)] : []
    total = buf.length - offset
  }

  for await (const incoming of input) {
    let piece = incoming
    if (head) {
      head = Buffer.concat([head, piece])
      if (head.length < 3) continue
      piece = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? head.subarray(3) : head // BOM
      head = null
    }
    if (discarding) {
      const nl = piece.indexOf(NEWLINE)
      if (nl < 0) {
        discarding.bytes += piece.length
        discarding.endsInCr = piece[piece.length - 1] === 0x0d
        continue
      }
      // A CR before the newline is not part of the line (CRLF).
      discarding.bytes += nl > 0 ? (piece[nl - 1] === 0x0d ? nl - 1 : nl) : discarding.endsInCr ? -1 : 0
      yield { rejection: overLong(discarding, maxLineBytes) }
      discarding = null
      nextLine++
      piece = piece.subarray(nl + 1)
    }
    if (piece.length === 0) continue
    const lastNl = piece.lastIndexOf(NEWLINE)
    pending.push(piece)
    total += piece.length
    partial = lastNl < 0 ? partial + piece.length : piece.length - lastNl - 1
    // +1: the line may still end in a CR, which is not part of it.
    if (partial > maxLineBytes + 1) {
      const lineStart = total - partial
      const whole = Buffer.concat(pending)
      if (lineStart > 0) {
        pending = [whole.subarray(0, lineStart)]
        partial = 0
        for (const chunk of cut(true)) yield { chunk }
      }
      discarding = {
        line: nextLine,
        bytes: whole.length - lineStart,
        excerpt: excerptOf(whole, lineStart, whole.length),
      }
      pending = []
      total = 0
      partial = 0
      continue
    }
    if (total - partial >= chunkBytes) for (const chunk of cut(false)) yield { chunk }
  }
  if (head && head.length > 0) {
    pending.push(head)
    total += head.length
  }
  if (discarding) yield { rejection: overLong(discarding, maxLineBytes) }
  else if (total > 0) for (const chunk of cut(true)) yield { chunk }
}

function overLong(d: { line: number; bytes: number; excerpt: string }, max: number): LineRejection {
  return { line: d.line, field: null, reason: overLongReason(d.bytes, max), excerpt: d.excerpt }
}

/** Lines in a chunk: its newlines, plus a last line that has none. */
function countLines(b: Buffer): number {
  let n = 0
  let i = -1
  while ((i = b.indexOf(NEWLINE, i + 1)) >= 0) n++
  return b.length > 0 && b[b.length - 1] !== NEWLINE ? n + 1 : n
}
