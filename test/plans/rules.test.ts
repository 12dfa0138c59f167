// One test per rule of a plans folder: each breaks the rule once and expects exactly the problem,
// with its line, column, path and message.
import { describe, expect, it } from 'vitest'
import { loadPlans } from '../../src/plans/load.js'
import { exact, plansFolder, problemsOf, yaml } from './folder.js'

/** A valid plan with one standard charge on a count metric, with `charge` in its charges list (line 7). */
function planWithCharge(charge: string): string {
  return (
    yaml`
    code: pro
    currency: USD
    interval: monthly
    metrics:
      calls: { aggregation: count }
    charges:
  ` + charge
  )
}

/** The metrics of metrics.yaml as a plan charging each of them (standard, 1 per unit) reads them. */
async function chargedMetrics(metricsYaml: string) {
  const names = metricsYaml
    .split('\n')
    .map((line) => /^(\w+):/.exec(line)?.[1])
    .filter((name) => name !== undefined)
  const charges = names.map((name) => `  - { metric: ${name}, model: standard, unit_price: "1" }`)
  const pro = ['code: pro', 'currency: USD', 'interval: monthly', 'charges:', ...charges, ''].join('\n')
  const { catalog, problems } = await loadPlans(plansFolder({ 'metrics.yaml': metricsYaml, 'pro.yaml': pro }))
  expect(problems).toEqual([])
  return catalog.plans.get('pro')!.charges.map((c) => c.metric)
}

describe('money amounts are decimal strings', () => {
  it('rejects a YAML float, suggesting to quote it as written', async () => {
    const problems = await problemsOf({
      'pro.yaml': planWithCharge(`  - { metric: calls, model: standard, unit_price: 0.10 }\n`),
    })
    expect(problems).toEqual([
      {
        file: 'pro.yaml',
        line: 7,
        col: 51,
        path: 'charges[0].unit_price',
        message: 'expected a decimal string like "0.01", got number 0.1; quote it: unit_price: "0.10"',
      },
    ])
  })

  it('rejects a YAML integer for an amount too', async () => {
    const problems = await problemsOf({
      'pro.yaml': yaml`
        code: pro
        currency: USD
        interval: monthly
        fixed_fee: 99
      `,
    })
    expect(problems).toEqual([
      {
        file: 'pro.yaml',
        line: 4,
        col: 12,
        path: 'fixed_fee',
        message: 'expected a decimal string like "0.01", got integer 99; quote it: fixed_fee: "99"',
      },
    ])
  })

  it('rejects a negative amount', async () => {
    const problems = await problemsOf({
      'pro.yaml': yaml`
        code: pro
        currency: USD
        interval: monthly
        minimum_commitment: "-10"
      `,
    })
    expect(problems).toMatchObject([
      { line: 4, path: 'minimum_commitment', message: 'expected a non-negative amount, got "-10"' },
    ])
  })

  it('accepts 12 decimals and rejects 13', async () => {
    const problems = await problemsOf({
      'pro.yaml': planWithCharge(
        '  - { metric: calls, model: standard, unit_price: "0.000000000001" }\n' +
          '  - { metric: calls, model: standard, unit_price: "0.0000000000001" }\n',
      ),
    })
    expect(problems).toMatchObject([
      {
        line: 8,
        path: 'charges[1].unit_price',
        message: 'expected at most 12 decimals, got "0.0000000000001" (13)',
      },
    ])
  })

  it.each(['1,5', '1e3', '.5', '1.', 'ten', ' 1', '+1'])('rejects the string %j', async (text) => {
    const problems = await problemsOf({
      'pro.yaml': planWithCharge(
        `  - { metric: calls, model: standard, unit_price: ${JSON.stringify(text)} }\n`,
      ),
    })
    expect(problems).toMatchObject([
      {
        line: 7,
        path: 'charges[0].unit_price',
        message: `expected a decimal string like "0.01", got ${JSON.stringify(text)}`,
      },
    ])
  })

  it('checks every amount: flat_fee, package_price, rate, fixed_fee of a percentage charge', async () => {
    const problems = await problemsOf({
      'pro.yaml': planWithCharge(
        yaml`
          - metric: calls
            model: graduated
            tiers: [ { unit_price: "1", flat_fee: 5 } ]
          - { metric: calls, model: package, package_size: 10, package_price: 5 }
          - { metric: calls, model: percentage, rate: 1.5, fixed_fee: "-1" }
          - metric: calls
            model: graduated_percentage
            tiers: [ { rate: 2 } ]
        `.replace(/^/gm, '  '),
      ),
    })
    expect(problems.map((p) => [p.line, p.path, p.message])).toEqual([
      [
        9,
        'charges[0].tiers[0].flat_fee',
        'expected a decimal string like "0.01", got integer 5; quote it: flat_fee: "5"',
      ],
      [
        10,
        'charges[1].package_price',
        'expected a decimal string like "0.01", got integer 5; quote it: package_price: "5"',
      ],
      [11, 'charges[2].rate', 'expected a decimal string like "0.01", got number 1.5; quote it: rate: "1.5"'],
      [11, 'charges[2].fixed_fee', 'expected a non-negative amount, got "-1"'],
      [
        14,
        'charges[3].tiers[0].rate',
        'expected a decimal string like "0.01", got integer 2; quote it: rate: "2"',
      ],
    ])
  })
})

