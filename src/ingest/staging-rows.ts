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
const DASH = 0x2d

/** Where each of a canonical UUID's 16 bytes starts in its 36 characters (the dashes skipped). */
const UUID_DIGITS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34]

/** The value of a lowercase hex digit, -1 for any other byte (the engine prints UUIDs lowercase). */
const HEX = new Int8Array(256).fill(-1)
for (let c = 0; c < 10; c++) HEX[0x30 + c] = c
for (let c = 0; c < 6; c++) HEX[0x61 + c] = 10 + c

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
    if (b[at + 8] !== DASH || b[at + 13] !== DASH || b[at + 18] !== DASH || b[at + 23] !== DASH) return false
    const out = this.out
    const o = this.length
    for (let k = 0; k < 16; k++) {
      const p = at + UUID_DIGITS[k]!
      const high = HEX[b[p]!]!
      const low = HEX[b[p + 1]!]!
      if ((high | low) < 0) return false
      // Byte k of the UUID goes to position 7 - k of its half.
      out[o + (k < 8 ? 7 - k : 23 - k)] = (high << 4) | low
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
