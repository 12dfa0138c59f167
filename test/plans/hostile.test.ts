// Plan files are read from disk and may be wrong in every way, by mistake or on purpose: each case
// is one problem with a place, never a crash, a hang or a silently ignored value.
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadPlans } from '../../src/plans/load.js'
import { MAX_FILE_BYTES, parseYamlText } from '../../src/plans/yaml-file.js'
import { plansFolder, problemsOf, yaml } from './folder.js'

const valid = 'code: pro\ncurrency: USD\ninterval: monthly\n'

describe('malformed YAML', () => {
  it('reports a syntax error at the place the parser gives', async () => {
    const problems = await problemsOf({ 'pro.yaml': 'code: pro\ncurrency: [USD\ninterval: monthly\n' })
    expect(problems).toEqual([
      {
        file: 'pro.yaml',
        line: 3,
        col: 1,
        path: '',
        message:
          'YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]',
      },
    ])
  })

  it('reports a key written twice at the second one', async () => {
    const problems = await problemsOf({ 'pro.yaml': `${valid}code: basic\n` })
    expect(problems).toEqual([
      { file: 'pro.yaml', line: 4, col: 1, path: '', message: 'YAML syntax: Map keys must be unique' },
    ])
  })

  it('reports tabs used as indentation', async () => {
    const problems = await problemsOf({ 'pro.yaml': 'code: pro\n\tcurrency: USD\n' })
    expect(problems).toMatchObject([
      { line: 2, col: 1, message: 'YAML syntax: Tabs are not allowed as indentation' },
    ])
  })

  it('reports syntax errors and keys written twice together, in the order of the text', () => {
    // Read alone (as billing.yaml is), not through the folder's loader, which sorts every problem.
    const { problems } = parseYamlText(
      'pro.yaml',
      'code: pro\ncode: basic\ninterval: monthly\n\tcurrency: USD\n',
    )
    expect(problems).toMatchObject([
      { line: 2, col: 1, message: 'YAML syntax: Map keys must be unique' },
      { line: 4, col: 1, message: 'YAML syntax: Tabs are not allowed as indentation' },
    ])
  })

  it('keeps reading the other files', async () => {
    const { catalog, problems } = await loadPlans(
      plansFolder({ 'a.yaml': 'code: [a\n', 'b.yaml': valid.replace('pro', 'b') }),
    )
    expect(problems.map((p) => path.basename(p.file))).toEqual(['a.yaml'])
    expect([...catalog.plans.keys()]).toEqual(['b'])
  })
})

describe('the top level is a mapping', () => {
  it.each([
    ['a list', '- code: pro\n'],
    ['a single value', 'pro\n'],
    ['an empty file', ''],
    ['an empty file', '# only a comment\n'],
  ])('rejects %s', async (got, text) => {
    const problems = await problemsOf({ 'pro.yaml': text })
    expect(problems).toEqual([
      {
        file: 'pro.yaml',
        line: 1,
        col: 1,
        path: '',
        message: `expected a mapping at the top level (\`key: value\` lines), got ${got}`,
      },
    ])
  })

  it('points at the list or value itself, after comments and blank lines', async () => {
    const problems = await problemsOf({ 'pro.yaml': '# the pro plan\n\n  - code: pro\n' })
    expect(problems).toEqual([
      {
        file: 'pro.yaml',
        line: 3,
        col: 3,
        path: '',
        message: 'expected a mapping at the top level (`key: value` lines), got a list',
      },
    ])
  })

  it('accepts an empty metrics.yaml and customers.yaml', async () => {
    const problems = await problemsOf({
      'pro.yaml': valid,
      'metrics.yaml': '',
      'customers.yaml': '# none yet\n',
    })
    expect(problems).toEqual([])
  })

  it('rejects a customers.yaml that is a list', async () => {
    const problems = await problemsOf({ 'pro.yaml': valid, 'customers.yaml': '- acme\n' })
    expect(problems).toMatchObject([{ file: 'customers.yaml', line: 1, path: '' }])
  })
})

