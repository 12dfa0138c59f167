// Synthetic plans folders for the plans-load benchmark and its tests: the example plans, with a
// customers.yaml of any size whose every entry is known in advance.
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'

/** The plans of the example folder (plans/), which the generated customers are spread over. */
export const CUSTOMER_PLANS = ['pro', 'enterprise', 'starter'] as const
const TAX_RATES = ['0.20', '0.19', '0.00', '0.075'] as const
/** Every fifth customer is named in another script, so that the file holds multi-byte text. */
const NAMES = ['Customer', '顧客', 'Клиент', 'عميل', 'Πελάτης', 'ग्राहक'] as const

export interface GeneratedCustomer {
  id: string
  plan: (typeof CUSTOMER_PLANS)[number]
  name: string
  taxRate: string
}

/** The `index`th customer of a generated customers.yaml of `count` entries (ids are zero-padded). */
export function generatedCustomer(index: number, count: number): GeneratedCustomer {
  const width = Math.max(5, String(count - 1).length)
  const script = index % 5 === 0 ? 1 + ((index / 5) % (NAMES.length - 1)) : 0
  return {
    id: `cust_${String(index).padStart(width, '0')}`,
    plan: CUSTOMER_PLANS[index % CUSTOMER_PLANS.length]!,
    name: `${NAMES[script]} ${index}`,
    taxRate: TAX_RATES[index % TAX_RATES.length]!,
  }
}

/** customers.yaml with `count` entries, one flow mapping a line: `cust_00042: { plan: pro, ... }`. */
export function customersYaml(count: number): string {
  const lines = ['# Generated for the plans-load benchmark.']
  for (let index = 0; index < count; index++) {
    const c = generatedCustomer(index, count)
    lines.push(`${c.id}: { plan: ${c.plan}, name: ${JSON.stringify(c.name)}, tax_rate: "${c.taxRate}" }`)
  }
  return `${lines.join('\n')}\n`
}

/**
 * Fills `dir` with the YAML files of `source` (the example plans folder) except its customers.yaml,
 * and a generated customers.yaml of `customers` entries. Returns the size of that file in bytes.
 */
export function writePlansFolder(dir: string, source: string, customers: number): number {
  mkdirSync(dir, { recursive: true })
  for (const name of readdirSync(source)) {
    if (!/\.ya?ml$/.test(name) || /^customers\.ya?ml$/.test(name)) continue
    copyFileSync(path.join(source, name), path.join(dir, name))
  }
  const text = customersYaml(customers)
  writeFileSync(path.join(dir, 'customers.yaml'), text)
  return Buffer.byteLength(text)
}
