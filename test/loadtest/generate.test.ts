import { describe, expect, it } from 'vitest'
import { validateChunk } from '../../src/ingest/validate-chunk.js'
import { readStagingRows } from '../support/staging-rows.js'
import { customerId, generateEvents, type GenerateRange } from '../../src/loadtest/generate.js'
import { EVENT_CODES, EVENT_MIX, parseCodes, zipfTable } from '../../src/loadtest/traffic.js'

const BASE = Date.UTC(2026, 9, 5, 12)
/** One event a millisecond from BASE, so that any split into ranges gives the same timestamps. */
function range(firstSeq: number, count: number, over: Partial<GenerateRange> = {}): GenerateRange {
  return {
    customers: 1000,
    zipf: 1,
    codes: EVENT_CODES,
    seed: 7,
    run: 3,
    firstSeq,
    count,
    fromMs: BASE + firstSeq,
    toMs: BASE + firstSeq + count,
    ...over,
  }
}
const lines = (b: Buffer) => b.toString().trimEnd().split('\n')
const rows = (b: Buffer) => lines(b).map((l) => JSON.parse(l) as Record<string, any>)

describe('generated events', () => {
  it('are ingest lines that pass the real validator, each stored as written, its UUID as a UUID', () => {
    const r = range(1000, 20_000)
    const bytes = generateEvents(r)
    const v = validateChunk({ bytes, firstLine: 1, firstSeq: r.firstSeq, maxLineBytes: 64 << 10 })
    expect(v.rejects).toEqual([])
    expect(v.good).toBe(20_000)
    // Each line's fields, with its numbers as the text they were written with, as stored.
    const expected = lines(bytes).map((l, i) => {
      const row = JSON.parse(
        l.replace(/("properties":\{.*)$/, (p) => p.replace(/:(-?[0-9][0-9.]*)/g, ':"$1"')),
      )
      return {
        customer: row.customer,
        transaction_id: row.transaction_id,
        uuid: true,
        code: row.code,
        ts: Date.parse(row.timestamp),
        seq: r.firstSeq + i,
        properties: Object.entries(row.properties),
      }
    })
    expect(readStagingRows(v.rows)).toEqual(expected)
  })

  it('are the same for a seed whatever the split into tasks, and differ with another seed', () => {
    const whole = generateEvents(range(0, 3000))
    const split = Buffer.concat([generateEvents(range(0, 1234)), generateEvents(range(1234, 1766))])
    expect(split.equals(whole)).toBe(true)
    expect(generateEvents(range(0, 3000, { seed: 8 })).equals(whole)).toBe(false)
  })

  it('have the ingest keys in order, the scheduled time, and a UUID transaction id', () => {
    const r = range(41, 500)
    const parsed = rows(generateEvents(r))
    expect(parsed).toHaveLength(500)
    parsed.forEach((row, i) => {
      expect(Object.keys(row)).toEqual(['transaction_id', 'customer', 'code', 'timestamp', 'properties'])
      expect(row.timestamp).toBe(new Date(BASE + 41 + i).toISOString())
      expect(row.transaction_id).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-0003[0-9a-f]{8}$/,
      )
      expect(row.customer).toMatch(/^cust_\d{3}$/)
    })
  })

  it('never repeats a transaction id within a run or across runs', () => {
    const ids = (run: number) => rows(generateEvents(range(0, 50_000, { run }))).map((r) => r.transaction_id)
    const run1 = ids(1)
    expect(new Set(run1).size).toBe(50_000)
    const seen = new Set(run1)
    expect(ids(2).filter((id) => seen.has(id))).toEqual([])
  })

  it('carries the properties the example plans bill, as numbers and strings', () => {
    const byCode = new Map<string, Record<string, any>[]>()
    for (const row of rows(generateEvents(range(0, 20_000)))) {
      byCode.set(row.code, [...(byCode.get(row.code) ?? []), row.properties])
    }
    expect([...byCode.keys()].sort()).toEqual([...EVENT_CODES].sort())
    for (const p of byCode.get('api_calls')!) {
      expect(Number.isInteger(p.tokens) && p.tokens >= 1 && p.tokens <= 2000).toBe(true)
      expect(['gpt-4o', 'gpt-4o-mini']).toContain(p.model)
      expect(['us-east-1', 'eu-west-1', 'ap-south-1']).toContain(p.region)
    }
    for (const p of byCode.get('seat_activity')!) expect(p.user_id).toMatch(/^u([1-9]|[1-4]\d|50)$/)
    for (const p of byCode.get('connections')!) expect(p.conns >= 1 && p.conns <= 500).toBe(true)
    for (const p of byCode.get('storage')!) expect(p.gb >= -4 && p.gb <= 15.9).toBe(true)
    for (const p of byCode.get('payment')!) {
      expect(p.currency).toBe('USD')
      expect(p.amount >= 1 && p.amount < 501).toBe(true)
    }
    const gpt4o = byCode.get('api_calls')!.filter((p) => p.model === 'gpt-4o').length
    expect(gpt4o / byCode.get('api_calls')!.length).toBeCloseTo(0.4, 1)
  })

  it('sends each code in its share of the mix, and only the codes asked for', () => {
    const n = 100_000
    const counts = new Map<string, number>()
    for (const row of rows(generateEvents(range(0, n)))) counts.set(row.code, (counts.get(row.code) ?? 0) + 1)
    const total = Object.values(EVENT_MIX).reduce((a, b) => a + b, 0)
    for (const code of EVENT_CODES) {
      expect(Math.abs(counts.get(code)! / n - EVENT_MIX[code] / total)).toBeLessThan(0.01)
    }
    const two = rows(generateEvents(range(0, 5000, { codes: parseCodes('payment,storage') })))
    expect(new Set(two.map((r) => r.code))).toEqual(new Set(['payment', 'storage']))
    expect(() => parseCodes('api_calls,tokens')).toThrow(/unknown: tokens/)
    expect(() => parseCodes(',')).toThrow(/comma-separated/)
  })

  it('spreads customers like Zipf: rank k is picked in proportion to 1/(k+1)^s', () => {
    const n = 200_000
    const counts = new Map<string, number>()
    for (const row of rows(generateEvents(range(0, n, { customers: 100, zipf: 1 })))) {
      counts.set(row.customer, (counts.get(row.customer) ?? 0) + 1)
    }
    const h = Array.from({ length: 100 }, (_, k) => 1 / (k + 1)).reduce((a, b) => a + b, 0)
    for (const k of [0, 1, 2, 5, 10, 50, 99]) {
      const expected = n / (k + 1) / h
      const got = counts.get(customerId(k, 100)) ?? 0
      expect(Math.abs(got - expected) / expected).toBeLessThan(k < 20 ? 0.05 : 0.15)
    }
    const uniform = new Map<string, number>()
    for (const row of rows(generateEvents(range(0, n, { customers: 100, zipf: 0 })))) {
      uniform.set(row.customer, (uniform.get(row.customer) ?? 0) + 1)
    }
    expect(uniform.size).toBe(100)
    for (const c of uniform.values()) expect(Math.abs(c - n / 100)).toBeLessThan(n / 100 / 5)
  })

  it('builds alias tables that give exactly the Zipf probabilities', () => {
    for (const [n, s] of [
      [1, 1],
      [7, 0.5],
      [1000, 1.2],
      [3, 0],
    ] as const) {
      const t = zipfTable(n, s)
      const p = new Float64Array(n)
      for (let k = 0; k < n; k++) {
        p[k] = p[k]! + t.accept[k]! / 2 ** 32 / n
        p[t.alias[k]!] = p[t.alias[k]!]! + (1 - t.accept[k]! / 2 ** 32) / n
      }
      const weights = Array.from({ length: n }, (_, k) => 1 / (k + 1) ** s)
      const total = weights.reduce((a, b) => a + b, 0)
      weights.forEach((w, k) => expect(p[k]).toBeCloseTo(w / total, 9))
    }
  })

  it('refuses times that do not fit 13 digits of milliseconds', () => {
    expect(() => generateEvents(range(0, 10, { fromMs: 5, toMs: 15 }))).toThrow(RangeError)
  })
})
