// Hostile values: customer ids, event codes, metric names, property names and values made of quotes,
// backslashes, SQL comments, `{param:Type}` look-alikes, Unicode and control characters travel from
// the event file and the plans folder through the store to the invoice, unchanged and never as SQL.
// On the embedded store and on a server (the test HTTP server), and through the built CLI.
// Runs dist/: build first (`npx tsc -p tsconfig.build.json`).
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { invoiceCustomer } from '../../src/invoices/invoice.js'
import type { Period } from '../../src/invoices/types.js'
import { loadCatalog, loadPlans } from '../../src/plans/load.js'
import type { Catalog } from '../../src/plans/types.js'
import { invoiceJson } from '../../src/render/invoice.js'
import { TRANSACTION_ID_SQL } from '../../src/store/schema.js'
import { openStore, type Store } from '../../src/store/store.js'
import { startClickHouseHttp, type ClickHouseHttp } from '../support/clickhouse-http.js'
import { ingestEvents, removeTempDirs, tempDir, uniqueDatabase, writeEvents } from '../support/events.js'
import { allInvoices } from '../support/usage.js'

const HOSTILE = [
  "o'brien",
  'say "hi"',
  'back\\slash\\',
  "x'); DROP TABLE events; --",
  "' OR '1'='1",
  '/* comment */ -- and more',
  '{customer:String}',
  '{param:Array(String)}',
  '`backtick`',
  'tab\there\nnewline\r',
  '\u0001\u001f\u007f',
  'ünïcødé 😀 \u202eRTL \u200bzero-width',
  '\\N',
  '$1 ? :name @p %s',
  'nul\u0000byte',
]
const CODE = 'api\'"\\ -- {code:String} ü'
const UNITS = 'to\'k"ens\\ /*x*/'
const FILTER_KEY = 'mo{del:String}\n'
const FILTER_VALUE = "gpt'; --\t4o"
const GROUP_KEY = 're`gion\u0001'
const COUNTED = 'calls \'quoted\' "too"'
const SUMMED = 'tokens \\ {sum:UInt8}'

const period: Period = { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z') }
const groupOf = (i: number) => HOSTILE[(i + 1) % HOSTILE.length]!

/** Per customer: 3 events counted in one group, 1 filtered out of the count, 1 of a near-miss code. */
function eventsOf(customer: string, i: number) {
  const at = (d: number) => `2026-10-0${d}T12:00:00Z`
  const props = (value: string) => ({ [UNITS]: '10', [FILTER_KEY]: value, [GROUP_KEY]: groupOf(i) })
  return [
    ...[1, 2, 3].map((d) => ({
      transaction_id: `${customer}#${d}`,
      customer,
      code: CODE,
      timestamp: at(d),
      properties: props(FILTER_VALUE),
    })),
    {
      transaction_id: `${customer}#4`,
      customer,
      code: CODE,
      timestamp: at(4),
      properties: { ...props('other'), [UNITS]: '5' },
    },
    {
      transaction_id: `${customer}#5`,
      customer,
      code: `${CODE} `,
      timestamp: at(5),
      properties: props(FILTER_VALUE),
    },
  ]
}

/** The plans folder, written as JSON (which is YAML): every hostile string is quoted exactly. */
function plansFolder(dir: string, files?: Record<string, string | Buffer>): string {
  if (files) {
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content)
    return dir
  }
  const plan = {
    code: 'hostile',
    currency: 'USD',
    interval: 'monthly',
    metrics: {
      [COUNTED]: { aggregation: 'count', code: CODE },
      [SUMMED]: { aggregation: 'sum', code: CODE, property: UNITS },
    },
    charges: [
      {
        metric: COUNTED,
        model: 'standard',
        unit_price: '1',
        filters: { [FILTER_KEY]: [FILTER_VALUE] },
        group_by: [GROUP_KEY],
      },
      { metric: SUMMED, model: 'standard', unit_price: '0.01' },
    ],
  }
  const customers = Object.fromEntries(HOSTILE.map((c) => [c, { plan: 'hostile', name: c }]))
  mkdirSync(dir, { recursive: true })
  writeFileSync(path.join(dir, 'hostile.yaml'), JSON.stringify(plan, null, 2))
  writeFileSync(path.join(dir, 'customers.yaml'), JSON.stringify(customers, null, 2))
  return dir
}