describe('quantities are integers or decimal strings', () => {
  it('accepts YAML integers and decimal strings for up_to, package_size and free_units', async () => {
    const dir = plansFolder({
      'pro.yaml': planWithCharge(
        yaml`
          - { metric: calls, model: package, package_size: "0.5", package_price: "1", free_units: 100 }
          - metric: calls
            model: volume
            tiers: [ { up_to: "10.5", unit_price: "1" }, { up_to: 20, unit_price: "1" }, { unit_price: "0" } ]
        `.replace(/^/gm, '  '),
      ),
    })
    const { catalog, problems } = await loadPlans(dir)
    expect(problems).toEqual([])
    const [packaged, volume] = catalog.plans.get('pro')!.charges
    expect(packaged).toMatchObject({ model: 'package' })
    if (packaged?.model !== 'package' || volume?.model !== 'volume') throw new Error('unexpected models')
    expect(packaged.packageSize.toFixed()).toBe('0.5')
    expect(packaged.freeUnits.toFixed()).toBe('100')
    expect(volume.tiers.map((tier) => tier.upTo?.toFixed())).toEqual(['10.5', '20', undefined])
  })

  it('rejects a YAML float for up_to', async () => {
    const problems = await problemsOf({
      'pro.yaml': planWithCharge(
        yaml`
          - metric: calls
            model: graduated
            tiers:
              - { up_to: 1000.5, unit_price: "1" }
              - { unit_price: "1" }
        `.replace(/^/gm, '  '),
      ),
    })
    expect(problems).toEqual([
      {
        file: 'pro.yaml',
        line: 10,
        col: 18,
        path: 'charges[0].tiers[0].up_to',
        message:
          'expected an integer or a decimal string like "1000", got number 1000.5; quote it: up_to: "1000.5"',
      },
    ])
  })

  it('rejects a package size of 0 and negative free units', async () => {
    const problems = await problemsOf({
      'pro.yaml': planWithCharge(
        '  - { metric: calls, model: package, package_size: 0, package_price: "1", free_units: -5 }\n',
      ),
    })
    expect(problems.map((p) => [p.line, p.path, p.message])).toEqual([
      [7, 'charges[0].package_size', 'expected a quantity greater than 0, got integer 0'],
      [7, 'charges[0].free_units', 'expected a non-negative quantity, got integer -5'],
    ])
  })

  it('wants free_events as a non-negative YAML integer', async () => {
    const problems = await problemsOf({
      'pro.yaml': planWithCharge(
        '  - { metric: calls, model: percentage, rate: "1", free_events: "3" }\n' +
          '  - { metric: calls, model: percentage, rate: "1", free_events: -1 }\n' +
          '  - { metric: calls, model: percentage, rate: "1", free_events: 3 }\n',
      ),
    })
    expect(problems.map((p) => [p.line, p.path, p.message])).toEqual([
      [7, 'charges[0].free_events', 'expected a non-negative integer like 100, got "3"'],
      [8, 'charges[1].free_events', 'expected a non-negative integer like 100, got integer -1'],
    ])
  })
})

