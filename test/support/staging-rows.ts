// Reads RowBinary staging rows back (the layout of STAGING_STRUCTURE in src/store/event-sql.ts), so
// that tests can check what ingest hands the engine. Written from the format's definition, not from
// the writer: LEB128 lengths, UTF-8 strings, little-endian 64-bit integers.

export interface StagingRow {
  customer: string
  transaction_id: string
  code: string
  ts: number
  seq: number
  /** Name/value pairs in the order they were written. */
  properties: [string, string][]
}

export function readStagingRows(b: Uint8Array): StagingRow[] {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength)
  let o = 0
  const varint = () => {
    let n = 0
    let shift = 0
    for (;;) {
      const byte = buf[o++]
      if (byte === undefined) throw new Error('truncated varint')
      n += (byte & 0x7f) * 2 ** shift
      if (byte < 0x80) return n
      shift += 7
    }
  }
  const string = () => {
    const n = varint()
    if (o + n > buf.length) throw new Error('truncated string')
    const s = buf.toString('utf8', o, o + n)
    o += n
    return s
  }
  const uint64 = () => {
    const n = buf.readBigUInt64LE(o)
    o += 8
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`integer too large: ${n}`)
    return Number(n)
  }
  const rows: StagingRow[] = []
  while (o < buf.length) {
    const customer = string()
    const transaction_id = string()
    const code = string()
    const ts = uint64()
    const seq = uint64()
    const properties: [string, string][] = []
    for (let k = varint(); k > 0; k--) properties.push([string(), string()])
    rows.push({ customer, transaction_id, code, ts, seq, properties })
  }
  return rows
}
