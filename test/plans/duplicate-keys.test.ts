// A key written twice in one mapping would silently lose one of the two values: in every mapping of
// every file it is a problem at the second occurrence, found in one pass (not yaml's quadratic check).
import { describe, expect, it } from 'vitest'
import { customersYaml } from '../../bench/plans-folder.js'
import { examplePlans } from './example.js'
import { problemsOf, yaml } from './folder.js'

const UNIQUE = 'YAML syntax: Map keys must be unique'
const { 'customers.yaml': _customers, ...plansWithoutCustomers } = examplePlans

describe('a key written twice in one mapping', () => {
  it('is reported at the second occurrence in customers.yaml', async () => {
    const problems = await problemsOf({
      ...plansWithoutCustomers,
      'customers.yaml': yaml`
        acme: { plan: pro }
        globex: { plan: starter }
        acme: { plan: starter }
      `,
    })
    expect(problems).toEqual([{ file: 'customers.yaml', line: 3, col: 1, path: '', message: UNIQUE }])
  })

  it('is reported at the second occurrence in a plan file', async () => {
    const problems = await problemsOf({
      'pro.yaml': yaml`
        code: pro
        currency: USD
        interval: monthly
        fixed_fee: "10"
        currency: EUR
      `,
    })
    expect(problems).toEqual([{ file: 'pro.yaml', line: 5, col: 1, path: '', message: UNIQUE }])
  })

  it('is reported in a nested block mapping and in a nested flow mapping', async () => {
    const problems = await problemsOf({
      'pro.yaml': yaml`
        code: pro
        currency: USD
        interval: monthly
        metrics:
          calls: { aggregation: count, code: api, aggregation: sum }
        charges:
          - metric: calls
            model: standard
            unit_price: "1"
            model: volume
      `,
    })
    expect(problems).toEqual([
      { file: 'pro.yaml', line: 5, col: 43, path: '', message: UNIQUE },
      { file: 'pro.yaml', line: 10, col: 5, path: '', message: UNIQUE },
    ])
  })

  it('is reported in metrics.yaml, and every file is still read', async () => {
    const problems = await problemsOf({
      'pro.yaml': 'code: pro\ncurrency: USD\ninterval: monthly\nfixed_fee: 1\n',
      'metrics.yaml':
        'calls: { aggregation: count }\nseats: { aggregation: max }\ncalls: { aggregation: sum }\n',
    })
    expect(problems.map((p) => [p.file, p.line, p.col, p.message])).toEqual([
      ['metrics.yaml', 3, 1, UNIQUE],
      ['pro.yaml', 4, 12, expect.stringContaining('expected a decimal string')],
    ])
  })

  it('is reported once per extra occurrence, each at its own place', async () => {
    const problems = await problemsOf({
      ...plansWithoutCustomers,
      'customers.yaml':
        'a: { plan: pro }\na: { plan: pro }\nb: { plan: pro, plan: starter, plan: pro }\na: {}\n',
    })
    expect(problems.map((p) => [p.line, p.col])).toEqual([
      [2, 1],
      [3, 17],
      [3, 32],
      [4, 1],
    ])
  })

  it('is one key when a number and a string read the same: both are the property "42"', async () => {
    const problems = await problemsOf({
      ...plansWithoutCustomers,
      'customers.yaml': '42: { plan: pro }\nacme: { plan: pro }\n"42": { plan: starter }\n',
    })
    expect(problems).toEqual([
      {
        file: 'customers.yaml',
        line: 3,
        col: 1,
        path: '',
        message: 'Map keys must be unique: "42" is the same key as 42 at 1:1',
      },
    ])
  })

  it('is reported once where an anchored mapping is written, not again where an alias repeats it', async () => {
    const problems = await problemsOf({
      'pro.yaml': yaml`
        code: pro
        currency: USD
        interval: monthly
        metrics: { a: { aggregation: count }, b: { aggregation: count } }
        charges:
          - { metric: a, model: graduated, tiers: &t [{ up_to: 1, unit_price: "1", up_to: 2 }] }
          - { metric: b, model: graduated, tiers: *t }
      `,
    })
    expect(problems).toEqual([{ file: 'pro.yaml', line: 6, col: 76, path: '', message: UNIQUE }])
  })

  it('is reported together with the syntax errors of the file, in the order of the file', async () => {
    const problems = await problemsOf({
      'pro.yaml': 'code: pro\ncode: basic\ncurrency: [USD\ninterval: monthly\n',
    })
    expect(problems.map((p) => [p.line, p.col, p.message])).toEqual([
      [2, 1, UNIQUE],
      [4, 1, expect.stringContaining('Flow sequence in block collection')],
    ])
  })

  it('is not a duplicate when the same key is in two different mappings', async () => {
    const problems = await problemsOf({
      ...plansWithoutCustomers,
      'customers.yaml': 'a: { plan: pro, name: A }\nb: { plan: pro, name: B }\n',
    })
    expect(problems).toEqual([])
  })

  it('is found at the end of a customers.yaml of 10,000 entries', async () => {
    const count = 10_000
    // Line 1 is a comment, so the entry i is on line i + 2; the copy of entry 1234 is one line after.
    const text = `${customersYaml(count)}cust_01234: { plan: pro }\n`
    const problems = await problemsOf({ ...plansWithoutCustomers, 'customers.yaml': text })
    expect(problems).toEqual([{ file: 'customers.yaml', line: count + 2, col: 1, path: '', message: UNIQUE }])
  })
})
