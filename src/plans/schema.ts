// The shapes of the YAML files of a plans folder, as zod schemas that turn a parsed document into
// plan parts (Decimal amounts, camelCase fields). Every issue's message says what was expected there;
// cross-file rules (metric names, unique codes, customers' plans) live in load.ts.
import { z } from 'zod'
import { Decimal } from '../money/decimal.js'
import { tierBoundProblems, type TierBound } from './tiers.js'
import {
  always,
  amount,
  currency,
  eventCount,
  expectedGot,
  leaf,
  listOf,
  mapOf,
  mapping,
  oneOf,
  positiveQuantity,
  quantity,
  readTaxRate,
  Rejection,
  taxRate,
  text,
} from './schema-leaves.js'
import type {
  AggregationName,
  BillableMetric,
  ChargeModel,
  ChargeModelName,
  Interval,
  PercentageTier,
  RoundingFunction,
  Tier,
  UnitRounding,
} from './types.js'

export const INTERVALS = ['weekly', 'monthly', 'quarterly', 'yearly'] as const satisfies readonly Interval[]
export const AGGREGATIONS = [
  'count',
  'sum',
  'unique_count',
  'max',
  'latest',
  'weighted_sum',
] as const satisfies readonly AggregationName[]
export const CHARGE_MODELS = [
  'standard',
  'graduated',
  'volume',
  'package',
  'percentage',
  'graduated_percentage',
] as const satisfies readonly ChargeModelName[]
export const ROUNDING_FUNCTIONS = ['round', 'ceil', 'floor'] as const satisfies readonly RoundingFunction[]

/** Digits after the point a metric's rounding may keep, or (negative) round away to the left of it. */
export const MAX_ROUNDING_PRECISION = 12

export const PLAN_CODE = /^[A-Za-z0-9_.-]+$/

// ---- Metrics --------------------------------------------------------------------------------------

const roundingPrecision = leaf((input) =>
  typeof input === 'bigint' && input >= -MAX_ROUNDING_PRECISION && input <= MAX_ROUNDING_PRECISION
    ? Number(input)
    : new Rejection(
        expectedGot(
          `an integer from -${MAX_ROUNDING_PRECISION} to ${MAX_ROUNDING_PRECISION} (digits after the point; -2 rounds to hundreds)`,
          input,
        ),
      ),
)

// Lago's rounding_function and rounding_precision; a precision left out is 0 (whole units), as Lago's nil.
const rounding = mapping('a rounding (a mapping with function: and precision:)', {
  function: oneOf(ROUNDING_FUNCTIONS),
  precision: roundingPrecision.optional(),
}).transform((r): UnitRounding => ({ function: r.function, precision: r.precision ?? 0 }))

const trueOrFalse = leaf((input) =>
  typeof input === 'boolean' ? input : new Rejection(expectedGot('true or false', input)),
)

const metric = mapping('a metric (a mapping with aggregation:)', {
  aggregation: oneOf(AGGREGATIONS),
  property: text('the name of an event property').optional(),
  code: text('an event code').optional(),
  rounding: rounding.optional(),
  recurring: trueOrFalse.optional(),
}).superRefine((value, ctx) => {
  // Runs even when another key is wrong, so every problem of the metric is reported at once.
  const { aggregation, recurring } = value as { aggregation: unknown; recurring: unknown }
  // A wrong aggregation is its own problem; the rules below are those of a known one.
  const known = AGGREGATIONS.includes(aggregation as AggregationName)
  // Lago's recurring sum and unique_count (units that persist from period to period) are not built.
  if (known && recurring === true && aggregation !== 'weighted_sum') {
    ctx.addIssue({
      code: 'custom',
      path: ['recurring'],
      message: `recurring: true is supported for weighted_sum metrics only, not for aggregation ${String(aggregation)}`,
    })
  }
  if (known && aggregation !== 'count' && !Object.hasOwn(value, 'property')) {
    ctx.addIssue({
      code: 'custom',
      path: ['property'],
      message: `missing: expected the event property to read, as aggregation ${String(aggregation)} needs one (only count does not)`,
    })
  }
}, always)

/** One metric of metrics.yaml, read entry by entry so that a wrong one does not hide the others. */
export const metricEntry = metric

/** The metric named `name`: its event `code` defaults to its name. */
export function billableMetric(name: string, m: z.output<typeof metric>): BillableMetric {
  return {
    name,
    code: m.code ?? name,
    aggregation: m.aggregation,
    ...(m.property !== undefined && { property: m.property }),
    ...(m.rounding !== undefined && { rounding: m.rounding }),
    ...(m.recurring === true && { recurring: true }),
  }
}

