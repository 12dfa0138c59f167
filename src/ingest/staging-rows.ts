// Staging rows: good events in ClickHouse's RowBinary format, laid out as STAGING_STRUCTURE
// (src/store/event-sql.ts). Strings are a LEB128 length then the UTF-8 bytes (decoded when the line
// escaped them), ts and seq are little-endian 64-bit integers, properties a count then name/value
// pairs. The engine reads these rows without parsing any text: JSON staging cost it ~0.6 s of CPU
// per million events more, on the same rows (measured on this machine; see README "Performance").
import {
  BOOLEAN,
  CODE,
  ESCAPED_STRING,
  NUMBER,
  TRANSACTION_ID,
  type EventLine,
} from '../events/parse-event.js'

const TWO_32 = 2 ** 32

/** Writes staging rows into a buffer the caller sized (see rowsCapacity in validate-chunk.ts). */
export class StagingRows {
  /** Bytes written so far. */
  length = 0

  constructor(readonly out: Buffer) {}

  add(b: Buffer, line: EventLine, seq: number): void {
    const { starts, ends, escaped } = line
    const customer = line.customerField
    this.jsonString(b, starts[customer]!, ends[customer]!, escaped[customer] === 1)
    this.transactionId(b, starts[TRANSACTION_ID]!, ends[TRANSACTION_ID]!, escaped[TRANSACTION_ID] === 1)
    this.jsonString(b, starts[CODE]!, ends[CODE]!, escaped[CODE] === 1)
    this.uint64(line.timestampMs)
    this.uint64(seq)
    const count = line.propertyCount
    this.varint(count)
    const { names, values, valueKinds, nameEscaped } = line
    for (let k = 0; k < count; k++) {
      this.jsonString(b, names[2 * k]!, names[2 * k + 1]!, nameEscaped[k] === 1)
      const kind = valueKinds[k]!
      const start = values[2 * k]!
      const end = values[2 * k + 1]!
      // Numbers and booleans keep the text they were written with: 0.10 stays "0.10".
      if (kind === NUMBER || kind === BOOLEAN) this.text(b, start, end)
      else this.jsonString(b, start, end, kind === ESCAPED_STRING)
    }
  }

  /**
   * tx_uuid, then tx_text: a canonical UUID (lowercase 8-4-4-4-12, as the engine prints one) as its
   * 16 bytes and no text; any other id as a zero UUID and its text (see src/store/schema.ts).
   */
  private transactionId(b: Buffer, start: number, end: number, escaped: boolean): void {
    if (escaped) {
      // Escapes may spell a canonical UUID too: the id is its decoded text.
      const decoded = Buffer.from(JSON.parse(b.toString('utf8', start, end)) as string)
      if (decoded.length === 36 && this.uuid(decoded, 0)) {
        this.out[this.length++] = 0
        return
      }
    } else if (end - start === 38 && this.uuid(b, start + 1)) {
      this.out[this.length++] = 0 // tx_text: ''
      return
    }
    this.out.fill(0, this.length, this.length + 16)
    this.length += 16
    this.jsonString(b, start, end, escaped)
  }

  /**
   * Writes the UUID whose text starts at `at` (RowBinary: the high 8 bytes, then the low 8, each
   * little-endian), or writes nothing and says false when the text is not a canonical UUID.
   */
  private uuid(b: Buffer, at: number): boolean {
    const out = this.out
    const o = this.length
    let nibble = 0
    for (let i = 0; i < 36; i++) {
      const c = b[at + i]!
      if (i === 8 || i === 13 || i === 18 || i === 23) {
        if (c !== 0x2d) return false
        continue
      }
      const v = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1
      if (v < 0) return false
      // Byte k of the UUID (0..15) goes to position 7 - k of its half.
      const k = nibble >> 1
      const to = o + (k < 8 ? 7 - k : 23 - k)
      out[to] = nibble & 1 ? out[to]! | v : v << 4
      nibble++
    }
    this.length = o + 16
    return true
  }

  /** A JSON string literal `b[start, end)` (quotes included) as its decoded UTF-8 bytes. */
  private jsonString(b: Buffer, start: number, end: number, escaped: boolean): void {
    if (!escaped) {
      this.text(b, start + 1, end - 1)
      return
    }
    const decoded = JSON.parse(b.toString('utf8', start, end)) as string
    this.varint(Buffer.byteLength(decoded))
    this.length += this.out.write(decoded, this.length, 'utf8')
  }

  /** Bytes as a String value: their length, then the bytes. */
  private text(b: Buffer, start: number, end: number): void {
    const out = this.out
    this.varint(end - start)
    let o = this.length
    // Short values by hand: there Buffer#copy's call overhead costs more than the copying (a UUID
    // transaction id is 36 bytes; measured on these machines the loop wins up to ~64).
    if (end - start > 64) o += b.copy(out, o, start, end)
    else for (let k = start; k < end; k++) out[o++] = b[k]!
    this.length = o
  }

  private varint(n: number): void {
    const out = this.out
    let o = this.length
    while (n >= 0x80) {
      out[o++] = (n & 0x7f) | 0x80
      n >>>= 7
    }
    out[o++] = n
    this.length = o
  }

  /** A non-negative safe integer as UInt64/Int64, little-endian. */
  private uint64(n: number): void {
    const out = this.out
    let o = this.length
    let low = n % TWO_32
    let high = (n - low) / TWO_32
    for (let k = 0; k < 4; k++, low >>>= 8) out[o++] = low & 0xff
    for (let k = 0; k < 4; k++, high >>>= 8) out[o++] = high & 0xff
    this.length = o
  }
}
