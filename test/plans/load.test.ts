import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { formatProblem, loadCatalog, loadPlans, PlansInvalidError } from '../../src/plans/load.js'
import { examplePlans } from './example.js'
import { exact, plansFolder, yaml } from './folder.js'

describe('a valid plans folder', () => {
  it('has no problem and reads every plan and customer', async () => {
    const { catalog, problems } = await loadPlans(plansFolder(examplePlans))
    expect(problems).toEqual([])
    expect([...catalog.plans.keys()].sort()).toEqual(['pro', 'starter'])
    expect([...catalog.customers.keys()].sort()).toEqual(['42', 'acme'])
  })

  it('reads a plan exactly as written, every amount and quantity a Decimal', async () => {
    const dir = plansFolder(examplePlans)
    const { catalog } = await loadPlans(dir)
    const seats = { name: 'seats', code: 'seats', aggregation: 'unique_count', property: 'user_id' }
    const apiCalls = { name: 'api_calls', code: 'api_calls', aggregation: 'count' }
    const tokens = { name: 'tokens', code: 'api_calls', aggregation: 'sum', property: 'tokens' }
    const storage = {
      name: 'storage',
      code: 'storage',
      aggregation: 'weighted_sum',
      property: 'gb',
      recurring: true,
    }
    const none = { filters: {}, groupBy: [] }
    expect(exact(catalog.plans.get('pro'))).toStrictEqual({
      code: 'pro',
      name: 'Pro',
      currency: 'USD',
      interval: 'monthly',
      fixedFee: '99',
      minimumCommitment: '1000',
      file: path.join(dir, 'pro.yaml'),
      charges: [
        { metric: seats, model: 'standard', unitPrice: '12', ...none },
        {
          metric: apiCalls,
          model: 'graduated',
          tiers: [
            { upTo: '1000', unitPrice: '0', flatFee: '0' },
            { upTo: '10000', unitPrice: '0.01', flatFee: '0' },
            { unitPrice: '0.005', flatFee: '0' },
          ],
          ...none,
        },
        {
          metric: tokens,
          model: 'volume',
          tiers: [
            { upTo: '100000', unitPrice: '0.001', flatFee: '10' },
            { unitPrice: '0.0005', flatFee: '10' },
          ],
          filters: { model: ['gpt-4o'] },
          groupBy: ['region'],
        },
        {
          metric: storage,
          model: 'package',
          packageSize: '100',
          packagePrice: '5',
          freeUnits: '100',
          ...none,
        },
        {
          metric: tokens,
          model: 'percentage',
          rate: '1.2',
          fixedFee: '0.1',
          freeUnits: '0',
          freeEvents: 0,
          ...none,
        },
        {
          metric: tokens,
          model: 'graduated_percentage',
          tiers: [
            { upTo: '1000', rate: '1', flatFee: '200' },
            { rate: '2', flatFee: '300' },
          ],
          ...none,
        },
      ],
    })
  })

  it('keeps amounts exact: "0.000001" and up_to 1000 are Decimals, not floats', async () => {
    const { catalog } = await loadPlans(plansFolder(examplePlans))
    const pro = catalog.plans.get('pro')!
    const graduated = pro.charges[1]!
    if (graduated.model !== 'graduated') throw new Error('expected the graduated charge')
    expect(graduated.tiers[0]!.upTo!.toFixed()).toBe('1000')
    expect(graduated.tiers[1]!.unitPrice.times(3).toFixed()).toBe('0.03')
    const starter = catalog.plans.get('starter')!.charges[0]!
    if (starter.model !== 'standard') throw new Error('expected the standard charge')
    expect(starter.unitPrice.times(1_000_000).toFixed()).toBe('1')
  })

  it('uses metrics.yaml where the plan does not define the metric, and the plan-local one on a clash', async () => {
    const { catalog } = await loadPlans(plansFolder(examplePlans))
    const starter = catalog.plans.get('starter')!
    expect(starter.charges.map((charge) => charge.metric)).toStrictEqual([
      { name: 'events', code: 'event', aggregation: 'count' },
      { name: 'seats', code: 'seats', aggregation: 'max', property: 'seats' },
    ])
    expect(catalog.plans.get('pro')!.charges[0]!.metric.aggregation).toBe('unique_count')
  })

  it('defaults: name to the code, fixed fee to 0, no minimum, free units and events to 0', async () => {
    const { catalog } = await loadPlans(plansFolder(examplePlans))
    const starter = catalog.plans.get('starter')!
    expect(starter.name).toBe('starter')
    expect(starter.fixedFee.toFixed()).toBe('0')
    expect(starter).not.toHaveProperty('minimumCommitment')
    expect(exact(starter.charges[1])).toMatchObject({ freeUnits: '0.5', freeEvents: 10, fixedFee: '0' })
  })

  it('reads customers with their plan, name and tax rate (default 0)', async () => {
    const { catalog } = await loadPlans(plansFolder(examplePlans))
    expect(exact(catalog.customers.get('acme'))).toStrictEqual({
      id: 'acme',
      plan: 'pro',
      name: 'Acme Inc.',
      taxRate: '0.2',
    })
    expect(exact(catalog.customers.get('42'))).toStrictEqual({ id: '42', plan: 'starter', taxRate: '0' })
  })

  it('reads a folder with plans only, without metrics.yaml or customers.yaml', async () => {
    const dir = plansFolder({ 'pro.yaml': examplePlans['pro.yaml'] })
    const { catalog, problems } = await loadPlans(dir)
    expect(problems).toEqual([])
    expect(catalog.plans.size).toBe(1)
    expect(catalog.customers.size).toBe(0)
  })

  it('ignores files that are not YAML', async () => {
    const dir = plansFolder({ ...examplePlans, 'README.md': '# plans', 'notes.txt': 'code: x' })
    expect((await loadPlans(dir)).problems).toEqual([])
  })
})