function expectedInvoice(customer: string, i: number) {
  const period = { from: '2026-10-01T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' }
  return {
    customer,
    customer_name: customer,
    plan: 'hostile',
    currency: 'USD',
    period,
    intervals: [
      {
        ...period,
        proration: null,
        lines: [
          {
            type: 'usage',
            metric: COUNTED,
            model: 'standard',
            group: { [GROUP_KEY]: groupOf(i) },
            units: '3',
            amount: '3.00',
          },
          { type: 'usage', metric: SUMMED, model: 'standard', group: null, units: '35', amount: '0.35' },
        ],
        subtotal: '3.35',
      },
    ],
    subtotal: '3.35',
    tax_rate: '0',
    tax: '0.00',
    total: '3.35',
    // The event whose code has a trailing space is another code, which no charge reads.
    unbilled: [{ code: `${CODE} `, reason: 'no_charge', events: 1 }],
  }
}

let dir = ''
let catalog: Catalog
let server: ClickHouseHttp
beforeAll(async () => {
  dir = tempDir('hostile')
  catalog = await loadCatalog(plansFolder(path.join(dir, 'plans')))
  // One engine per process: the test server and the embedded store share the data folder.
  server = await startClickHouseHttp({ dataDir: path.join(dir, 'data') })
})
afterAll(async () => {
  await server?.close()
  removeTempDirs()
})

describe.each(['embedded', 'server'] as const)('hostile values on the %s store', (kind) => {
  let store: Store
  beforeAll(async () => {
    const database = uniqueDatabase('hostile')
    store = await openStore(
      kind === 'server'
        ? { url: server.url, database, mode: 'write' }
        : { dataDir: path.join(dir, 'data'), database, mode: 'write' },
    )
    await ingestEvents(store, dir, HOSTILE.flatMap(eventsOf))
  })
  afterAll(() => store?.close())

  it('stores every value verbatim', async () => {
    const rows = await store.rows(
      `SELECT customer, ${TRANSACTION_ID_SQL} AS transaction_id, code, properties FROM ${store.db}.events FINAL ORDER BY transaction_id`,
    )
    const expected = HOSTILE.flatMap(eventsOf).map(({ timestamp: _, ...e }) => e)
    const byId = (a: { transaction_id: string }, b: { transaction_id: string }) =>
      a.transaction_id < b.transaction_id ? -1 : a.transaction_id > b.transaction_id ? 1 : 0
    expect((rows as typeof expected).sort(byId)).toEqual(expected.sort(byId))
  })

  it('bills each customer from its own events, matching codes, filters and groups exactly', async () => {
    for (const [i, customer] of HOSTILE.entries()) {
      const { invoice, warnings } = await invoiceCustomer(store, catalog, { customer, period })
      expect(warnings).toEqual([])
      expect(invoiceJson(invoice)).toEqual(expectedInvoice(customer, i))
    }
  })

  it('bills them all in one pass, and the events table is still whole', async () => {
    const run = await allInvoices(store, catalog, { period })
    expect(run.unbilled).toEqual([])
    const got = new Map(run.invoices.map((r) => [r.invoice.customer, invoiceJson(r.invoice)]))
    expect(got).toEqual(new Map(HOSTILE.map((c, i) => [c, expectedInvoice(c, i)])))
    expect(await store.rows(`SELECT toString(count()) AS n FROM ${store.db}.events`)).toEqual([
      { n: String(HOSTILE.length * 5) },
    ])
  })
})

