// Assembles an invoice from a plan and the usage measured for each of its charges. Pure: the store
// measures, this prices and sums. Every amount is rounded exactly once: each line, then the tax.
import { Decimal, roundMoney } from '../money/decimal.js'
import type { Charge, Customer, Plan } from '../plans/types.js'
import { priceCharge } from '../pricing/models/index.js'
import type { ChargeUsage, Invoice, InvoiceLine, Period } from './types.js'

export interface InvoiceInput {
  customer: Customer | { id: string; taxRate: Decimal; name?: string }
  plan: Plan
  period: Period
  usage: ChargeUsage[]
}

export function buildInvoice({ customer, plan, period, usage }: InvoiceInput): Invoice {
  const lines: InvoiceLine[] = []
  if (plan.fixedFee.gt(0)) lines.push(flatLine('fixed_fee', roundMoney(plan.fixedFee, plan.currency)))
  plan.charges.forEach((charge, index) => lines.push(...chargeLines(charge, index, usage, plan.currency)))

  const trueUp = trueUpAmount(plan, sumAmounts(lines))
  if (trueUp !== undefined) lines.push(flatLine('true_up', trueUp))

  const subtotal = sumAmounts(lines)
  const tax = roundMoney(subtotal.times(customer.taxRate), plan.currency)
  return {
    customer: customer.id,
    ...(customer.name !== undefined && { customerName: customer.name }),
    plan: plan.code,
    currency: plan.currency,
    period,
    lines,
    subtotal,
    taxRate: customer.taxRate,
    tax,
    total: subtotal.plus(tax),
  }
}

// One line per measured group, ordered by the group's values; a charge nobody used still shows, at 0 units.
function chargeLines(charge: Charge, index: number, usage: ChargeUsage[], currency: string): InvoiceLine[] {
  const grouped = charge.groupBy.length > 0
  const measured = usage
    .filter((u) => u.charge === index)
    .sort((a, b) => compareGroups(charge.groupBy, a.group, b.group))
  const entries =
    measured.length > 0 ? measured : [{ charge: index, group: {}, units: new Decimal(0), events: 0 }]
  return entries.map((entry) => ({
    type: 'usage',
    metric: charge.metric.name,
    model: charge.model,
    group: grouped ? entry.group : null,
    units: entry.units,
    amount: roundMoney(priceCharge(charge, entry), currency),
  }))
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

// The customer pays at least the minimum commitment; the true-up makes up the difference, if any.
function trueUpAmount(plan: Plan, linesTotal: Decimal): Decimal | undefined {
  if (plan.minimumCommitment === undefined) return undefined
  const minimum = roundMoney(plan.minimumCommitment, plan.currency)
  return linesTotal.lt(minimum) ? minimum.minus(linesTotal) : undefined
}

function flatLine(type: 'fixed_fee' | 'true_up', amount: Decimal): InvoiceLine {
  return { type, metric: null, model: null, group: null, units: null, amount }
}

function sumAmounts(lines: InvoiceLine[]): Decimal {
  return lines.reduce((sum, line) => sum.plus(line.amount), new Decimal(0))
}