describe('loadCatalog', () => {
  it('returns the catalog of a valid folder', async () => {
    const catalog = await loadCatalog(plansFolder(examplePlans))
    expect(catalog.plans.size).toBe(2)
  })

  it('throws a PlansInvalidError listing every problem', async () => {
    const dir = plansFolder({
      ...examplePlans,
      'customers.yaml': yaml`
        acme: { plan: gold }
        bob: { plan: silver }
      `,
    })
    const error = await loadCatalog(dir).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(PlansInvalidError)
    const { problems, message } = error as PlansInvalidError
    expect(problems.map((p) => [path.basename(p.file), p.line, p.path])).toEqual([
      ['customers.yaml', 1, 'acme.plan'],
      ['customers.yaml', 2, 'bob.plan'],
    ])
    expect(message).toContain('2 problems')
    expect(message).toContain('acme.plan')
  })

  it('rejects a folder that does not exist', async () => {
    await expect(loadPlans('/nonexistent/plans')).rejects.toThrow(
      'cannot read the plans folder /nonexistent/plans',
    )
  })
})

describe('formatProblem', () => {
  it('prints file:line:col  path  message with the file relative to the current directory', () => {
    const problem = {
      file: path.join(process.cwd(), 'plans', 'pro.yaml'),
      line: 12,
      col: 7,
      path: 'charges[1].tiers[0].up_to',
      message: 'expected up_to greater than 0, got 0',
    }
    expect(formatProblem(problem)).toBe(
      `${path.join('plans', 'pro.yaml')}:12:7  charges[1].tiers[0].up_to  expected up_to greater than 0, got 0`,
    )
  })

  it('leaves out the path of a problem with the whole file', () => {
    const problem = { file: 'plans/pro.yaml', line: 1, col: 1, path: '', message: 'expected a mapping' }
    expect(formatProblem(problem, '/work')).toBe('plans/pro.yaml:1:1  expected a mapping')
  })
})