describe('tiers', () => {
  it('wants at least one tier', async () => {
    const problems = await problemsOf({
      'pro.yaml': planWithCharge('  - { metric: calls, model: graduated, tiers: [] }\n'),
    })
    expect(problems).toEqual([
      { file: 'pro.yaml', line: 7, col: 47, path: 'charges[0].tiers', message: 'expected at least one tier' },
    ])
  })

  it('points at a tier without up_to that is not the last one', async () => {
    const problems = await problemsOf({
      'pro.yaml': planWithCharge(
        yaml`
          - metric: calls
            model: graduated
            tiers:
              - { up_to: 10, unit_price: "1" }
              - { unit_price: "0.5" }
              - { unit_price: "0.1" }
        `.replace(/^/gm, '  '),
      ),
    })
    expect(problems).toEqual([
      {
        file: 'pro.yaml',
        line: 11,
        col: 9,
        path: 'charges[0].tiers[1].up_to',
        message: 'missing: expected up_to, as only the last tier may be open (this is tier 2 of 3)',
      },
    ])
  })

  it('wants the last tier open, so that every unit has a price', async () => {
    const problems = await problemsOf({
      'pro.yaml': planWithCharge(
        yaml`
          - metric: calls
            model: volume
            tiers:
              - { up_to: 10, unit_price: "1" }
              - { up_to: 100, unit_price: "0.5" }
        `.replace(/^/gm, '  '),
      ),
    })
    expect(problems).toEqual([
      {
        file: 'pro.yaml',
        line: 11,
        col: 18,
        path: 'charges[0].tiers[1].up_to',
        message:
          'expected no up_to: the last tier must be open so that every unit has a price (add a tier without up_to)',
      },
    ])
  })

  it('wants up_to strictly ascending from above 0', async () => {
    const problems = await problemsOf({
      'pro.yaml': planWithCharge(
        yaml`
          - metric: calls
            model: graduated_percentage
            tiers:
              - { up_to: 0, rate: "1" }
              - { up_to: 100, rate: "1" }
              - { up_to: 100, rate: "1" }
              - { up_to: "99.5", rate: "1" }
              - { rate: "1" }
        `.replace(/^/gm, '  '),
      ),
    })
    expect(problems.map((p) => [p.line, p.path, p.message])).toEqual([
      [10, 'charges[0].tiers[0].up_to', 'expected up_to greater than 0, got 0'],
      [12, 'charges[0].tiers[2].up_to', 'expected up_to greater than 100 (the up_to of tiers[1]), got 100'],
      [13, 'charges[0].tiers[3].up_to', 'expected up_to greater than 100 (the up_to of tiers[1]), got 99.5'],
    ])
  })

  it('checks the order of tiers even when a tier has another problem', async () => {
    const problems = await problemsOf({
      'pro.yaml': planWithCharge(
        yaml`
          - metric: calls
            model: graduated
            tiers:
              - { up_to: 100, unit_price: 1 }
              - { up_to: 50, unit_price: "1" }
              - { unit_price: "1" }
        `.replace(/^/gm, '  '),
      ),
    })
    expect(problems.map((p) => [p.line, p.path])).toEqual([
      [10, 'charges[0].tiers[0].unit_price'],
      [11, 'charges[0].tiers[1].up_to'],
    ])
  })

  it('defaults a tier flat fee to 0', async () => {
    const { catalog } = await loadPlans(
      plansFolder({
        'pro.yaml': planWithCharge('  - { metric: calls, model: volume, tiers: [{ unit_price: "2" }] }\n'),
      }),
    )
    const charge = catalog.plans.get('pro')!.charges[0]!
    if (charge.model !== 'volume') throw new Error('expected volume')
    expect(charge.tiers[0]!.flatFee.toFixed()).toBe('0')
  })
})

describe('metrics', () => {
  it('wants a charge to name a metric of the plan or of metrics.yaml', async () => {
    const problems = await problemsOf({
      'pro.yaml': planWithCharge('  - { metric: cals, model: standard, unit_price: "1" }\n'),
      'metrics.yaml': 'seats: { aggregation: unique_count, property: user }\n',
    })
    expect(problems).toEqual([
      {
        file: 'pro.yaml',
        line: 7,
        col: 15,
        path: 'charges[0].metric',
        message: 'expected the name of a metric under metrics: or in metrics.yaml (calls, seats), got "cals"',
      },
    ])
  })

  it('does not take inherited object keys for metric names', async () => {
    const problems = await problemsOf({
      'pro.yaml': planWithCharge('  - { metric: constructor, model: standard, unit_price: "1" }\n'),
    })
    expect(problems).toMatchObject([{ line: 7, path: 'charges[0].metric' }])
  })

  it('wants a property for every aggregation but count, pointing at the metric', async () => {
    const problems = await problemsOf({
      'pro.yaml': yaml`
        code: pro
        currency: USD
        interval: monthly
        metrics:
          calls: { aggregation: count }
          tokens:
            aggregation: sum
            code: llm
      `,
    })
    expect(problems).toEqual([
      {
        file: 'pro.yaml',
        line: 7,
        col: 5,
        path: 'metrics.tokens.property',
        message:
          'missing: expected the event property to read, as aggregation sum needs one (only count does not)',
      },
    ])
  })

  it('wants an aggregation among the six', async () => {
    const problems = await problemsOf({ 'metrics.yaml': 'calls: { aggregation: avg, property: x }\n' })
    expect(problems).toEqual([
      {
        file: 'metrics.yaml',
        line: 1,
        col: 23,
        path: 'calls.aggregation',
        message: 'expected one of count, sum, unique_count, max, latest, weighted_sum, got "avg"',
      },
    ])
  })

  it('keeps the valid metrics of metrics.yaml when one is wrong, without blaming the plans using it', async () => {
    const { catalog, problems } = await loadPlans(
      plansFolder({
        'metrics.yaml': 'calls: { aggregation: count }\nbroken: { aggregation: max }\n',
        'a.yaml':
          'code: a\ncurrency: USD\ninterval: monthly\ncharges: [{ metric: calls, model: standard, unit_price: "1" }]\n',
        'b.yaml':
          'code: b\ncurrency: USD\ninterval: monthly\ncharges: [{ metric: broken, model: standard, unit_price: "1" }]\n',
      }),
    )
    expect(problems.map((p) => [p.line, p.path])).toEqual([[2, 'broken.property']])
    expect([...catalog.plans.keys()]).toEqual(['a'])
  })
})

