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
  const cutter = new LineCutter(options.chunkBytes, options.maxLineBytes)
  let head: Buffer | null = Buffer.alloc(0) // the first bytes, until we know whether they are a BOM
  for await (const piece of input) {
    if (!head) {
      yield* cutter.add(piece)
      continue
    }
    head = Buffer.concat([head, piece])
    if (head.length < 3) continue
    yield* cutter.add(head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? head.subarray(3) : head)
    head = null
  }
  // Fewer than 3 bytes in all: no BOM (and no line over any --max-line-bytes, whose least is 256).
  if (head && head.length > 0) yield* cutter.add(head)
  yield* cutter.finish()
}

/** An over-long line being skipped: where it began, its length so far, and its first bytes. */
interface Skipped {
  line: number
  bytes: number
  excerpt: string
  endsInCr?: boolean
}

/** The lines read so far, cut into chunks as soon as enough whole lines are held. */
class LineCutter {
  private pending: Buffer[] = []
  private total = 0
  /** Bytes since the last newline (the line being read). */
  private partial = 0
  private nextLine = 1
  private skipping: Skipped | null = null

  constructor(
    private readonly chunkBytes: number,
    private readonly maxLineBytes: number,
  ) {}

  /** The chunks (and the rejection of an over-long line) that the next bytes complete. */
  *add(bytes: Buffer): Generator<ChunkOrRejection> {
    let piece = bytes
    if (this.skipping) {
      const nl = piece.indexOf(NEWLINE)
      if (nl < 0) {
        this.skipping.bytes += piece.length
        this.skipping.endsInCr = piece[piece.length - 1] === 0x0d
        return
      }
      yield { rejection: this.skipped(piece, nl) }
      piece = piece.subarray(nl + 1)
    }
    if (piece.length === 0) return
    const lastNl = piece.lastIndexOf(NEWLINE)
    this.pending.push(piece)
    this.total += piece.length
    this.partial = lastNl < 0 ? this.partial + piece.length : piece.length - lastNl - 1
    // +1: the line may still end in a CR, which is not part of it.
    if (this.partial > this.maxLineBytes + 1) yield* this.startSkipping()
    else if (this.total - this.partial >= this.chunkBytes) yield* this.cut(false)
  }

  /** What is left at the end of the input: the last lines, or the rejection of a last over-long one. */
  *finish(): Generator<ChunkOrRejection> {
    if (this.skipping) yield { rejection: overLong(this.skipping, this.maxLineBytes) }
    else if (this.total > 0) yield* this.cut(true)
  }

  /** The line being read is too long: the whole lines before it go out, and it is skipped from here. */
  private *startSkipping(): Generator<ChunkOrRejection> {
    const lineStart = this.total - this.partial
    const whole = Buffer.concat(this.pending)
    if (lineStart > 0) {
      this.pending = [whole.subarray(0, lineStart)]
      this.partial = 0
      yield* this.cut(true)
    }
    this.skipping = {
      line: this.nextLine,
      bytes: whole.length - lineStart,
      excerpt: excerptOf(whole, lineStart, whole.length),
      // The newline may come first in the next piece: a CR here is then not part of the line.
      endsInCr: whole[whole.length - 1] === 0x0d,
    }
    this.pending = []
    this.total = 0
    this.partial = 0
  }

  /** The skipped line ends at `nl` of `piece`: its rejection. */
  private skipped(piece: Buffer, nl: number): LineRejection {
    const s = this.skipping!
    // A CR before the newline is not part of the line (CRLF).
    s.bytes += nl > 0 ? (piece[nl - 1] === 0x0d ? nl - 1 : nl) : s.endsInCr ? -1 : 0
    this.skipping = null
    this.nextLine++
    return overLong(s, this.maxLineBytes)
  }

  /** Cuts the whole lines held so far into chunks of at most chunkBytes (or one longer line). */
  private *cut(all: boolean): Generator<ChunkOrRejection> {
    const buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending)
    const complete = all ? buf.length : buf.length - this.partial
    let offset = 0
    while (complete - offset >= (all ? 1 : this.chunkBytes)) {
      let end = complete
      if (complete - offset > this.chunkBytes) {
        end = buf.lastIndexOf(NEWLINE, offset + this.chunkBytes - 1) + 1
        if (end <= offset) {
          // One line longer than a chunk: it goes out whole (the last line may have no newline).
          const nl = buf.indexOf(NEWLINE, offset + this.chunkBytes)
          end = nl < 0 || nl >= complete ? complete : nl + 1
        }
      }
      yield { chunk: this.emit(buf.subarray(offset, end)) }
      offset = end
    }
    this.pending = offset < buf.length ? [buf.subarray(offset)] : []
    this.total = buf.length - offset
  }

  private emit(bytes: Buffer): LineChunk {
    const out = Buffer.allocUnsafeSlow(bytes.length)
    bytes.copy(out)
    const lines = countLines(out)
    const chunk = { bytes: out, firstLine: this.nextLine, lines }
    this.nextLine += lines
    return chunk
  }
}

function overLong(d: Skipped, max: number): LineRejection {
  return { line: d.line, field: null, reason: overLongReason(d.bytes, max), excerpt: d.excerpt }
}

/** Lines in a chunk: its newlines, plus a last line that has none. */
function countLines(b: Buffer): number {
  let n = 0
  let i = -1
  while ((i = b.indexOf(NEWLINE, i + 1)) >= 0) n++
  return b.length > 0 && b[b.length - 1] !== NEWLINE ? n + 1 : n
}