describe('hostile YAML', () => {
  it('refuses an alias bomb without expanding it, pointing at the first alias', async () => {
    const bomb = yaml`
      code: pro
      currency: USD
      interval: monthly
      a: &a [x, x, x, x, x, x, x, x, x, x]
      b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
      c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
      d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
      e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
      f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
      g: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
    `
    const started = Date.now()
    const problems = await problemsOf({ 'pro.yaml': bomb })
    expect(Date.now() - started).toBeLessThan(2000)
    expect(problems).toEqual([
      {
        file: 'pro.yaml',
        line: 5,
        col: 8,
        path: '',
        message:
          'aliases expand to too many nodes (at most 100): Excessive alias count indicates a resource exhaustion attack',
      },
    ])
  })

  it('accepts a few aliases, e.g. tiers shared by two charges', async () => {
    const { catalog, problems } = await loadPlans(
      plansFolder({
        'pro.yaml': yaml`
          code: pro
          currency: USD
          interval: monthly
          metrics: { a: { aggregation: count }, b: { aggregation: count } }
          charges:
            - metric: a
              model: graduated
              tiers: &tiers [{ up_to: 10, unit_price: "1" }, { unit_price: "0.5" }]
            - { metric: b, model: volume, tiers: *tiers }
        `,
      }),
    )
    expect(problems).toEqual([])
    expect(catalog.plans.get('pro')!.charges.map((charge) => charge.model)).toEqual(['graduated', 'volume'])
  })

  it('points inside the anchored value when an alias brings a wrong one', async () => {
    const problems = await problemsOf({
      'pro.yaml': yaml`
        code: pro
        currency: USD
        interval: monthly
        metrics: { a: { aggregation: count } }
        charges:
          - metric: a
            model: graduated
            tiers: &tiers [{ up_to: 10, unit_price: 1 }, { unit_price: "0.5" }]
          - { metric: a, model: volume, tiers: *tiers }
      `,
    })
    expect(problems.map((p) => [p.line, p.col, p.path])).toEqual([
      [8, 45, 'charges[0].tiers[0].unit_price'],
      [8, 45, 'charges[1].tiers[0].unit_price'],
    ])
  })

  it('refuses a file over 1 MB without parsing it', async () => {
    const huge = `${valid}fixed_fee: 1.5\n# ${'x'.repeat(MAX_FILE_BYTES)}\n`
    const bytes = Buffer.byteLength(huge)
    const problems = await problemsOf({ 'pro.yaml': huge })
    expect(problems).toEqual([
      {
        file: 'pro.yaml',
        line: 1,
        col: 1,
        path: '',
        message: `the file has ${bytes} bytes; files in a plans folder are limited to 1 MB (1048576 bytes)`,
      },
    ])
  })

  it('reads a file of exactly 1 MB', async () => {
    const header = `${valid}# `
    const text = header + 'x'.repeat(MAX_FILE_BYTES - header.length - 1) + '\n'
    expect(Buffer.byteLength(text)).toBe(MAX_FILE_BYTES)
    expect(await problemsOf({ 'pro.yaml': text })).toEqual([])
  })

  it('reports runaway nesting once instead of overflowing the stack', async () => {
    const depth = 10_000
    const problems = await problemsOf({ 'pro.yaml': `code: ${'['.repeat(depth)}${']'.repeat(depth)}\n` })
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({
      line: 1,
      path: '',
      message: 'YAML syntax: the document nests too deeply',
    })
  })

  it('refuses the key __proto__, which JS objects would turn into a prototype', async () => {
    const problems = await problemsOf({
      'pro.yaml': `${valid}metrics:\n  __proto__: { aggregation: count }\n`,
    })
    expect(problems).toEqual([
      { file: 'pro.yaml', line: 5, col: 3, path: '', message: 'the key __proto__ is reserved' },
    ])
  })

  it('reads one document per file', async () => {
    const problems = await problemsOf({ 'pro.yaml': `${valid}---\ncode: basic\n` })
    expect(problems).toMatchObject([
      { line: 4, col: 1, message: expect.stringContaining('multiple documents') },
    ])
  })

  it('skips a folder named like a plan file', async () => {
    const dir = plansFolder({ 'pro.yaml': valid })
    mkdirSync(path.join(dir, 'odd.yaml'))
    writeFileSync(path.join(dir, 'basic.yaml'), valid.replace('pro', 'basic'))
    const { catalog, problems } = await loadPlans(dir)
    expect(problems).toEqual([])
    expect([...catalog.plans.keys()].sort()).toEqual(['basic', 'pro'])
  })

  it('wants one metrics file: metrics.yaml and metrics.yml together are a problem', async () => {
    const problems = await problemsOf({
      'pro.yaml': valid,
      'metrics.yaml': 'a: { aggregation: count }\n',
      'metrics.yml': 'b: { aggregation: count }\n',
    })
    expect(problems).toMatchObject([{ file: 'metrics.yml', line: 1, col: 1, path: '' }])
  })
})
