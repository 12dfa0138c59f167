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
  let pieces: Buffer[] = []
  let total = 0
  /** Bytes since the last newline (the line being read). */
  let partial = 0
  let nextLine = 1
  let discarding: { line: number; bytes: number; excerpt: string } | null = null
  let first = true

  const take = (bytes: number): LineChunk => {
    const out = Buffer.allocUnsafeSlow(bytes)
    let o = 0
    const rest: Buffer[] = []
    for (const p of pieces) {
      const n = Math.min(p.length, bytes - o)
      if (n > 0) p.copy(out, o, 0, n)
      if (n < p.length) rest.push(p.subarray(n))
      o += n
    }
    pieces = rest
    total -= bytes
    const lines = countLines(out)
    const chunk = { bytes: out, firstLine: nextLine, lines }
    nextLine += lines
    return chunk
  }

  for await (let piece of input) {
    if (first) {
      first = false
      if (piece[0] === 0xef && piece[1] === 0xbb && piece[2] === 0xbf) piece = piece.subarray(3) // BOM
    }
    if (discarding) {
      const nl = piece.indexOf(NEWLINE)
      if (nl < 0) {
        discarding.bytes += piece.length
        continue
      }
      discarding.bytes += nl
      yield { rejection: overLong(discarding, options.maxLineBytes) }
      discarding = null
      nextLine++
      piece = piece.subarray(nl + 1)
    }
    if (piece.length === 0) continue
    const lastNl = piece.lastIndexOf(NEWLINE)
    pieces.push(piece)
    total += piece.length
    partial = lastNl < 0 ? partial + piece.length : piece.length - lastNl - 1
    if (partial > options.maxLineBytes) {
      if (total > partial) yield { chunk: take(total - partial) }
      const head = Buffer.concat(pieces).subarray(0, 256)
      discarding = { line: nextLine, bytes: total, excerpt: excerptOf(head, 0, head.length) }
      pieces = []
      total = 0
      partial = 0
      continue
    }
    if (total >= options.chunkBytes && total > partial) yield { chunk: take(total - partial) }
  }
  if (discarding) yield { rejection: overLong(discarding, options.maxLineBytes) }
  else if (total > 0) yield { chunk: take(total) }
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
