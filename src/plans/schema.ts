// The shapes of the YAML files of a plans folder, as zod schemas that turn a parsed document into
// plan parts (Decimal amounts, camelCase fields). Every issue's message says what was expected there;
// cross-file rules (metric names, unique codes, customers' plans) live in load.ts.
import { z } from 'zod'
import { Decimal } from '../money/decimal.js'
import { currencyProblem } from '../money/iso4217.js'
import { tierBoundProblems, type TierBound } from './tiers.js'
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

/** Digits allowed after the decimal point of an amount or a quantity. */
export const MAX_DECIMALS = 12
export const PLAN_CODE = /^[A-Za-z0-9_.-]+$/

/**
 * Facts a problem's message is completed with once its place in the file is known (see issues.ts):
 * `quote` asks to show the value quoted as written, `unknownKey` lists the keys that were allowed.
 */
export interface IssueHints {
  quote?: boolean
  unknownKey?: readonly string[]
}

// ---- Describing what was found --------------------------------------------------------------------

export function describeValue(input: unknown): string {
  if (input === undefined) return 'nothing'
  if (input === null) return 'an empty value'
  if (typeof input === 'string') return JSON.stringify(input.length > 60 ? `${input.slice(0, 57)}...` : input)
  if (typeof input === 'bigint') return `integer ${input}`
  if (typeof input === 'number') return `number ${input}`
  if (typeof input === 'boolean') return String(input)
  if (Array.isArray(input)) return 'a list'
  if (typeof input === 'object') return 'a mapping'
  return typeof input
}

/** `expected X, got Y`, or `missing: expected X` for a key that is not there. */
export function expectedGot(expected: string, input: unknown): string {
  return input === undefined
    ? `missing: expected ${expected}`
    : `expected ${expected}, got ${describeValue(input)}`
}

// ---- Leaves: one value each, read by a plain function ---------------------------------------------

export class Rejection {
  constructor(
    readonly message: string,
    readonly hints: IssueHints = {},
  ) {}
}

/** A schema for one value: `read` returns it, converted, or a Rejection saying what was expected. */
export function leaf<T>(read: (input: unknown) => T | Rejection) {
  return z.unknown().transform((input, ctx): T => {
    const result = read(input)
    if (!(result instanceof Rejection)) return result
    ctx.addIssue({ code: 'custom', message: result.message, input, params: result.hints })
    return z.NEVER
  })
}

export function text(expected: string, pattern?: RegExp) {
  return leaf((input) =>
    typeof input === 'string' && input !== '' && (!pattern || pattern.test(input))
      ? input
      : new Rejection(expectedGot(expected, input)),
  )
}

export function oneOf<const T extends string>(values: readonly T[]) {
  return leaf((input) =>
    (values as readonly unknown[]).includes(input)
      ? (input as T)
      : new Rejection(expectedGot(`one of ${values.join(', ')}`, input)),
  )
}

const DECIMAL_STRING = /^-?\d+(\.\d+)?$/

interface DecimalKind {
  /** `amount` for money and rates, `quantity` for units. */
  noun: 'amount' | 'quantity'
  example: string
  /** Whether a YAML integer (exact) is accepted besides a decimal string. */
  integers: boolean
}

// YAML numbers are binary floats: 0.1 is not one tenth. Amounts are therefore written as strings, and
// integers (read exactly, as bigint) are accepted only for quantities.
function readDecimal(input: unknown, kind: DecimalKind): Decimal | Rejection {
  const expected = kind.integers
    ? `an integer or a decimal string like "${kind.example}"`
    : `a decimal string like "${kind.example}"`
  let digits: string
  if (typeof input === 'string') digits = input
  else if (typeof input === 'bigint' && kind.integers) digits = input.toString()
  else if (typeof input === 'bigint' || (typeof input === 'number' && Number.isFinite(input)))
    return new Rejection(expectedGot(expected, input), { quote: true })
  else return new Rejection(expectedGot(expected, input))

  if (!DECIMAL_STRING.test(digits)) return new Rejection(expectedGot(expected, input))
  if (digits.startsWith('-'))
    return new Rejection(`expected a non-negative ${kind.noun}, got ${describeValue(input)}`)
  const decimals = digits.split('.')[1]?.length ?? 0
  if (decimals > MAX_DECIMALS) {
    return new Rejection(
      `expected at most ${MAX_DECIMALS} decimals, got ${describeValue(input)} (${decimals})`,
    )
  }
  return new Decimal(digits)
}

const AMOUNT: DecimalKind = { noun: 'amount', example: '0.01', integers: false }
const QUANTITY: DecimalKind = { noun: 'quantity', example: '1000', integers: true }

/** A money amount or a percent rate: a non-negative decimal string such as "0.01". */
export const amount = leaf((input) => readDecimal(input, AMOUNT))

/** A number of units: a non-negative YAML integer such as 1000, or a decimal string such as "0.5". */
export const quantity = leaf((input) => readDecimal(input, QUANTITY))

const positiveQuantity = leaf((input) => {
  const value = readDecimal(input, QUANTITY)
  if (value instanceof Rejection || value.gt(0)) return value
  return new Rejection(`expected a quantity greater than 0, got ${describeValue(input)}`)
})

/** A tax rate as a fraction: "0.20" is 20 %. */
function readTaxRate(input: unknown): Decimal | Rejection {
  const value = readDecimal(input, { noun: 'amount', example: '0.20', integers: false })
  if (value instanceof Rejection || value.lte(1)) return value
  return new Rejection(`expected a tax rate between "0" and "1" like "0.20", got ${describeValue(input)}`)
}

export const taxRate = leaf(readTaxRate)

const eventCount = leaf((input) =>
  typeof input === 'bigint' && input >= 0n && input <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(input)
    : new Rejection(expectedGot('a non-negative integer like 100', input)),
)

// Says why a code is refused (no minor unit like XAU, withdrawn like HRK), unless the text is too long
// to be meant as a code.
const currency = leaf((input) => {
  const expected = expectedGot('an ISO 4217 currency code like "USD"', input)
  if (typeof input !== 'string') return new Rejection(expected)
  const problem = currencyProblem(input)
  if (problem === undefined) return input
  return new Rejection(input.length <= 12 ? `${expected}; ${problem}` : expected)
})

// ---- Mappings and lists ---------------------------------------------------------------------------

function unknownKey(known: readonly string[]) {
  return z.unknown().transform((_input, ctx): never => {
    ctx.addIssue({
      code: 'custom',
      message: 'unknown key',
      params: { unknownKey: known } satisfies IssueHints,
    })
    return z.NEVER
  })
}

/** A mapping with exactly these keys: an unknown key (a typo like `unit_prise`) is an issue of its own. */
export function mapping<S extends z.ZodRawShape>(what: string, shape: S) {
  const known = Object.keys(shape)
  // Each unknown key gets its own issue, at its own path, through the catch-all schema.
  const schema = z
    .object(shape, { error: (issue) => expectedGot(what, issue.input) })
    .catchall(unknownKey(known))
  // The catch-all never yields a value, so the output has exactly the shape's keys.
  return schema as unknown as z.ZodObject<S, z.core.$strict>
}

function listOf<T extends z.ZodType>(what: string, item: T) {
  return z.array(item, { error: (issue) => expectedGot(what, issue.input) })
}

function mapOf<T extends z.ZodType>(what: string, value: T) {
  return z.record(z.string(), value, { error: (issue) => expectedGot(what, issue.input) })
}

const always = { when: () => true }

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