describe('charge models', () => {
  it('wants a model among the six', async () => {
    const problems = await problemsOf({
      'pro.yaml': planWithCharge('  - { metric: calls, model: tiered, unit_price: "1" }\n'),
    })
    expect(problems).toEqual([
      {
        file: 'pro.yaml',
        line: 7,
        col: 29,
        path: 'charges[0].model',
        message:
          'expected one of standard, graduated, volume, package, percentage, graduated_percentage, got "tiered"',
      },
    ])
  })

  it('points at the charge when its model is missing', async () => {
    const problems = await problemsOf({
      'pro.yaml': planWithCharge('  - { metric: calls, unit_price: "1" }\n'),
    })
    expect(problems).toMatchObject([
      {
        line: 7,
        col: 5,
        path: 'charges[0].model',
        message: expect.stringMatching(/^missing: expected one of standard/),
      },
    ])
  })

  it('wants the keys each model needs', async () => {
    const problems = await problemsOf({
      'pro.yaml': planWithCharge(
        '  - { metric: calls, model: standard }\n' +
          '  - { metric: calls, model: package, package_price: "1" }\n' +
          '  - { metric: calls, model: graduated }\n',
      ),
    })
    expect(problems.map((p) => [p.line, p.col, p.path, p.message])).toEqual([
      [7, 5, 'charges[0].unit_price', 'missing: expected a decimal string like "0.01"'],
      [8, 5, 'charges[1].package_size', 'missing: expected an integer or a decimal string like "1000"'],
      [9, 5, 'charges[2].tiers', 'missing: expected a list of tiers'],
    ])
  })
})

describe('unknown keys are problems, never ignored', () => {
  it('suggests the key that was probably meant', async () => {
    const problems = await problemsOf({
      'pro.yaml': planWithCharge(
        yaml`
          - metric: calls
            model: standard
            unit_price: "1"
            unit_prise: "2"
        `.replace(/^/gm, '  '),
      ),
    })
    expect(problems).toEqual([
      {
        file: 'pro.yaml',
        line: 10,
        col: 5,
        path: 'charges[0].unit_prise',
        message: 'unknown key "unit_prise": did you mean "unit_price"?',
      },
    ])
  })

  it('lists the allowed keys when nothing is close, at every level', async () => {
    const problems = await problemsOf({
      'pro.yaml': yaml`
        code: pro
        currency: USD
        interval: monthly
        colour: blue
        metrics:
          calls: { aggregation: count, unit: ms }
        charges:
          - metric: calls
            model: volume
            tiers: [{ unit_price: "1", discount: "0.1" }]
      `,
      'customers.yaml': 'acme: { plan: pro, vat: "0.2" }\n',
    })
    expect(problems.map((p) => [p.file, p.line, p.col, p.path, p.message])).toEqual([
      ['customers.yaml', 1, 20, 'acme.vat', 'unknown key "vat": expected one of plan, name, tax_rate'],
      [
        'pro.yaml',
        4,
        1,
        'colour',
        'unknown key "colour": expected one of code, name, currency, interval, fixed_fee, minimum_commitment, metrics, charges',
      ],
      [
        'pro.yaml',
        6,
        32,
        'metrics.calls.unit',
        'unknown key "unit": expected one of aggregation, property, code, rounding, recurring',
      ],
      [
        'pro.yaml',
        10,
        32,
        'charges[0].tiers[0].discount',
        'unknown key "discount": expected one of up_to, unit_price, flat_fee',
      ],
    ])
  })
})

