// Reads RowBinary staging rows back (the layout of STAGING_STRUCTURE in src/store/event-sql.ts), so
// that tests can check what ingest hands the engine. Written from the format's definition, not from
// the writer: LEB128 lengths, UTF-8 strings, little-endian 64-bit integers, a UUID as its two halves
// (each little-endian).

export interface StagingRow {
  customer: string
  /** The id as sent: the UUID's text when it travelled as 16 bytes, else the text. */
  transaction_id: string
  /** Whether it travelled as a UUID's bytes. */
  uuid: boolean
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
  const uuid = () => {
    if (o + 16 > buf.length) throw new Error('truncated UUID')
    const half = (at: number) =>
      Buffer.from(buf.subarray(at, at + 8))
        .reverse()
        .toString('hex')
    const hex = half(o) + half(o + 8)
    o += 16
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  }
  const rows: StagingRow[] = []
  while (o < buf.length) {
    const customer = string()
    const txUuid = uuid()
    const txText = string()
    const transaction_id = txText === '' ? txUuid : txText
    const code = string()
    const ts = uint64()
    const seq = uint64()
    const properties: [string, string][] = []
    for (let k = varint(); k > 0; k--) properties.push([string(), string()])
    if (txText !== '' && txUuid !== '00000000-0000-0000-0000-000000000000')
      throw new Error('a UUID and a text id')
    rows.push({ customer, transaction_id, uuid: txText === '', code, ts, seq, properties })
  }
  return rows
}
