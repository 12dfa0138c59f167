// A catalog as JSON text and back, for the catalog cache. Decimals travel as their exact text (with
// the sign of a negative zero) and Maps as their entries, so the catalog read back is equal to the one
// written, value for value and key order for key order. The customers, which are most of it (10,000
// or 100,000 of them against a few plans), are rows of plain strings, one line each after the line of
// the plans: half the bytes, no tagged object per tax rate to parse and revive, and a command that
// asks for one customer finds its line without reading the others (decoding 10,000 of them took 22-24
// ms in a fresh process). Nothing here validates: the text is only ever one this module wrote for a
// catalog that loaded without problems.
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

/** The plans on the first line, then one line per customer. */
export function encodeCatalog(catalog: Catalog): string {
  const plans = JSON.stringify(catalog.plans, function (this: Record<string, unknown>, key, value: unknown) {
    const raw = this[key]
    if (raw instanceof Decimal) return { $decimal: decimalText(raw) } satisfies DecimalTag
    if (raw instanceof Map) return { $map: [...raw] } satisfies MapTag
    return value
  })
  const customers = [...catalog.customers.values()].map((c) => `${JSON.stringify(customerRow(c))}\n`)
  return `${plans}\n${customers.join('')}`
}

/** The catalog encodeCatalog wrote; throws on text that is not one (the cache then loads the folder). */
export function decodeCatalog(text: string): Catalog {
  const decimals = new DecimalTexts()
  const revive = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = revive(value[i])
      return value
    }
    const tagged = value as Partial<DecimalTag & MapTag>
    if (typeof tagged.$decimal === 'string') return decimals.of(tagged.$decimal)
    if (Array.isArray(tagged.$map)) return new Map(tagged.$map.map(([k, v]) => [k, revive(v)]))
    const record = value as Record<string, unknown>
    for (const key of Object.keys(record)) record[key] = revive(record[key])
    return record
  }
  const newline = text.indexOf('\n')
  if (newline < 0 || !text.endsWith('\n')) throw new Error('not an encoded catalog')
  const plans = revive(JSON.parse(text.slice(0, newline)))
  if (!(plans instanceof Map)) throw new Error('not an encoded catalog')
  return { plans: plans as Map<string, Plan>, customers: new CustomerLines(text, newline, decimals) }
}

/** Decimals are immutable: one instance per distinct text serves every customer with that tax rate. */
class DecimalTexts {
  private readonly known = new Map<string, Decimal>()

  of(text: string): Decimal {
    let decimal = this.known.get(text)
    if (!decimal) this.known.set(text, (decimal = new Decimal(text)))
    return decimal
  }
}

/**
 * The customers of a decoded catalog: a Map, filled from their lines when first used as a whole
 * (size, iteration, changes). Until then `get` and `has` read the one line of the id asked for: each
 * line starts with the id as JSON.stringify wrote it, which that text after a newline finds, and no
 * other line.
 */
class CustomerLines extends Map<string, Customer> {
  private lines: string | null
  private readonly found = new Map<string, Customer | undefined>()

  constructor(
    text: string,
    /** The newline before the first customer's line. */
    private readonly from: number,
    private readonly decimals: DecimalTexts,
  ) {
    super()
    this.lines = text
  }

  override get(id: string): Customer | undefined {
    if (this.lines === null) return super.get(id)
    if (!this.found.has(id)) this.found.set(id, this.lineOf(this.lines, id))
    return this.found.get(id)
  }

  override has(id: string): boolean {
    return this.get(id) !== undefined
  }

  override get size(): number {
    this.whole()
    return super.size
  }

  override set(id: string, customer: Customer): this {
    this.whole()
    return super.set(id, customer)
  }

  override delete(id: string): boolean {
    this.whole()
    return super.delete(id)
  }

  override clear(): void {
    this.whole()
    super.clear()
  }

  override forEach(
    each: (customer: Customer, id: string, map: Map<string, Customer>) => void,
    self?: unknown,
  ): void {
    this.whole()
    super.forEach(each, self)
  }

  override keys(): MapIterator<string> {
    this.whole()
    return super.keys()
  }

  override values(): MapIterator<Customer> {
    this.whole()
    return super.values()
  }

  override entries(): MapIterator<[string, Customer]> {
    this.whole()
    return super.entries()
  }

  override [Symbol.iterator](): MapIterator<[string, Customer]> {
    return this.entries()
  }

  /** Every customer read into the Map, in the order of the lines; the Map alone from then on. */
  private whole(): void {
    const lines = this.lines
    if (lines === null) return
    this.lines = null
    this.found.clear()
    for (let start = this.from + 1; start < lines.length;) {
      const end = lines.indexOf('\n', start)
      const customer = this.customer(lines.slice(start, end))
      super.set(customer.id, customer)
      start = end + 1
    }
  }

  private lineOf(lines: string, id: string): Customer | undefined {
    const start = lines.indexOf(`\n[${JSON.stringify(id)},`, this.from)
    if (start < 0) return undefined
    return this.customer(lines.slice(start + 1, lines.indexOf('\n', start + 1)))
  }

  private customer(line: string): Customer {
    const [id, plan, taxRate, name] = JSON.parse(line) as CustomerRow
    // The key order of the loader's own objects (schema.ts), so that anything printed is the same.
    const rate = this.decimals.of(taxRate)
    return name === undefined ? { id, plan, taxRate: rate } : { id, plan, name, taxRate: rate }
  }
}

function customerRow({ id, plan, name, taxRate }: Customer): CustomerRow {
  const row: CustomerRow = [id, plan, decimalText(taxRate)]
  return name === undefined ? row : [...row, name]
}

function decimalText(value: Decimal): string {
  return value.isZero() && value.isNegative() ? '-0' : value.toString()
}