describe('filters and group_by', () => {
  it('turns YAML numbers and booleans in filters into their text', async () => {
    const { catalog, problems } = await loadPlans(
      plansFolder({
        'pro.yaml': planWithCharge(
          '  - { metric: calls, model: standard, unit_price: "1", filters: { tier: [1, true, gold, 2.5] }, group_by: [region, plan] }\n',
        ),
      }),
    )
    expect(problems).toEqual([])
    const charge = catalog.plans.get('pro')!.charges[0]!
    expect(charge.filters).toEqual({ tier: ['1', 'true', 'gold', '2.5'] })
    expect(charge.groupBy).toEqual(['region', 'plan'])
  })

  it('wants a non-empty list of values per filtered property', async () => {
    const problems = await problemsOf({
      'pro.yaml': planWithCharge(
        yaml`
          - metric: calls
            model: standard
            unit_price: "1"
            filters:
              model: []
              region: eu
              tier: [gold, ~]
        `.replace(/^/gm, '  '),
      ),
    })
    expect(problems.map((p) => [p.line, p.col, p.path, p.message])).toEqual([
      [11, 14, 'charges[0].filters.model', 'expected a non-empty list of values'],
      [12, 15, 'charges[0].filters.region', 'expected a list of values, got "eu"'],
      [13, 20, 'charges[0].filters.tier[1]', 'expected a string, number or boolean, got an empty value'],
    ])
  })

  it('wants group_by as a list of property names', async () => {
    const problems = await problemsOf({
      'pro.yaml': planWithCharge(
        '  - { metric: calls, model: standard, unit_price: "1", group_by: region }\n' +
          '  - { metric: calls, model: standard, unit_price: "1", group_by: [region, ""] }\n',
      ),
    })
    expect(problems.map((p) => [p.line, p.path, p.message])).toEqual([
      [7, 'charges[0].group_by', 'expected a list of event property names, got "region"'],
      [8, 'charges[1].group_by[1]', 'expected the name of an event property, got ""'],
    ])
  })
})

describe('plan code, currency and interval', () => {
  it('wants a code of letters, digits, "_", "." and "-"', async () => {
    const problems = await problemsOf({ 'pro.yaml': 'code: pro plan\ncurrency: USD\ninterval: monthly\n' })
    expect(problems).toEqual([
      {
        file: 'pro.yaml',
        line: 1,
        col: 7,
        path: 'code',
        message: 'expected a plan code of letters, digits, "_", "." or "-" like "pro", got "pro plan"',
      },
    ])
  })

  it('points at the top mapping when a required key is missing', async () => {
    const problems = await problemsOf({ 'pro.yaml': '# Pro\nname: Pro\ncurrency: USD\n' })
    expect(problems.map((p) => [p.line, p.col, p.path, p.message])).toEqual([
      [2, 1, 'code', 'missing: expected a plan code of letters, digits, "_", "." or "-" like "pro"'],
      [2, 1, 'interval', 'missing: expected one of weekly, monthly, quarterly, yearly'],
    ])
  })

  it('wants a code used by one file only, and reports both files', async () => {
    const plan = 'code: pro\ncurrency: USD\ninterval: monthly\n'
    const dir = plansFolder({
      'a.yaml': plan,
      'b.yaml': `# copy\n${plan}`,
      'c.yaml': plan.replace('pro', 'basic'),
    })
    const { catalog, problems } = await loadPlans(dir)
    expect(problems.map((p) => [p.file.slice(dir.length + 1), p.line, p.col, p.path, p.message])).toEqual([
      ['a.yaml', 1, 7, 'code', `plan code "pro" is also used by ${dir}/b.yaml`],
      ['b.yaml', 2, 7, 'code', `plan code "pro" is also used by ${dir}/a.yaml`],
    ])
    expect([...catalog.plans.keys()]).toEqual(['basic'])
  })

  it('wants an ISO 4217 currency in capitals and one of the four intervals', async () => {
    const problems = await problemsOf({
      'a.yaml': 'code: a\ncurrency: usd\ninterval: biweekly\n',
      'b.yaml': 'code: b\ncurrency: XYZ\ninterval: yearly\n',
    })
    expect(problems.map((p) => [p.file, p.line, p.path, p.message])).toEqual([
      [
        'a.yaml',
        2,
        'currency',
        'expected an ISO 4217 currency code like "USD", got "usd"; "usd" is not three uppercase letters, as ISO 4217 codes are',
      ],
      ['a.yaml', 3, 'interval', 'expected one of weekly, monthly, quarterly, yearly, got "biweekly"'],
      [
        'b.yaml',
        2,
        'currency',
        'expected an ISO 4217 currency code like "USD", got "XYZ"; XYZ is not an active ISO 4217 code (List One published 2024-06-25)',
      ],
    ])
  })

  it('says why a currency is refused: no minor unit (XAU), withdrawn (HRK)', async () => {
    const problems = await problemsOf({
      'gold.yaml': 'code: gold\ncurrency: XAU\ninterval: monthly\n',
      'kuna.yaml': 'code: kuna\ncurrency: HRK\ninterval: monthly\n',
      'long.yaml': `code: long\ncurrency: ${'U'.repeat(40)}\ninterval: monthly\n`,
    })
    expect(problems.map((p) => [p.file, p.path, p.message])).toEqual([
      [
        'gold.yaml',
        'currency',
        'expected an ISO 4217 currency code like "USD", got "XAU"; XAU has no minor unit in ISO 4217, so amounts in it can\'t be rounded',
      ],
      [
        'kuna.yaml',
        'currency',
        'expected an ISO 4217 currency code like "USD", got "HRK"; HRK is not an active ISO 4217 code (List One published 2024-06-25)',
      ],
      // Text too long to be meant as a code is not repeated in a reason.
      ['long.yaml', 'currency', `expected an ISO 4217 currency code like "USD", got "${'U'.repeat(40)}"`],
    ])
  })
})