/** A plan's own map of metric name -> metric. */
export const metrics = mapOf('a mapping of metric name -> metric', metric).transform(
  (byName) => new Map(Object.entries(byName).map(([name, m]) => [name, billableMetric(name, m)])),
)

// ---- Charges --------------------------------------------------------------------------------------

// A filter keeps events whose property has one of the listed values; YAML scalars become their text.
const filterValue = leaf((input) =>
  typeof input === 'string'
    ? input
    : typeof input === 'bigint' ||
        typeof input === 'boolean' ||
        (typeof input === 'number' && Number.isFinite(input))
      ? String(input)
      : new Rejection(expectedGot('a string, number or boolean', input)),
)

const filters = mapOf(
  'a mapping of event property -> list of values',
  listOf('a list of values', filterValue).min(1, { error: 'expected a non-empty list of values' }),
)

const groupBy = listOf('a list of event property names', text('the name of an event property'))

const tier = mapping('a tier (a mapping with unit_price:)', {
  up_to: quantity.optional(),
  unit_price: amount,
  flat_fee: amount.optional(),
})

const percentageTier = mapping('a tier (a mapping with rate:)', {
  up_to: quantity.optional(),
  rate: amount,
  flat_fee: amount.optional(),
})

function tierBound(tier: unknown): TierBound {
  if (typeof tier !== 'object' || tier === null) return 'unknown'
  if (!Object.hasOwn(tier, 'up_to')) return 'open'
  const bound = (tier as { up_to?: unknown }).up_to
  return bound instanceof Decimal ? bound : 'unknown'
}

function tierList<T extends z.ZodType>(item: T) {
  return listOf('a list of tiers', item)
    .min(1, { error: 'expected at least one tier' })
    .superRefine((tiers, ctx) => {
      // Runs even when a tier has another problem: bounds are checked wherever they could be read.
      if (!Array.isArray(tiers)) return
      for (const { index, message } of tierBoundProblems(tiers.map(tierBound))) {
        ctx.addIssue({ code: 'custom', path: [index, 'up_to'], message })
      }
    }, always)
}

const toTier = (t: z.output<typeof tier>): Tier => ({
  ...(t.up_to !== undefined && { upTo: t.up_to }),
  unitPrice: t.unit_price,
  flatFee: t.flat_fee ?? new Decimal(0),
})

const toPercentageTier = (t: z.output<typeof percentageTier>): PercentageTier => ({
  ...(t.up_to !== undefined && { upTo: t.up_to }),
  rate: t.rate,
  flatFee: t.flat_fee ?? new Decimal(0),
})

/** A charge as read from its file: its metric is still a name, resolved against the folder's metrics. */
export type ChargeDraft = ChargeModel & {
  metric: string
  filters: Record<string, string[]>
  groupBy: string[]
  minAmount?: Decimal
}

function chargeKeys<const K extends ChargeModelName>(model: K) {
  return {
    model: z.literal(model),
    metric: text('the name of a metric'),
    filters: filters.optional(),
    group_by: groupBy.optional(),
    // Lago's charge min_amount: the least the charge costs in an interval (the invoice adds a true-up).
    min_amount: amount.optional(),
  }
}

interface ChargeKeysOutput {
  metric: string
  filters?: Record<string, string[]>
  group_by?: string[]
  min_amount?: Decimal
}

function chargeOf(charge: ChargeKeysOutput) {
  return {
    metric: charge.metric,
    filters: charge.filters ?? {},
    groupBy: charge.group_by ?? [],
    ...(charge.min_amount !== undefined && { minAmount: charge.min_amount }),
  }
}

/** Per-event bounds of a percentage charge: the minimum may not exceed the maximum. */
function perEventBoundsProblem(charge: unknown, ctx: z.RefinementCtx): void {
  const { per_event_min_amount: min, per_event_max_amount: max } = charge as Record<string, unknown>
  // Runs even when another key is wrong; bounds that could not be read are reported where they are.
  if (!(min instanceof Decimal) || !(max instanceof Decimal) || min.lte(max)) return
  ctx.addIssue({
    code: 'custom',
    path: ['per_event_max_amount'],
    message: `expected an amount of at least per_event_min_amount ("${min.toFixed()}"), got "${max.toFixed()}"`,
  })
}

const zero = () => new Decimal(0)
const what = 'a charge (a mapping with metric: and model:)'

