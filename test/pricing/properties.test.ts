// Money properties of the pricing engine against a slow reference written independently here: exact
// integers (BigInt fixed point), graduated tiers walked one hundredth of a unit at a time, packages
// counted one by one, percentage events walked a hundredth at a time against their free limits,
// rounding half-up done by hand. Covers what the per-model tests leave out: fractional units, every
// model against a reference, amounts never negative (negative units cost 0), volume monotone within any
// tier, each line rounded once.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { buildInvoice } from '../../src/invoices/build.js'
import { intervalsOf } from '../../src/invoices/intervals.js'
import { Decimal } from '../../src/money/decimal.js'
import type { Charge, ChargeModel, Plan } from '../../src/plans/types.js'
import { priceCharge, type Usage } from '../../src/pricing/models/index.js'

/** Fixed point with 8 decimals: prices have at most 4, units 2, and a rate is divided by 100. */
const SCALE = 10n ** 8n
const fixed = (text: string): bigint => {
  const [int, frac = ''] = text.replace('-', '').split('.')
  const v = BigInt(int!) * SCALE + BigInt(frac.padEnd(8, '0'))
  return text.startsWith('-') ? -v : v
}
const mul = (a: bigint, b: bigint) => (a * b) / SCALE // exact here: the digits never exceed 8
const text = (v: bigint): string => new Decimal(v.toString()).div(SCALE.toString()).toFixed()
const hundredthsOf = (text: string): number => Math.round(Number(text) * 100) // exact for 2 decimals

/** Amounts with up to 4 decimals, units with 2, counts of events: generated as exact text. */
const amount = fc.integer({ min: 0, max: 500_000 }).map((n) => (n / 10_000).toFixed(4))
const units = fc.integer({ min: -5_000, max: 20_000 }).map((n) => (n / 100).toFixed(2))
const bounds = (n: number) =>
  fc
    .uniqueArray(fc.integer({ min: 1, max: 150 }), { minLength: n, maxLength: n })
    .map((b) => b.sort((x, y) => x - y))
const tiers = fc
  .integer({ min: 1, max: 4 })
  .chain((n) => fc.tuple(bounds(n - 1), fc.array(fc.tuple(amount, amount), { minLength: n, maxLength: n })))
  .map(([ups, prices]) => prices.map(([price, fee], i) => ({ upTo: ups[i], price, fee })))
/** An event's value: often 0, else up to 30 with 2 decimals, so that free units span a few events. */
const eventValue = fc.oneof(
  { arbitrary: fc.constant('0.00'), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 3_000 }).map((n) => (n / 100).toFixed(2)), weight: 4 },
)

type TierSpec = { upTo: number | undefined; price: string; fee: string }
type Spec =
  | { model: 'standard'; price: string }
  | { model: 'graduated' | 'volume' | 'graduated_percentage'; tiers: TierSpec[] }
  | { model: 'package'; size: string; price: string; free: string }
  | {
      model: 'percentage'
      rate: string
      fee: string
      free: string
      freeEvents: number
      min: string | undefined
      max: string | undefined
      /** The events' values in time order; the units are their sum. */
      values: string[]
    }

const spec: fc.Arbitrary<Spec> = fc.oneof(
  fc.record({ model: fc.constant('standard' as const), price: amount }),
  fc.record({
    model: fc.constantFrom('graduated' as const, 'volume' as const, 'graduated_percentage' as const),
    tiers,
  }),
  fc.record({
    model: fc.constant('package' as const),
    size: fc.integer({ min: 1, max: 5_000 }).map((n) => (n / 100).toFixed(2)),
    price: amount,
    free: fc.integer({ min: 0, max: 5_000 }).map((n) => (n / 100).toFixed(2)),
  }),
  fc.record({
    model: fc.constant('percentage' as const),
    rate: amount,
    fee: amount,
    free: fc.oneof(
      fc.constant('0.00'),
      fc.integer({ min: 0, max: 5_000 }).map((n) => (n / 100).toFixed(2)),
    ),
    freeEvents: fc.integer({ min: 0, max: 5 }),
    min: fc.option(amount, { nil: undefined }),
    max: fc.option(amount, { nil: undefined }),
    values: fc.array(eventValue, { maxLength: 8 }),
  }),
)

/** The same charge, as the pricing engine takes it. */
function modelOf(s: Spec): ChargeModel {
  const d = (t: string) => new Decimal(t)
  const bound = (t: TierSpec) => (t.upTo === undefined ? {} : { upTo: d(String(t.upTo)) })
  switch (s.model) {
    case 'standard':
      return { model: 'standard', unitPrice: d(s.price) }
    case 'graduated':
    case 'volume':
      return {
        model: s.model,
        tiers: s.tiers.map((t) => ({ ...bound(t), unitPrice: d(t.price), flatFee: d(t.fee) })),
      }
    case 'graduated_percentage':
      return {
        model: s.model,
        tiers: s.tiers.map((t) => ({ ...bound(t), rate: d(t.price), flatFee: d(t.fee) })),
      }
    case 'package':
      return { model: 'package', packageSize: d(s.size), packagePrice: d(s.price), freeUnits: d(s.free) }
    case 'percentage':
      return {
        model: 'percentage',
        rate: d(s.rate),
        fixedFee: d(s.fee),
        freeUnits: d(s.free),
        freeEvents: s.freeEvents,
        ...(s.min !== undefined && { perEventMin: d(s.min) }),
        ...(s.max !== undefined && { perEventMax: d(s.max) }),
      }
  }
}

