// Assembles an invoice from a plan and what each of its charges measured, interval by interval. Pure:
// the store measures, this prices and sums. Every amount is rounded exactly once: each line, then the
// tax. Per interval: the fixed fee, one line per charge and group, a charge's minimum true-up, the
// minimum commitment's true-up; fees and minimums of a part-covered interval are prorated by days.
import { Decimal, roundMoney } from '../money/decimal.js'
import type { Charge, Customer, Plan } from '../plans/types.js'
import { priceChargeDetailed } from '../pricing/models/index.js'
import { roundUnits } from '../pricing/rounding.js'
import type { BillingInterval, Proration } from './intervals.js'
import type { ChargeUsage, Invoice, InvoiceInterval, InvoiceLine, Period, UnbilledEvents } from './types.js'

export interface InvoiceInput {
  customer: Pick<Customer, 'id' | 'name' | 'taxRate'>
  plan: Plan
  period: Period
  intervals: { interval: BillingInterval; usage: ChargeUsage[] }[]
  unbilled?: UnbilledEvents[]
}

export function buildInvoice({ customer, plan, period, intervals, unbilled = [] }: InvoiceInput): Invoice {
  const billed = intervals.map(({ interval, usage }) => billInterval(plan, interval, usage))
  const subtotal = sumAmounts(billed.map((i) => i.subtotal))
  const tax = roundMoney(subtotal.times(customer.taxRate), plan.currency)
  return {
    customer: customer.id,
    ...(customer.name !== undefined && { customerName: customer.name }),
    plan: plan.code,
    currency: plan.currency,
    period,
    intervals: billed,
    subtotal,
    taxRate: customer.taxRate,
    tax,
    total: subtotal.plus(tax),
    unbilled,
  }
}

function billInterval(plan: Plan, interval: BillingInterval, usage: ChargeUsage[]): InvoiceInterval {
  const share = (amount: Decimal) => prorate(amount, interval.proration)
  const lines: InvoiceLine[] = []
  if (plan.fixedFee.gt(0)) {
    lines.push(flatLine('fixed_fee', roundMoney(share(plan.fixedFee), plan.currency), interval.proration))
  }
  plan.charges.forEach((charge, index) => {
    const own = chargeLines(charge, index, usage, plan.currency)
    lines.push(...own)
    const minimum =
      charge.minAmount && chargeMinimum(charge, index, own, share(charge.minAmount), plan.currency)
    if (minimum) lines.push({ ...minimum, ...(interval.proration && { proration: interval.proration }) })
  })
  if (plan.minimumCommitment !== undefined) {
    // The commitment is prorated and rounded first, then compared with the rounded lines (Lago).
    const commitment = roundMoney(share(plan.minimumCommitment), plan.currency)
    const used = sumAmounts(lines.map((l) => l.amount))
    if (used.lt(commitment))
      lines.push(flatLine('minimum_commitment', commitment.minus(used), interval.proration))
  }
  return {
    from: interval.from,
    to: interval.to,
    whole: interval.whole,
    proration: interval.proration,
    lines,
    subtotal: sumAmounts(lines.map((l) => l.amount)),
  }
}

// One line per measured group, ordered by the group's values; a charge nobody used still shows, at 0 units.
function chargeLines(charge: Charge, index: number, usage: ChargeUsage[], currency: string): InvoiceLine[] {
  const grouped = charge.groupBy.length > 0
  const measured = usage
    .filter((u) => u.charge === index)
    .sort((a, b) => compareGroups(charge.groupBy, a.group, b.group))
  const entries: ChargeUsage[] =
    measured.length > 0 ? measured : [{ charge: index, group: {}, units: new Decimal(0), events: 0 }]
  return entries.map((entry) => {
    const units = charge.metric.rounding ? roundUnits(entry.units, charge.metric.rounding) : entry.units
    const price = priceChargeDetailed(charge, {
      units,
      events: entry.events,
      ...(entry.eventValues && { eventValues: entry.eventValues }),
      ...(entry.runningTotal && { runningTotal: entry.runningTotal }),
    })
    return {
      type: 'usage',
      charge: index,
      metric: charge.metric.name,
      model: charge.model,
      group: grouped ? entry.group : null,
      units,
      amount: roundMoney(price.amount, currency),
      ...(price.tiers && { tiers: price.tiers }),
    }
  })
}

/** A charge's minimum (Lago's min_amount): a true-up makes up the difference to its rounded lines. */
function chargeMinimum(
  charge: Charge,
  index: number,
  lines: InvoiceLine[],
  minimum: Decimal,
  currency: string,
): InvoiceLine | undefined {
  const used = sumAmounts(lines.map((l) => l.amount))
  if (!used.lt(minimum)) return undefined
  return {
    type: 'charge_minimum',
    charge: index,
    metric: charge.metric.name,
    model: charge.model,
    group: null,
    units: null,
    amount: roundMoney(minimum.minus(used), currency),
  }
}

/** The interval's share of an amount: days covered over the interval's days. */
function prorate(amount: Decimal, proration: Proration | null): Decimal {
  return proration ? amount.times(proration.days).div(proration.of) : amount
}

/** Orders groups by their values in `groupBy` order, compared as plain strings (code-unit order). */
function compareGroups(groupBy: string[], a: Record<string, string>, b: Record<string, string>): number {
  for (const key of groupBy) {
    const left = a[key] ?? ''
    const right = b[key] ?? ''
    if (left !== right) return left < right ? -1 : 1
  }
  return 0
}

function flatLine(
  type: 'fixed_fee' | 'minimum_commitment',
  amount: Decimal,
  proration: Proration | null,
): InvoiceLine {
  return {
    type,
    charge: null,
    metric: null,
    model: null,
    group: null,
    units: null,
    amount,
    ...(proration && { proration }),
  }
}

function sumAmounts(amounts: Decimal[]): Decimal {
  return amounts.reduce((sum, a) => sum.plus(a), new Decimal(0))
}
