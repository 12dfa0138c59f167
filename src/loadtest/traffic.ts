// What synthetic traffic looks like: the event codes the example plans bill, how often each is sent,
// and how customers are picked (Zipf: a few customers send most of the events, like real usage).
// Pure and deterministic: the same seed gives the same events, in a worker, a test or a benchmark.

/** Event codes of plans/*.yaml and their share of the traffic (weights, not percentages). */
export const EVENT_MIX = {
  api_calls: 70,
  seat_activity: 10,
  connections: 10,
  storage: 5,
  payment: 5,
} as const

export type EventCode = keyof typeof EVENT_MIX
export const EVENT_CODES = Object.keys(EVENT_MIX) as EventCode[]

export function isEventCode(code: string): code is EventCode {
  return Object.hasOwn(EVENT_MIX, code)
}

/** The customer id of a Zipf rank: rank 0 sends the most events. */
export function customerId(rank: number): string {
  return `cust_${rank}`
}

/** mulberry32: a small, fast 32-bit generator; `state` is advanced in place. */
export function nextRandom(state: Uint32Array): number {
  const a = (state[0]! + 0x6d2b79f5) >>> 0
  state[0] = a
  let t = Math.imul(a ^ (a >>> 15), 1 | a)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return (t ^ (t >>> 14)) >>> 0
}

/** murmur3's finalizer: a bijection on 32-bit integers, so distinct inputs give distinct outputs. */
export function mix32(x: number): number {
  x ^= x >>> 16
  x = Math.imul(x, 0x85ebca6b)
  x ^= x >>> 13
  x = Math.imul(x, 0xc2b2ae35)
  x ^= x >>> 16
  return x >>> 0
}

/**
 * Walker's alias tables for P(rank k) ∝ 1 / (k + 1)^s, k < n: one sample costs two random numbers
 * and no search, whatever n is.
 */
export interface ZipfTable {
  n: number
  /** Acceptance threshold of each column, scaled to 2^32. */
  accept: Float64Array
  alias: Uint32Array
}

const ZIPF_CACHE = new Map<string, ZipfTable>()

export function zipfTable(n: number, s: number): ZipfTable {
  const key = `${n}:${s}`
  const cached = ZIPF_CACHE.get(key)
  if (cached) return cached
  const weights = new Float64Array(n)
  let total = 0
  for (let k = 0; k < n; k++) total += weights[k] = 1 / Math.pow(k + 1, s)
  const scaled = weights.map((w) => (w * n) / total)
  const accept = new Float64Array(n)
  const alias = new Uint32Array(n)
  const small: number[] = []
  const large: number[] = []
  scaled.forEach((p, k) => (p < 1 ? small : large).push(k))
  while (small.length && large.length) {
    const lo = small.pop()!
    const hi = large.pop()!
    accept[lo] = scaled[lo]! * 2 ** 32
    alias[lo] = hi
    scaled[hi] = scaled[hi]! + scaled[lo]! - 1
    ;(scaled[hi]! < 1 ? small : large).push(hi)
  }
  for (const k of [...small, ...large]) {
    accept[k] = 2 ** 32
    alias[k] = k
  }
  const table = { n, accept, alias }
  ZIPF_CACHE.set(key, table)
  return table
}

export function sampleZipf(table: ZipfTable, r1: number, r2: number): number {
  const column = Math.floor((r1 / 2 ** 32) * table.n)
  return r2 < table.accept[column]! ? column : table.alias[column]!
}

/** Cumulative weights of the chosen codes, scaled to 2^32, for picking a code with one number. */
export function codeThresholds(codes: readonly EventCode[]): Float64Array {
  const total = codes.reduce((sum, c) => sum + EVENT_MIX[c], 0)
  let running = 0
  return Float64Array.from(codes, (c) => ((running += EVENT_MIX[c]) / total) * 2 ** 32)
}

/** Parses `--codes api_calls,payment`; every code must be one the example plans bill. */
export function parseCodes(text: string): EventCode[] {
  const codes = [...new Set(text.split(',').map((c) => c.trim()))].filter((c) => c !== '')
  const unknown = codes.filter((c) => !isEventCode(c))
  if (codes.length === 0 || unknown.length > 0) {
    throw new Error(
      `--codes ${text}: expected a comma-separated list of ${EVENT_CODES.join(', ')}` +
        (unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''),
    )
  }
  return codes as EventCode[]
}
