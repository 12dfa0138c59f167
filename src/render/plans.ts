// Plans for people (cli-table3 tables) and for programs (plain JSON with decimal strings).
import Table from 'cli-table3'
import { Decimal, formatDecimal, minorUnits } from '../money/decimal.js'
import type { BillableMetric, Charge, PercentageTier, Plan, Tier, UnitRounding } from '../plans/types.js'

/** Amounts with at least the currency's minor unit digits: "99.00", "0.005". */
function moneyIn(currency: string): (amount: Decimal) => string {
  const digits = minorUnits(currency)
  return (amount) => formatDecimal(amount, digits)
}

// No colours: the output reads the same in a terminal, a pipe and a golden file.
const plain = { style: { head: [], border: [], compact: true } }

/** One row per plan: code, name, currency, interval, fixed fee, minimum, number of charges. */
export function renderPlanList(plans: readonly Plan[]): string {
  const table = new Table({
    ...plain,
    head: ['code', 'name', 'currency', 'interval', 'fixed fee', 'minimum', 'charges'],
    colAligns: ['left', 'left', 'left', 'left', 'right', 'right', 'right'],
  })
  for (const plan of plans) {
    const money = moneyIn(plan.currency)
    table.push([
      plan.code,
      plan.name,
      plan.currency,
      plan.interval,
      money(plan.fixedFee),
      plan.minimumCommitment ? money(plan.minimumCommitment) : '-',
      String(plan.charges.length),
    ])
  }
  return table.toString()
}

/** A plan in full: its terms, its charges, the tiers of tiered charges, and the metrics they read. */
export function renderPlan(plan: Plan): string {
  const money = moneyIn(plan.currency)
  const minimum = plan.minimumCommitment ? money(plan.minimumCommitment) : 'none'
  const sections = [
    [
      `${plan.name} (${plan.code})`,
      `${plan.currency}, billed ${plan.interval}; fixed fee ${money(plan.fixedFee)}, minimum commitment ${minimum}`,
      `from ${plan.file}`,
    ].join('\n'),
  ]
  if (plan.charges.length === 0) {
    sections.push('No usage charges.')
    return sections.join('\n\n')
  }

  sections.push(`Charges\n${renderCharges(plan.charges, plan.currency)}`)
  for (const [index, charge] of plan.charges.entries()) {
    if (
      charge.model === 'graduated' ||
      charge.model === 'volume' ||
      charge.model === 'graduated_percentage'
    ) {
      const title = `Tiers of charge ${index + 1} (${charge.metric.name}, ${charge.model})`
      sections.push(`${title}\n${renderTiers(charge.tiers, plan.currency)}`)
    }
  }
  sections.push(`Metrics\n${renderMetrics(plan.charges.map((charge) => charge.metric))}`)
  return sections.join('\n\n')
}

function renderCharges(charges: readonly Charge[], currency: string): string {
  const table = new Table({ ...plain, head: ['#', 'metric', 'model', 'price', 'filters', 'group by'] })
  for (const [index, charge] of charges.entries()) {
    const filters = Object.entries(charge.filters).map(
      ([property, values]) => `${property} in ${values.join(', ')}`,
    )
    table.push([
      String(index + 1),
      charge.metric.name,
      charge.model,
      priceSummary(charge, currency),
      filters.join('\n') || '-',
      charge.groupBy.join(', ') || '-',
    ])
  }
  return table.toString()
}

/** The price of a charge in a few words, with its minimum if it has one; tiered charges point to their tier table. */
export function priceSummary(charge: Charge, currency: string): string {
  const price = modelSummary(charge, currency)
  return charge.minAmount ? `${price}; at least ${moneyIn(currency)(charge.minAmount)} per interval` : price
}

function modelSummary(charge: Charge, currency: string): string {
  const money = moneyIn(currency)
  switch (charge.model) {
    case 'standard':
      return `${money(charge.unitPrice)} per unit`
    case 'graduated':
    case 'volume':
    case 'graduated_percentage':
      return charge.tiers.length === 1 ? '1 tier (below)' : `${charge.tiers.length} tiers (below)`
    case 'package': {
      const free = charge.freeUnits.isZero() ? '' : `, first ${formatDecimal(charge.freeUnits)} units free`
      return `${money(charge.packagePrice)} per ${formatDecimal(charge.packageSize)} units${free}`
    }
    case 'percentage': {
      let price = `${formatDecimal(charge.rate)} %`
      if (!charge.fixedFee.isZero()) price += ` + ${money(charge.fixedFee)} per event`
      const free = []
      if (!charge.freeUnits.isZero()) free.push(`first ${formatDecimal(charge.freeUnits)} units free`)
      if (charge.freeEvents > 0) free.push(`first ${charge.freeEvents} events free`)
      if (free.length > 0) price += `, ${free.join(', ')}`
      const { perEventMin: min, perEventMax: max } = charge
      if (min && max) price += `, each event between ${money(min)} and ${money(max)}`
      else if (min) price += `, each event at least ${money(min)}`
      else if (max) price += `, each event at most ${money(max)}`
      return price
    }
  }
}

function renderTiers(tiers: readonly (Tier | PercentageTier)[], currency: string): string {
  const money = moneyIn(currency)
  const percentage = tiers.some((tier) => 'rate' in tier)
  const table = new Table({
    ...plain,
    head: ['tier', 'units', percentage ? 'rate %' : 'unit price', 'flat fee'],
    colAligns: ['right', 'left', 'right', 'right'],
  })
  let from = '0'
  for (const [index, tier] of tiers.entries()) {
    const units = tier.upTo ? `${from} - ${formatDecimal(tier.upTo)}` : `above ${from}`
    const price = 'rate' in tier ? formatDecimal(tier.rate) : money(tier.unitPrice)
    table.push([String(index + 1), units, price, money(tier.flatFee)])
    if (tier.upTo) from = formatDecimal(tier.upTo)
  }
  return table.toString()
}

function renderMetrics(metrics: readonly BillableMetric[]): string {
  const table = new Table({
    ...plain,
    head: ['metric', 'event code', 'aggregation', 'property', 'rounding'],
  })
  const seen = new Set<string>()
  for (const metric of metrics) {
    if (seen.has(metric.name)) continue
    seen.add(metric.name)
    table.push([
      metric.name,
      metric.code,
      metric.recurring ? `${metric.aggregation}, recurring` : metric.aggregation,
      metric.property ?? '-',
      metric.rounding ? roundingSummary(metric.rounding) : '-',
    ])
  }
  return table.toString()
}

/** "round to 2 decimals", "ceil to whole units", "floor to multiples of 100". */
export function roundingSummary({ function: fn, precision }: UnitRounding): string {
  if (precision === 0) return `${fn} to whole units`
  if (precision > 0) return `${fn} to ${precision} ${precision === 1 ? 'decimal' : 'decimals'}`
  return `${fn} to multiples of ${formatDecimal(new Decimal(10).pow(-precision))}`
}

/** The plan as plain JSON: Decimals become decimal strings ("0.005", never 5e-3 or a float). */
export function planJson(plan: Plan): unknown {
  return toJson(plan)
}

function toJson(value: unknown): unknown {
  if (Decimal.isDecimal(value)) return formatDecimal(value)
  if (Array.isArray(value)) return value.map(toJson)
  if (value instanceof Map) return Object.fromEntries([...value].map(([key, item]) => [key, toJson(item)]))
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toJson(item)]))
  }
  return value
}
