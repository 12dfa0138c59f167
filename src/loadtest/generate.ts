// Synthetic usage events written straight as bytes, as the lines `billing ingest` reads (the load
// test sends them through the same validation as a file's lines). No object trees, no JSON.stringify:
// a row is a copy of a pre-built template (one per code, property variant and field widths) whose
// variable fields are then written in place, digit by digit. Each event draws from its own random
// stream, seeded by (seed, run, seq), so an event is the same whichever task or worker generates it.
import { codeThresholds, mix32, nextRandom, sampleZipf, zipfTable, type EventCode } from './traffic.js'

export interface TrafficShape {
  customers: number
  /** Zipf exponent: 0 spreads events evenly, 1 is the classic long tail. */
  zipf: number
  codes: EventCode[]
  seed: number
}

export interface GenerateRange extends TrafficShape {
  /** The load test's run number: part of every transaction id and of the stored version. */
  run: number
  /** Place of the first event in the run (the staging `seq`). */
  firstSeq: number
  count: number
  /** Scheduled time of the first event and of the one after the last (epoch ms). */
  fromMs: number
  toMs: number
}

/** Customer ids are zero-padded to one width (`cust_0042`), so every row of a code has one layout. */
export function customerWidth(customers: number): number {
  return String(Math.max(0, customers - 1)).length
}

export function customerId(rank: number, customers: number): string {
  return `cust_${String(rank).padStart(customerWidth(customers), '0')}`
}

/** Each code's properties: a head, a variable body (see putBody) and one of its tails. */
const PROPERTIES: Record<EventCode, { index: number; head: string; tails: string[] }> = {
  api_calls: {
    index: 0,
    head: '{"tokens":',
    // 40 % gpt-4o, three regions: the pro plan bills gpt-4o tokens by region
    tails: ['gpt-4o', 'gpt-4o', 'gpt-4o-mini', 'gpt-4o-mini', 'gpt-4o-mini'].flatMap((m) =>
      ['us-east-1', 'eu-west-1', 'ap-south-1'].map((r) => `,"model":"${m}","region":"${r}"}`),
    ),
  },
  seat_activity: { index: 1, head: '{"user_id":"u', tails: ['"}'] },
  connections: { index: 2, head: '{"conns":', tails: ['}'] },
  storage: { index: 3, head: '{"gb":', tails: ['}'] },
  payment: { index: 4, head: '{"amount":', tails: [',"currency":"USD"}'] },
}
const MAX_TAILS = 15
const MAX_BODY = 16

/** Writes the variable part of the properties into `body`; returns its length. */
function putBody(body: Uint8Array, code: number, r: number): number {
  switch (code) {
    case 0: // api_calls: tokens
      return putUint(body, 0, 1 + (r % 2000))
    case 1: // seat_activity: one of 50 users
      return putUint(body, 0, 1 + (r % 50))
    case 2: // connections
      return putUint(body, 0, 1 + (r % 500))
    case 3: {
      // storage: increments of -4.0 .. 15.9 GB for the weighted sum
      const tenths = (r % 200) - 40
      let o = 0
      if (tenths < 0) body[o++] = 0x2d
      o = putUint(body, o, Math.floor(Math.abs(tenths) / 10))
      body[o++] = 0x2e
      body[o++] = 0x30 + (Math.abs(tenths) % 10)
      return o
    }
    default: {
      // payment: 1.00 .. 500.99
      const o = putUint(body, 0, 1 + (r % 500))
      const cents = (r >>> 9) % 100
      body[o] = 0x2e
      body[o + 1] = 0x30 + Math.floor(cents / 10)
      body[o + 2] = 0x30 + (cents % 10)
      return o + 3
    }
  }
}

/** A line with placeholder fields, and where each field starts. */
interface RowTemplate {
  bytes: Uint8Array
  customer: number
  tx: number
  stamp: number
  body: number
}

const enc = (s: string) => new Uint8Array(Buffer.from(s))

function buildTemplate(
  code: EventCode,
  tail: number,
  widths: { customer: number; body: number },
): RowTemplate {
  const p = PROPERTIES[code]
  const mark = (c: string, n: number) => `\u0000${c.repeat(n)}`
  const customer = `"cust_${mark('C', widths.customer)}"`
  const tx = `"${mark('T', 36)}"`
  const properties = `${p.head}${mark('B', widths.body)}${p.tails[tail]}`
  const text = `{"transaction_id":${tx},"customer":${customer},"code":"${code}","timestamp":"${mark('S', 24)}","properties":${properties}}\n`
  const at = (c: string) => text.indexOf(`\u0000${c}`)
  const offsets = { customer: at('C'), tx: at('T'), stamp: at('S'), body: at('B') }
  // Each marker takes one character of its field; removing them shifts the later offsets.
  const order = Object.entries(offsets).sort((a, b) => a[1] - b[1])
  const fixed = Object.fromEntries(order.map(([k, v], i) => [k, v - i])) as typeof offsets
  return { bytes: enc(text.replaceAll('\u0000', '')), ...fixed }
}