describe('customers.yaml', () => {
  const pro = 'code: pro\ncurrency: USD\ninterval: monthly\n'

  it('wants each customer on a plan of the folder', async () => {
    const problems = await problemsOf({
      'pro.yaml': pro,
      'customers.yaml': yaml`
        acme: { plan: pro }
        globex:
          name: Globex
          plan: enterprise
      `,
    })
    expect(problems).toEqual([
      {
        file: 'customers.yaml',
        line: 4,
        col: 9,
        path: 'globex.plan',
        message: 'expected the code of a plan in this folder (pro), got "enterprise"',
      },
    ])
  })

  it('wants a tax rate between 0 and 1, as a decimal string', async () => {
    const problems = await problemsOf({
      'pro.yaml': pro,
      'customers.yaml':
        'a: { plan: pro, tax_rate: "20" }\nb: { plan: pro, tax_rate: 0.2 }\nc: { plan: pro, tax_rate: "1" }\n',
    })
    expect(problems.map((p) => [p.line, p.path, p.message])).toEqual([
      [1, 'a.tax_rate', 'expected a tax rate between "0" and "1" like "0.20", got "20"'],
      [2, 'b.tax_rate', 'expected a decimal string like "0.20", got number 0.2; quote it: tax_rate: "0.2"'],
    ])
  })

  it('wants a plan for each customer', async () => {
    const problems = await problemsOf({ 'pro.yaml': pro, 'customers.yaml': 'acme: { name: Acme }\n' })
    expect(problems).toEqual([
      {
        file: 'customers.yaml',
        line: 1,
        col: 7,
        path: 'acme.plan',
        message: 'missing: expected a plan code',
      },
    ])
  })

  it('does not blame a customer for the problems of its plan, but leaves it out of the catalog', async () => {
    const dir = plansFolder({
      'pro.yaml': 'code: pro\ncurrency: USD\ninterval: fortnightly\n',
      'basic.yaml': 'code: basic\ncurrency: USD\ninterval: monthly\n',
      'customers.yaml': 'acme: { plan: pro }\nbob: { plan: basic }\n',
    })
    const { catalog, problems } = await loadPlans(dir)
    expect(problems.map((p) => p.path)).toEqual(['interval'])
    expect([...catalog.customers.keys()]).toEqual(['bob'])
  })
})

describe('every problem is reported, not only the first', () => {
  it('reports the problems of all files and of all charges at once', async () => {
    const problems = await problemsOf({
      'a.yaml': planWithCharge(
        '  - { metric: calls, model: standard, unit_price: 1 }\n' +
          '  - { metric: nope, model: standard, unit_price: "1" }\n' +
          '  - { metric: calls, model: volume, tiers: [{ up_to: 5, unit_price: "1" }] }\n',
      ),
      'b.yaml': 'code: b\ncurrency: EURO\ninterval: monthly\nfixed_fee: 9.99\n',
    })
    expect(problems.map((p) => [p.file, p.line, p.path])).toEqual([
      ['a.yaml', 7, 'charges[0].unit_price'],
      ['a.yaml', 8, 'charges[1].metric'],
      ['a.yaml', 9, 'charges[2].tiers[0].up_to'],
      ['b.yaml', 2, 'currency'],
      ['b.yaml', 4, 'fixed_fee'],
    ])
  })
})