// One schema per charge model; the `model` key picks which one applies.
const chargeModels = [
  mapping(what, { ...chargeKeys('standard'), unit_price: amount }).transform((c): ChargeDraft => ({
    model: 'standard',
    unitPrice: c.unit_price,
    ...chargeOf(c),
  })),
  mapping(what, { ...chargeKeys('graduated'), tiers: tierList(tier) }).transform((c): ChargeDraft => ({
    model: 'graduated',
    tiers: c.tiers.map(toTier),
    ...chargeOf(c),
  })),
  mapping(what, { ...chargeKeys('volume'), tiers: tierList(tier) }).transform((c): ChargeDraft => ({
    model: 'volume',
    tiers: c.tiers.map(toTier),
    ...chargeOf(c),
  })),
  mapping(what, {
    ...chargeKeys('package'),
    package_size: positiveQuantity,
    package_price: amount,
    free_units: quantity.optional(),
  }).transform((c): ChargeDraft => ({
    model: 'package',
    packageSize: c.package_size,
    packagePrice: c.package_price,
    freeUnits: c.free_units ?? zero(),
    ...chargeOf(c),
  })),
  mapping(what, {
    ...chargeKeys('percentage'),
    rate: amount,
    fixed_fee: amount.optional(),
    free_units: quantity.optional(),
    free_events: eventCount.optional(),
    per_event_min_amount: amount.optional(),
    per_event_max_amount: amount.optional(),
  })
    .superRefine(perEventBoundsProblem, always)
    .transform((c): ChargeDraft => ({
      model: 'percentage',
      rate: c.rate,
      fixedFee: c.fixed_fee ?? zero(),
      freeUnits: c.free_units ?? zero(),
      freeEvents: c.free_events ?? 0,
      ...(c.per_event_min_amount !== undefined && { perEventMin: c.per_event_min_amount }),
      ...(c.per_event_max_amount !== undefined && { perEventMax: c.per_event_max_amount }),
      ...chargeOf(c),
    })),
  mapping(what, { ...chargeKeys('graduated_percentage'), tiers: tierList(percentageTier) }).transform(
    (c): ChargeDraft => ({
      model: 'graduated_percentage',
      tiers: c.tiers.map(toPercentageTier),
      ...chargeOf(c),
    }),
  ),
] as const

export const charge = z.discriminatedUnion('model', chargeModels, {
  error: (issue) =>
    issue.code === 'invalid_union'
      ? expectedGot(
          `one of ${CHARGE_MODELS.join(', ')}`,
          (issue.input as { model?: unknown } | undefined)?.model,
        )
      : expectedGot(what, issue.input),
})

// ---- Plans and customers --------------------------------------------------------------------------

/** A plan file, before its charges' metric names are resolved. */
export const planFile = mapping('a plan', {
  code: text('a plan code of letters, digits, "_", "." or "-" like "pro"', PLAN_CODE),
  name: text('a non-empty name').optional(),
  currency,
  interval: oneOf(INTERVALS),
  fixed_fee: amount.optional(),
  minimum_commitment: amount.optional(),
  metrics: metrics.optional(),
  charges: listOf('a list of charges', charge).optional(),
}).transform((plan) => ({
  code: plan.code,
  name: plan.name ?? plan.code,
  currency: plan.currency,
  interval: plan.interval,
  fixedFee: plan.fixed_fee ?? zero(),
  ...(plan.minimum_commitment !== undefined && { minimumCommitment: plan.minimum_commitment }),
  metrics: plan.metrics ?? new Map<string, BillableMetric>(),
  charges: plan.charges ?? [],
}))

export type PlanDraft = z.output<typeof planFile>

const CUSTOMER_KEYS = ['plan', 'name', 'tax_rate'] as const

/** One entry of customers.yaml (the customer id is its key). */
export const customerEntry = mapping('a customer (a mapping with plan:)', {
  plan: text('a plan code'),
  name: text('a non-empty name').optional(),
  tax_rate: taxRate.optional(),
}).transform((c) => ({
  plan: c.plan,
  ...(c.name !== undefined && { name: c.name }),
  taxRate: c.tax_rate ?? zero(),
}))

export type CustomerFields = z.output<typeof customerEntry>

/**
 * The same reading as customerEntry for an entry whose values are all text (the plain subset of
 * customers.yaml), without zod's machinery: 100,000 entries are read in a few milliseconds instead
 * of a second. Undefined for anything customerEntry would not accept as it is, so that the caller
 * reads the file again in full and reports each problem in its place.
 */
export function plainCustomerEntry(raw: Record<string, string>): CustomerFields | undefined {
  for (const key in raw) if (!(CUSTOMER_KEYS as readonly string[]).includes(key)) return undefined
  const { plan, name, tax_rate } = raw
  if (!plan || name === '') return undefined
  let rate = ZERO
  if (tax_rate !== undefined) {
    const read = readTaxRate(tax_rate)
    if (read instanceof Rejection) return undefined
    rate = read
  }
  return { plan, ...(name !== undefined && { name }), taxRate: rate }
}

const ZERO = new Decimal(0)
