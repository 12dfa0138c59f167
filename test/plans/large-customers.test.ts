// customers.yaml lists every customer, so it may be large: 10,000 entries load whole, every problem of
// each still has its own place, and the file has a larger size limit than plan files (16 MB, not 1 MB).
import { rmSync, truncateSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { customersYaml, generatedCustomer, writePlansFolder } from '../../bench/plans-folder.js'
import { Decimal } from '../../src/money/decimal.js'
import { loadPlans } from '../../src/plans/load.js'
import { MAX_CUSTOMERS_FILE_BYTES, MAX_FILE_BYTES } from '../../src/plans/yaml-file.js'
import { exact, plansFolder, problemsOf } from './folder.js'

const examplePlans = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../plans')
const valid = 'code: pro\ncurrency: USD\ninterval: monthly\n'

describe('a customers.yaml of 10,000 entries', () => {
  const count = 10_000

  it('loads every customer with its plan, name and tax rate', async () => {
    const dir = plansFolder({})
    writePlansFolder(dir, examplePlans, count)
    const { catalog, problems } = await loadPlans(dir)
    expect(problems).toEqual([])
    expect(catalog.customers.size).toBe(count)
    for (let index = 0; index < count; index++) {
      const c = generatedCustomer(index, count)
      expect(exact(catalog.customers.get(c.id))).toEqual({
        id: c.id,
        plan: c.plan,
        name: c.name,
        taxRate: new Decimal(c.taxRate).toFixed(),
      })
    }
    expect(catalog.customers.get('cust_00005')?.name).toBe('Клиент 5')
  })

  it('reports a problem for each customer of a missing plan, each on its own line', async () => {
    // No enterprise.yaml: every third customer names a plan that is not in the folder.
    const dir = plansFolder({})
    writePlansFolder(dir, examplePlans, count)
    rmSync(path.join(dir, 'enterprise.yaml'))
    const { catalog, problems } = await loadPlans(dir)
    const missing = Array.from({ length: count }, (_, index) => index).filter((index) => index % 3 === 1)
    expect(problems.map((p) => [path.basename(p.file), p.line, p.col, p.path])).toEqual(
      missing.map((index) => ['customers.yaml', index + 2, 21, `${generatedCustomer(index, count).id}.plan`]),
    )
    expect(problems[0]?.message).toBe(
      'expected the code of a plan in this folder (pro, starter), got "enterprise"',
    )
    expect(catalog.customers.size).toBe(count - missing.length)
  })
})

describe('the size limit of customers.yaml', () => {
  it('reads a customers.yaml over 1 MB', async () => {
    const text = `${customersYaml(3).replaceAll('enterprise', 'pro')}# ${'x'.repeat(MAX_FILE_BYTES)}\n`
    const { catalog, problems } = await loadPlans(
      plansFolder({
        'pro.yaml': valid,
        'starter.yaml': valid.replace('pro', 'starter'),
        'customers.yaml': text,
      }),
    )
    expect(problems).toEqual([])
    expect(catalog.customers.size).toBe(3)
  })

  it('refuses a customers.yaml over 16 MB without reading it', async () => {
    const dir = plansFolder({ 'pro.yaml': valid })
    const file = path.join(dir, 'customers.yaml')
    writeFileSync(file, '')
    // A sparse file: as large as it says, without writing 16 MB.
    truncateSync(file, MAX_CUSTOMERS_FILE_BYTES + 1)
    const { problems } = await loadPlans(dir)
    expect(problems).toEqual([
      {
        file,
        line: 1,
        col: 1,
        path: '',
        message: `the file has ${MAX_CUSTOMERS_FILE_BYTES + 1} bytes; this file is limited to 16 MB (16777216 bytes)`,
      },
    ])
  })

  it('keeps the 1 MB limit for metrics.yaml', async () => {
    const text = `calls: { aggregation: count }\n# ${'x'.repeat(MAX_FILE_BYTES)}\n`
    const problems = await problemsOf({ 'pro.yaml': valid, 'metrics.yaml': text })
    expect(problems).toEqual([
      {
        file: 'metrics.yaml',
        line: 1,
        col: 1,
        path: '',
        message: `the file has ${Buffer.byteLength(text)} bytes; files in a plans folder are limited to 1 MB (1048576 bytes)`,
      },
    ])
  })
})