describe('percentage charges: per-event bounds', () => {
  it('reads per_event_min_amount and per_event_max_amount as amounts', async () => {
    const { catalog, problems } = await loadPlans(
      plansFolder({
        'pro.yaml': planWithCharge(
          '  - { metric: calls, model: percentage, rate: "2.99", per_event_min_amount: "1.75", per_event_max_amount: "12" }\n' +
            '  - { metric: calls, model: percentage, rate: "1", per_event_max_amount: "0" }\n' +
            '  - { metric: calls, model: percentage, rate: "1" }\n',
        ),
      }),
    )
    expect(problems).toEqual([])
    expect(exact(catalog.plans.get('pro')!.charges.map(({ metric: _, ...charge }) => charge))).toEqual([
      {
        model: 'percentage',
        rate: '2.99',
        fixedFee: '0',
        freeUnits: '0',
        freeEvents: 0,
        perEventMin: '1.75',
        perEventMax: '12',
        filters: {},
        groupBy: [],
      },
      {
        model: 'percentage',
        rate: '1',
        fixedFee: '0',
        freeUnits: '0',
        freeEvents: 0,
        perEventMax: '0',
        filters: {},
        groupBy: [],
      },
      {
        model: 'percentage',
        rate: '1',
        fixedFee: '0',
        freeUnits: '0',
        freeEvents: 0,
        filters: {},
        groupBy: [],
      },
    ])
  })

  it('wants decimal strings, and the minimum at most the maximum', async () => {
    const problems = await problemsOf({
      'pro.yaml': planWithCharge(
        '  - { metric: calls, model: percentage, rate: "1", per_event_min_amount: 1.5, per_event_max_amount: "-1" }\n' +
          '  - { metric: calls, model: percentage, rate: "1", per_event_min_amount: "5", per_event_max_amount: "4.99" }\n' +
          '  - { metric: calls, model: percentage, rate: "1", per_event_min_amount: "5", per_event_max_amount: "5" }\n',
      ),
    })
    expect(problems.map((p) => [p.line, p.path, p.message])).toEqual([
      [
        7,
        'charges[0].per_event_min_amount',
        'expected a decimal string like "0.01", got number 1.5; quote it: per_event_min_amount: "1.5"',
      ],
      [7, 'charges[0].per_event_max_amount', 'expected a non-negative amount, got "-1"'],
      [
        8,
        'charges[1].per_event_max_amount',
        'expected an amount of at least per_event_min_amount ("5"), got "4.99"',
      ],
    ])
  })

  it('checks the bounds even when another key of the charge is wrong', async () => {
    const problems = await problemsOf({
      'pro.yaml': planWithCharge(
        '  - { metric: calls, model: percentage, rate: 1, per_event_min_amount: "5", per_event_max_amount: "1" }\n',
      ),
    })
    expect(problems.map((p) => p.path)).toEqual(['charges[0].rate', 'charges[0].per_event_max_amount'])
  })

  it('accepts per-event bounds on percentage charges only', async () => {
    const problems = await problemsOf({
      'pro.yaml': planWithCharge(
        '  - { metric: calls, model: standard, unit_price: "1", per_event_max_amount: "1" }\n',
      ),
    })
    expect(problems).toMatchObject([
      {
        path: 'charges[0].per_event_max_amount',
        message: expect.stringMatching(/^unknown key "per_event_max_amount"/),
      },
    ])
  })
})

describe('charge minimum: min_amount on any charge', () => {
  it('reads min_amount as an amount, on every model, and leaves it out when absent', async () => {
    const { catalog, problems } = await loadPlans(
      plansFolder({
        'pro.yaml': planWithCharge(
          yaml`
            - { metric: calls, model: standard, unit_price: "1", min_amount: "50" }
            - { metric: calls, model: package, package_size: 10, package_price: "1", min_amount: "0.5" }
            - { metric: calls, model: percentage, rate: "1", min_amount: "0" }
            - { metric: calls, model: graduated, tiers: [{ unit_price: "1" }], min_amount: "12.34" }
            - { metric: calls, model: volume, tiers: [{ unit_price: "1" }], min_amount: "1" }
            - { metric: calls, model: graduated_percentage, tiers: [{ rate: "1" }], min_amount: "2" }
            - { metric: calls, model: standard, unit_price: "1" }
          `.replace(/^/gm, '  '),
        ),
      }),
    )
    expect(problems).toEqual([])
    const charges = catalog.plans.get('pro')!.charges
    expect(charges.map((c) => c.minAmount?.toFixed())).toEqual([
      '50',
      '0.5',
      '0',
      '12.34',
      '1',
      '2',
      undefined,
    ])
    expect(Object.hasOwn(charges[6]!, 'minAmount')).toBe(false)
  })

  it('wants a non-negative decimal string', async () => {
    const problems = await problemsOf({
      'pro.yaml': planWithCharge(
        '  - { metric: calls, model: standard, unit_price: "1", min_amount: 50 }\n' +
          '  - { metric: calls, model: standard, unit_price: "1", min_amount: "-1" }\n',
      ),
    })
    expect(problems.map((p) => [p.line, p.path, p.message])).toEqual([
      [
        7,
        'charges[0].min_amount',
        'expected a decimal string like "0.01", got integer 50; quote it: min_amount: "50"',
      ],
      [8, 'charges[1].min_amount', 'expected a non-negative amount, got "-1"'],
    ])
  })
})