/** The tier a unit (ending at `upper`, exclusive start) falls in: the first whose bound it does not pass. */
function tierOf(ts: TierSpec[], upper: bigint): number {
  const i = ts.findIndex((t) => t.upTo === undefined || upper <= BigInt(t.upTo) * SCALE)
  return i < 0 ? ts.length - 1 : i
}

/** The slow reference: exact integers, one step at a time. */
function reference(s: Spec, unitsText: string): bigint {
  const u = fixed(unitsText)
  // Negative units cost nothing at all, whatever the model.
  if (u < 0n) return 0n
  switch (s.model) {
    case 'standard':
      return mul(u, fixed(s.price))
    case 'graduated':
    case 'graduated_percentage': {
      // Walk the units one hundredth at a time; each hundredth costs its tier's price, and each tier
      // reached adds its flat fee once. The first tier is reached even by zero units.
      const step = SCALE / 100n
      const per = (t: TierSpec) => (s.model === 'graduated' ? fixed(t.price) : fixed(t.price) / 100n)
      let total = 0n
      const reached = new Set<number>([0])
      for (let done = 0n; done < u; done += step) {
        const i = tierOf(s.tiers, done + step)
        reached.add(i)
        total += mul(step, per(s.tiers[i]!))
      }
      for (const i of reached) total += fixed(s.tiers[i]!.fee)
      return total
    }
    case 'volume': {
      // Zero units fall in the first tier, and pay its flat fee.
      const t = s.tiers[u === 0n ? 0 : tierOf(s.tiers, u)]!
      return mul(u, fixed(t.price)) + fixed(t.fee)
    }
    case 'package': {
      let left = u - fixed(s.free)
      let packages = 0n
      while (left > 0n) {
        packages++
        left -= fixed(s.size)
      }
      return packages * fixed(s.price)
    }
    case 'percentage':
      return referencePercentage(s, u)
  }
}

/**
 * Percentage, from the rules as stated: a unit is free while neither limit is reached (it belongs to
 * one of the first N events, and fewer than X units were freed before it); an event is wholly free
 * while every event up to it is among the first N and keeps the running total below X. Every other
 * event pays its own units beyond the free ones at rate %, plus the fixed fee unless the units are
 * zero, bounded to [min, max] (min first) when bounds are set. Walked a hundredth at a time.
 */
function referencePercentage(s: Extract<Spec, { model: 'percentage' }>, u: bigint): bigint {
  const n = s.freeEvents
  const x = hundredthsOf(s.free)
  const limited = n > 0 || x > 0
  const fee = u === 0n ? 0n : fixed(s.fee)
  let freed = 0
  let running = 0
  let whollyFree = limited
  let total = 0n
  for (const [i, value] of s.values.entries()) {
    let billable = 0
    for (let h = 0; h < hundredthsOf(value); h++) {
      if (limited && (n === 0 || i < n) && (x === 0 || freed < x)) freed++
      else billable++
    }
    running += hundredthsOf(value)
    whollyFree = whollyFree && (n === 0 || i < n) && (x === 0 || running < x)
    if (whollyFree) continue
    let paid = mul(BigInt(billable) * (SCALE / 100n), fixed(s.rate)) / 100n + fee
    if (s.min !== undefined && paid < fixed(s.min)) paid = fixed(s.min)
    else if (s.max !== undefined && paid > fixed(s.max)) paid = fixed(s.max)
    total += paid
  }
  return total
}

/** Half-up (away from zero) to `digits` decimals, by hand. */
function roundHalfUp(v: bigint, digits: number): bigint {
  const unit = 10n ** (8n - BigInt(digits))
  const magnitude = v < 0n ? -v : v
  const q = magnitude / unit + ((magnitude % unit) * 2n >= unit ? 1n : 0n)
  return (v < 0n ? -q : q) * unit
}

