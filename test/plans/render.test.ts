import { describe, expect, it } from 'vitest'
import { loadCatalog } from '../../src/plans/load.js'
import { planJson, renderPlan, renderPlanList } from '../../src/render/plans.js'
import { examplePlans } from './example.js'
import { plansFolder, yaml } from './folder.js'

const catalog = await loadCatalog(plansFolder(examplePlans))
const pro = catalog.plans.get('pro')!
const starter = catalog.plans.get('starter')!

describe('plans list', () => {
  it('has one row per plan, amounts with the currency minor unit', () => {
    expect(renderPlanList([pro, starter])).toBe(
      [
        '┌─────────┬─────────┬──────────┬──────────┬───────────┬─────────┬─────────┐',
        '│ code    │ name    │ currency │ interval │ fixed fee │ minimum │ charges │',
        '├─────────┼─────────┼──────────┼──────────┼───────────┼─────────┼─────────┤',
        '│ pro     │ Pro     │ USD      │ monthly  │     99.00 │ 1000.00 │       6 │',
        '│ starter │ starter │ EUR      │ yearly   │      0.00 │       - │       2 │',
        '└─────────┴─────────┴──────────┴──────────┴───────────┴─────────┴─────────┘',
      ].join('\n'),
    )
  })
})

describe('one plan', () => {
  const shown = renderPlan(pro)

  it('states its terms', () => {
    expect(shown.split('\n').slice(0, 2)).toEqual([
      'Pro (pro)',
      'USD, billed monthly; fixed fee 99.00, minimum commitment 1000.00',
    ])
  })

  it('summarises the price of every model', () => {
    for (const price of [
      '12.00 per unit',
      '3 tiers (below)',
      '5.00 per 100 units, first 100 units free',
      '1.2 % + 0.10 per event',
    ]) {
      expect(shown).toContain(price)
    }
    expect(shown).toContain('model in gpt-4o')
  })

  it('lists the tiers of tiered charges with their unit ranges', () => {
    expect(shown).toContain('Tiers of charge 2 (api_calls, graduated)')
    expect(shown).toMatch(/│ +2 │ 1000 - 10000 +│ +0\.01 │ +0\.00 │/)
    expect(shown).toMatch(/│ +3 │ above 10000 +│ +0\.005 │ +0\.00 │/)
    expect(shown).toContain('Tiers of charge 6 (tokens, graduated_percentage)')
    expect(shown).toMatch(/│ +1 │ 0 - 1000 +│ +1 │ +200\.00 │/)
  })

  it('lists each metric once, with its event code', () => {
    expect(shown.match(/│ tokens +│ api_calls +│ sum +│ tokens +│/g)).toHaveLength(1)
  })

  it('says which metrics are recurring', () => {
    expect(shown).toMatch(/│ storage +│ storage +│ weighted_sum, recurring +│ gb +│/)
    expect(shown).toMatch(/│ seats +│ seats +│ unique_count +│ user_id +│/)
  })
})

describe('plan JSON', () => {
  it('writes amounts as exact decimal strings', () => {
    const json = planJson(starter) as { charges: { unitPrice?: string; metric: { code: string } }[] }
    expect(json.charges[0]).toEqual({
      metric: { name: 'events', code: 'event', aggregation: 'count' },
      model: 'standard',
      unitPrice: '0.000001',
      filters: {},
      groupBy: [],
    })
    const proJson = JSON.parse(JSON.stringify(planJson(pro)))
    expect(proJson).toMatchObject({ fixedFee: '99', minimumCommitment: '1000' })
    expect(proJson.charges[1].tiers).toEqual([
      { upTo: '1000', unitPrice: '0', flatFee: '0' },
      { upTo: '10000', unitPrice: '0.01', flatFee: '0' },
      { unitPrice: '0.005', flatFee: '0' },
    ])
  })
})

const terms = await loadCatalog(
  plansFolder({
    'terms.yaml': yaml`
      code: terms
      currency: USD
      interval: monthly
      metrics:
        pay:   { aggregation: sum, property: amount, rounding: { function: round, precision: 2 } }
        gb:    { aggregation: max, property: gb, rounding: { function: ceil } }
        calls: { aggregation: count, rounding: { function: floor, precision: -3 } }
        one:   { aggregation: sum, property: x, rounding: { function: round, precision: 1 } }
      charges:
        - { metric: pay, model: percentage, rate: "2.9", fixed_fee: "0.30", per_event_min_amount: "0.5", per_event_max_amount: "12" }
        - { metric: pay, model: percentage, rate: "1", per_event_min_amount: "0.5" }
        - { metric: pay, model: percentage, rate: "1", free_events: 3, per_event_max_amount: "2" }
        - { metric: gb, model: standard, unit_price: "0.25", min_amount: "50" }
        - { metric: calls, model: graduated, tiers: [{ unit_price: "1" }], min_amount: "9.5" }
        - { metric: one, model: standard, unit_price: "1" }
    `,
  }),
)

describe('new terms in plans show: per-event bounds, charge minimums, metric rounding', () => {
  const shown = renderPlan(terms.plans.get('terms')!)

  it('summarises per-event bounds of percentage charges', () => {
    expect(shown).toContain('2.9 % + 0.30 per event, each event between 0.50 and 12.00')
    expect(shown).toContain('1 %, each event at least 0.50')
    expect(shown).toContain('1 %, first 3 events free, each event at most 2.00')
  })

  it('shows a charge minimum after the price', () => {
    expect(shown).toContain('0.25 per unit; at least 50.00 per interval')
    expect(shown).toContain('1 tier (below); at least 9.50 per interval')
  })

  it("shows each metric's rounding", () => {
    expect(shown).toMatch(/│ pay +│ pay +│ sum +│ amount +│ round to 2 decimals +│/)
    expect(shown).toMatch(/│ gb +│ gb +│ max +│ gb +│ ceil to whole units +│/)
    expect(shown).toMatch(/│ calls +│ calls +│ count +│ - +│ floor to multiples of 1000 +│/)
    expect(shown).toMatch(/│ one +│ one +│ sum +│ x +│ round to 1 decimal +│/)
    expect(renderPlan(pro)).toMatch(/│ tokens +│ api_calls +│ sum +│ tokens +│ - +│/)
  })

  it('writes them in the JSON as exact decimal strings', () => {
    const json = JSON.parse(JSON.stringify(planJson(terms.plans.get('terms')!)))
    expect(json.charges[0]).toMatchObject({ perEventMin: '0.5', perEventMax: '12' })
    expect(json.charges[3]).toMatchObject({
      minAmount: '50',
      metric: { rounding: { function: 'ceil', precision: 0 } },
    })
  })
})
