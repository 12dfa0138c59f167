// A catalog as JSON text and back, for the catalog cache. Decimals travel as their exact text (with
// the sign of a negative zero) and Maps as their entries, so the catalog read back is equal to the one
// written, value for value and key order for key order. The customers, which are most of it (10,000
// or 100,000 of them against a few plans), are rows of plain strings: half the bytes, and no tagged
// object per tax rate to parse and revive. Nothing here validates: the text is only ever one this
// module wrote for a catalog that loaded without problems.
import { Decimal } from '../money/decimal.js'
import type { Catalog, Customer, Plan } from './types.js'

interface DecimalTag {
  $decimal: string
}
interface MapTag {
  $map: [unknown, unknown][]
}

/** id, plan, tax rate, and the name when there is one. */
type CustomerRow = [string, string, string] | [string, string, string, string]

interface Encoded {
  plans: unknown
  customers: CustomerRow[]
}

export function encodeCatalog(catalog: Catalog): string {
  const customers = [...catalog.customers.values()].map(customerRow)
  return JSON.stringify(
    { plans: catalog.plans, customers } satisfies Encoded,
    function (this: Record<string, unknown>, key, value: unknown) {
      const raw = this[key]
      if (raw instanceof Decimal) return { $decimal: decimalText(raw) } satisfies DecimalTag
      if (raw instanceof Map) return { $map: [...raw] } satisfies MapTag
      return value
    },
  )
}

/** The catalog encodeCatalog wrote; throws on text that is not one (the cache then loads the folder). */
export function decodeCatalog(text: string): Catalog {
  // Decimals are immutable: one instance per distinct text serves every customer with that tax rate.
  const decimals = new Map<string, Decimal>()
  const revive = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = revive(value[i])
      return value
    }
    const tagged = value as Partial<DecimalTag & MapTag>
    if (typeof tagged.$decimal === 'string') {
      let decimal = decimals.get(tagged.$decimal)
      if (!decimal) decimals.set(tagged.$decimal, (decimal = new Decimal(tagged.$decimal)))
      return decimal
    }
    if (Array.isArray(tagged.$map)) return new Map(tagged.$map.map(([k, v]) => [k, revive(v)]))
    const record = value as Record<string, unknown>
    for (const key of Object.keys(record)) record[key] = revive(record[key])
    return record
  }
  const encoded = JSON.parse(text) as Partial<Encoded>
  const plans = revive(encoded.plans)
  if (!(plans instanceof Map) || !Array.isArray(encoded.customers)) throw new Error('not an encoded catalog')
  const customers = new Map<string, Customer>()
  for (const [id, plan, taxRate, name] of encoded.customers) {
    let rate = decimals.get(taxRate)
    if (!rate) decimals.set(taxRate, (rate = new Decimal(taxRate)))
    // The key order of the loader's own objects (schema.ts), so that anything printed is the same.
    customers.set(id, name === undefined ? { id, plan, taxRate: rate } : { id, plan, name, taxRate: rate })
  }
  return { plans: plans as Map<string, Plan>, customers }
}

function customerRow({ id, plan, name, taxRate }: Customer): CustomerRow {
  const row: CustomerRow = [id, plan, decimalText(taxRate)]
  return name === undefined ? row : [...row, name]
}

function decimalText(value: Decimal): string {
  return value.isZero() && value.isNegative() ? '-0' : value.toString()
}