function putUint(out: Uint8Array, o: number, n: number): number {
  const digits = n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : Math.floor(Math.log10(n)) + 1
  putDigits(out, o, n, digits)
  return o + digits
}

/** `n` as exactly `digits` decimal digits (zero-padded). */
function putDigits(out: Uint8Array, o: number, n: number, digits: number): void {
  for (let k = o + digits - 1; k >= o; k--) {
    const q = Math.floor(n / 10)
    out[k] = 0x30 + n - q * 10
    n = q
  }
}

const HEX2 = enc([...Array(256).keys()].map((b) => b.toString(16).padStart(2, '0')).join(''))

function putHex32(out: Uint8Array, o: number, x: number): void {
  for (let k = 0; k < 4; k++) {
    const b = (x >>> (24 - 8 * k)) & 255
    out[o + 2 * k] = HEX2[2 * b]!
    out[o + 2 * k + 1] = HEX2[2 * b + 1]!
  }
}

/**
 * A UUID-shaped transaction id. Its first 8 digits are a bijection of `seq` and its last group
 * starts with the run, so ids never repeat within a run or across runs (below 2^32 events a run).
 */
function putTransactionId(out: Uint8Array, o: number, seq: number, run: number, rng: Uint32Array): void {
  putHex32(out, o, mix32(seq ^ 0x5bd1e995))
  out[o + 8] = 0x2d
  const a = (nextRandom(rng) & 0xffff0fff) | 0x4000 // version 4
  putHex32(out, o + 9, a)
  out.copyWithin(o + 14, o + 13, o + 17) // xxxx-xxxx -> xxxx-4xxx
  out[o + 13] = 0x2d
  out[o + 18] = 0x2d
  const b = (nextRandom(rng) & 0x3fffffff) | 0x80000000 // RFC 4122 variant
  putHex32(out, o + 19, b) // its first 4 digits stay
  out[o + 23] = 0x2d
  putHex32(out, o + 24, (run & 0xffff) << 16)
  putHex32(out, o + 28, nextRandom(rng))
}

/** `count` events as NDJSON bytes, one ingest line each. */
export function generateEvents(range: GenerateRange): Buffer {
  if (!(range.fromMs >= 1e12 && range.toMs < 1e13)) {
    throw new RangeError('event times must be between 2001-09-09 and 2286-11-20 (13-digit milliseconds)')
  }
  const zipf = zipfTable(range.customers, range.zipf)
  const customerDigits = customerWidth(range.customers)
  const thresholds = codeThresholds(range.codes)
  const codes = range.codes.map((c) => PROPERTIES[c].index)
  const templates = new Map<number, RowTemplate>()
  const template = (c: number, tail: number, body: number) => {
    const key = (codes[c]! * MAX_TAILS + tail) * MAX_BODY + body
    let t = templates.get(key)
    if (!t) {
      t = buildTemplate(range.codes[c]!, tail, { customer: customerDigits, body })
      templates.set(key, t)
    }
    return t
  }
  // The widest row: the longest template plus the widest fields.
  const out = Buffer.allocUnsafe(range.count * (240 + customerDigits))
  const body = new Uint8Array(MAX_BODY)
  const rng = new Uint32Array(1)
  const seedMix = mix32(range.seed ^ 0x9e3779b9)
  const runMix = Math.imul(range.run, 0x27d4eb2d)
  const fromMs = Math.floor(range.fromMs)
  const span = Math.floor(range.toMs) - fromMs
  // The timestamp's text changes at most once a millisecond: it is written only then.
  const stamp = new Uint8Array(24)
  let stampMs = -1
  let o = 0
  for (let i = 0; i < range.count; i++) {
    const seq = range.firstSeq + i
    rng[0] = mix32(seq ^ seedMix) ^ runMix
    const customer = sampleZipf(zipf, nextRandom(rng), nextRandom(rng))
    const pick = nextRandom(rng)
    let c = 0
    while (c < thresholds.length - 1 && pick >= thresholds[c]!) c++
    const r = nextRandom(rng)
    const bodyLength = putBody(body, codes[c]!, r)
    const tail = codes[c] === 0 ? (r >>> 11) % MAX_TAILS : 0
    const t = template(c, tail, bodyLength)
    out.set(t.bytes, o)
    putDigits(out, o + t.customer, customer, customerDigits)
    putTransactionId(out, o + t.tx, seq, range.run, rng)
    const ts = fromMs + Math.floor((i * span) / range.count)
    if (ts !== stampMs) {
      stampMs = ts
      stamp.set(enc(new Date(ts).toISOString()))
    }
    for (let k = 0; k < 24; k++) out[o + t.stamp + k] = stamp[k]!
    for (let k = 0; k < bodyLength; k++) out[o + t.body + k] = body[k]!
    o += t.bytes.length
  }
  return out.subarray(0, o)
}