describe('metric rounding: a function among round, ceil, floor and an integer precision from -12 to 12', () => {
  it('reads the rounding, its precision 0 when left out', async () => {
    const metrics = await chargedMetrics(yaml`
      gb: { aggregation: max, property: gb, rounding: { function: ceil, precision: 2 } }
      calls: { aggregation: count, rounding: { function: round } }
      tokens: { aggregation: sum, property: t, rounding: { function: floor, precision: -3 } }
      plain: { aggregation: count }
    `)
    expect(metrics.map((m) => m.rounding)).toEqual([
      { function: 'ceil', precision: 2 },
      { function: 'round', precision: 0 },
      { function: 'floor', precision: -3 },
      undefined,
    ])
    expect(Object.hasOwn(metrics[3]!, 'rounding')).toBe(false)
  })

  it('reports a wrong function, a precision out of range or not an integer, and unknown keys', async () => {
    const problems = await problemsOf({
      'metrics.yaml': yaml`
        a: { aggregation: count, rounding: { function: truncate } }
        b: { aggregation: count, rounding: { function: round, precision: 13 } }
        c: { aggregation: count, rounding: { function: round, precision: -13 } }
        d: { aggregation: count, rounding: { function: round, precision: "2" } }
        e: { aggregation: count, rounding: { function: round, precision: 1.5 } }
        f: { aggregation: count, rounding: round }
        g: { aggregation: count, rounding: { precision: 2, mode: half_even } }
        h: { aggregation: count, rounding: { function: ceil, precision: 12 } }
        i: { aggregation: count, rounding: { function: floor, precision: -12 } }
      `,
    })
    const range = 'expected an integer from -12 to 12 (digits after the point; -2 rounds to hundreds)'
    expect(problems.map((p) => [p.line, p.path, p.message])).toEqual([
      [1, 'a.rounding.function', 'expected one of round, ceil, floor, got "truncate"'],
      [2, 'b.rounding.precision', `${range}, got integer 13`],
      [3, 'c.rounding.precision', `${range}, got integer -13`],
      [4, 'd.rounding.precision', `${range}, got "2"`],
      [5, 'e.rounding.precision', `${range}, got number 1.5`],
      [6, 'f.rounding', 'expected a rounding (a mapping with function: and precision:), got "round"'],
      [7, 'g.rounding.function', 'missing: expected one of round, ceil, floor'],
      [7, 'g.rounding.mode', 'unknown key "mode": expected one of function, precision'],
    ])
  })
})

describe("metric recurring: Lago's recurring weighted_sum; metered (absent or false) otherwise", () => {
  it('reads recurring: true on a weighted_sum, and keeps no recurring when it is false or absent', async () => {
    const metrics = await chargedMetrics(yaml`
      held: { aggregation: weighted_sum, property: gb, recurring: true }
      metered: { aggregation: weighted_sum, property: gb, recurring: false }
      plain: { aggregation: weighted_sum, property: gb }
      calls: { aggregation: count, recurring: false }
    `)
    expect(metrics.map((m) => Object.hasOwn(m, 'recurring') && m.recurring)).toEqual([
      true,
      false,
      false,
      false,
    ])
  })

  it('reports recurring: true on any other aggregation, and a recurring that is not true or false', async () => {
    const problems = await problemsOf({
      'metrics.yaml': yaml`
        a: { aggregation: sum, property: n, recurring: true }
        b: { aggregation: unique_count, property: u, recurring: true }
        c: { aggregation: weighted_sum, property: gb, recurring: "yes" }
        d: { aggregation: count, recurring: 1 }
      `,
    })
    expect(problems.map((p) => [p.line, p.path, p.message])).toEqual([
      [
        1,
        'a.recurring',
        'recurring: true is supported for weighted_sum metrics only, not for aggregation sum',
      ],
      [
        2,
        'b.recurring',
        'recurring: true is supported for weighted_sum metrics only, not for aggregation unique_count',
      ],
      [3, 'c.recurring', 'expected true or false, got "yes"'],
      [4, 'd.recurring', 'expected true or false, got integer 1'],
    ])
  })
})

describe('per-event bounds need a metric whose events each hold a share of the units', () => {
  it('refuses them on latest and weighted_sum metrics, where Lago has no per-event values either', async () => {
    const problems = await problemsOf({
      'pro.yaml': yaml`
        code: pro
        currency: USD
        interval: monthly
        metrics:
          gb: { aggregation: weighted_sum, property: gb }
          seats: { aggregation: latest, property: seats }
          bytes: { aggregation: max, property: bytes }
        charges:
          - { metric: gb, model: percentage, rate: "1", per_event_min_amount: "1" }
          - { metric: seats, model: percentage, rate: "1", per_event_max_amount: "5" }
          - { metric: bytes, model: percentage, rate: "1", per_event_max_amount: "5" }
          - { metric: gb, model: percentage, rate: "1", free_units: "3" }
      `,
    })
    expect(problems.map((p) => [p.line, p.col, p.path, p.message])).toEqual([
      [
        9,
        49,
        'charges[0].per_event_min_amount',
        "per-event bounds need each event's own share of the units: metric gb (weighted_sum) has none; expected a count, sum, unique_count or max metric",
      ],
      [
        10,
        52,
        'charges[1].per_event_max_amount',
        "per-event bounds need each event's own share of the units: metric seats (latest) has none; expected a count, sum, unique_count or max metric",
      ],
    ])
  })
})