describe('hostile values through the built CLI', () => {
  const bin = path.resolve(import.meta.dirname, '../../bin/run.js')
  const billing = (args: string[]) => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      BILLING_DATA: path.join(dir, 'cli-data'),
      BILLING_PLANS: path.join(dir, 'plans'),
    }
    delete env.CLICKHOUSE_URL
    const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env })
    return { code: r.status, stdout: r.stdout, stderr: r.stderr }
  }
  // A command line cannot carry a NUL byte.
  const onCommandLine = HOSTILE.filter((c) => !c.includes('\u0000'))

  beforeAll(() => {
    const file = writeEvents(
      dir,
      onCommandLine.flatMap((c) => eventsOf(c, HOSTILE.indexOf(c))),
    )
    const r = billing(['ingest', file, '--json', '--rejects', path.join(dir, 'cli-rejects.ndjson')])
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toMatchObject({ rejected: 0, new_events: onCommandLine.length * 5 })
  })

  it.each(["x'); DROP TABLE events; --", '{customer:String}', 'tab\there\nnewline\r', '\\N'])(
    'invoices --customer=%j',
    (customer) => {
      const r = billing(['invoice', `--customer=${customer}`, '--period', '2026-10', '--json'])
      expect(r.stderr).toBe('')
      expect(JSON.parse(r.stdout)).toEqual(expectedInvoice(customer, HOSTILE.indexOf(customer)))
    },
  )

  it('invoices --all, with every hostile customer once', () => {
    const r = billing(['invoice', '--all', '--period', '2026-10', '--json'])
    expect(r.code).toBe(0)
    // The NUL customer has a plan in customers.yaml but no events here: billed for nothing.
    const totals = Object.fromEntries(
      JSON.parse(r.stdout).invoices.map((i: { customer: string; total: string }) => [i.customer, i.total]),
    )
    expect(totals).toEqual(
      Object.fromEntries(HOSTILE.map((c) => [c, onCommandLine.includes(c) ? '3.35' : '0.00'])),
    )
  })
})

// Gaps left by test/plans/hostile.test.ts: tags of other languages' YAML loaders, merge keys,
// self-reference, non-numbers and files that are not text. Each is a problem with a place, never code
// that runs, a hang or a value taken silently.
describe('malicious or malformed plan YAML', () => {
  const head = 'code: pro\ncurrency: USD\ninterval: monthly\n'
  it.each([
    [
      'a JavaScript function tag',
      'code: !!js/function "function () {}"\ncurrency: USD\ninterval: monthly\n',
      [[1, 'code', 'expected a plan code']],
    ],
    [
      'a Python object tag',
      'code: pro\ncurrency: !!python/object:os.system "rm -rf /"\ninterval: monthly\n',
      [[2, 'currency', 'expected an ISO 4217 currency code like "USD", got "rm -rf /"']],
    ],
    [
      'a binary tag',
      `${head}fixed_fee: !!binary aGVsbG8=\n`,
      [[4, 'fixed_fee', 'expected a decimal string like "0.01", got a mapping']],
    ],
    [
      'YAML .nan and .inf',
      `${head}fixed_fee: .inf\nminimum_commitment: .nan\n`,
      [
        [4, 'fixed_fee', 'got number Infinity'],
        [5, 'minimum_commitment', 'got number NaN'],
      ],
    ],
    [
      'a merge key, which is not merged',
      'base: &b { currency: USD, interval: monthly }\ncode: pro\n<<: *b\n',
      [
        [1, 'currency', 'missing: expected an ISO 4217 currency code'],
        [1, 'interval', 'missing: expected one of weekly'],
        [1, 'base', 'unknown key "base"'],
        [3, '["<<"]', 'unknown key "<<"'],
      ],
    ],
    [
      'an alias inside its own anchor',
      `${head}metrics: &m { x: *m }\n`,
      [
        [4, 'metrics.x.x', 'unknown key "x"'],
        [4, 'metrics.x.aggregation', 'missing'],
      ],
    ],
    [
      'charges as a mapping',
      `${head}charges: { a: 1 }\n`,
      [[4, 'charges', 'expected a list of charges, got a mapping']],
    ],
    [
      'metrics as a list',
      `${head}metrics: [a, b]\n`,
      [[4, 'metrics', 'expected a mapping of metric name -> metric, got a list']],
    ],
  ])('reports %s', async (_, text, expected) => {
    const { catalog, problems } = await loadPlans(plansFolder(tempDir('plans'), { 'pro.yaml': text }))
    expect(problems.map((p) => [p.line, p.path, p.message])).toEqual(
      (expected as [number, string, string][]).map(([line, at, message]) => [
        line,
        at,
        expect.stringContaining(message),
      ]),
    )
    expect(catalog.plans.size).toBe(0)
  })

  it.each([
    ['binary bytes', Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x80, 0x0a])],
    ['UTF-16 text', Buffer.from('\ufeffcode: pro\ncurrency: USD\ninterval: monthly\n', 'utf16le')],
  ])('reports a plan file of %s as one problem at its start', async (_, bytes) => {
    const { problems } = await loadPlans(plansFolder(tempDir('plans'), { 'pro.yaml': bytes }))
    expect(problems).toMatchObject([
      { line: 1, col: 1, path: '', message: expect.stringContaining('expected a mapping') },
    ])
  })
})