/** Units anywhere, and often right at, just below or just above a tier bound; a percentage's sum its events'. */
const unitsFor = (s: Spec): fc.Arbitrary<string> => {
  if (s.model === 'percentage') {
    const sum = s.values.reduce((total, v) => total + hundredthsOf(v), 0)
    return fc.oneof(
      { arbitrary: fc.constant((sum / 100).toFixed(2)), weight: 5 },
      { arbitrary: units.filter((u) => u.startsWith('-')), weight: 1 },
    )
  }
  const ups = 'tiers' in s ? s.tiers.flatMap((t) => (t.upTo === undefined ? [] : [t.upTo * 100])) : []
  const zero = fc.constant('0.00')
  if (ups.length === 0) return fc.oneof({ arbitrary: units, weight: 9 }, { arbitrary: zero, weight: 1 })
  const nearBound = fc.tuple(fc.constantFrom(...ups), fc.integer({ min: -1, max: 1 }))
  return fc.oneof(
    { arbitrary: units, weight: 9 },
    { arbitrary: zero, weight: 1 },
    { arbitrary: nearBound.map(([b, d]) => ((b + d) / 100).toFixed(2)), weight: 9 },
  )
}
const charge = spec.chain((s) => fc.tuple(fc.constant(s), unitsFor(s)))

/** The usage the engine is given: a percentage charge gets its events and their values. */
function usageOf(s: Spec, u: string, events: number): Usage {
  if (s.model !== 'percentage') return { units: new Decimal(u), events }
  return { units: new Decimal(u), events: s.values.length, eventValues: s.values.map((v) => new Decimal(v)) }
}
const price = (s: Spec, u: string, events: number) => priceCharge(modelOf(s), usageOf(s, u, events))
const events = fc.integer({ min: 0, max: 20 })

describe('every charge model equals the slow reference', () => {
  it('for any units, fractional and negative ones included', () => {
    fc.assert(
      fc.property(charge, events, ([s, u], n) => {
        expect(price(s, u, n).toFixed()).toBe(text(reference(s, u)))
      }),
      { numRuns: 400 },
    )
  })
})

describe('amounts are never negative, and negative units cost nothing', () => {
  it('is never negative, and zero for negative units, whatever the model', () => {
    fc.assert(
      fc.property(charge, events, ([s, u], n) => {
        const amount = price(s, u, n)
        expect(amount.lt(0)).toBe(false)
        if (new Decimal(u).lt(0)) expect(amount.toFixed()).toBe('0')
      }),
      { numRuns: 300 },
    )
  })
})

describe('volume is monotone within a tier', () => {
  it('never charges less for more units in the same tier, whichever tier', () => {
    fc.assert(
      fc.property(tiers, fc.nat(), fc.nat(), fc.nat(), (ts, pick, a, b) => {
        const i = pick % ts.length
        const low = i === 0 ? 0 : ts[i - 1]!.upTo! * 100
        const high = ts[i]!.upTo === undefined ? low + 100_000 : ts[i]!.upTo! * 100
        const inTier = (n: number) => (low + 1 + (n % (high - low))) / 100 // in (low, high], hundredths
        const [x, y] = [inTier(a), inTier(b)].sort((p, q) => p - q)
        const s: Spec = { model: 'volume', tiers: ts }
        const at = (u: number) => price(s, u.toFixed(2), 0)
        expect(at(x!).lte(at(y!))).toBe(true)
        // The tier's own upper bound is inside it (up_to is inclusive).
        if (ts[i]!.upTo !== undefined) expect(at(x!).lte(at(high / 100))).toBe(true)
      }),
      { numRuns: 300 },
    )
  })
})

describe('each invoice line is rounded once, from the exact amount', () => {
  it('matches rounding the reference amount half-up to the minor unit, and sums the rounded lines', () => {
    const currency = fc.constantFrom(['USD', 2] as const, ['JPY', 0] as const, ['BHD', 3] as const)
    const period = { from: new Date('2024-01-01T00:00:00Z'), to: new Date('2024-02-01T00:00:00Z') }
    fc.assert(
      fc.property(currency, fc.array(charge, { minLength: 1, maxLength: 4 }), ([code, digits], cs) => {
        const metric = { name: 'm', code: 'm', aggregation: 'sum' as const, property: 'v' }
        const charges = cs.map(([s]) => ({ ...modelOf(s), metric, filters: {}, groupBy: [] }) as Charge)
        const plan: Plan = {
          code: 'p',
          name: 'p',
          currency: code,
          interval: 'monthly',
          fixedFee: new Decimal(0),
          charges,
          file: 'p.yaml',
        }
        const usage = cs.map(([s, u], charge) => ({ charge, group: {}, invalid: 0, ...usageOf(s, u, 3) }))
        const invoice = buildInvoice({
          customer: { id: 'c', taxRate: new Decimal(0) },
          plan,
          period,
          intervals: intervalsOf(period, 'monthly').map((interval) => ({ interval, usage })),
        })
        const expected = cs.map(([s, u]) => roundHalfUp(reference(s, u), digits))
        expect(invoice.intervals.flatMap((i) => i.lines).map((l) => l.amount.toFixed())).toEqual(
          expected.map(text),
        )
        expect(invoice.total.toFixed()).toBe(text(expected.reduce((a, b) => a + b, 0n)))
      }),
      { numRuns: 200 },
    )
  })
})
