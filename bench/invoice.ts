// npm run bench:invoice [-- --events 100M --months 10 --customers 10000 --runs 5 --store DIR --keep]
//
// Invoices in real time over a large store: builds (or reuses, with --store and --keep) a store of
// generated events over several months through the ingest pipeline (Zipf-spread customers, the codes
// and properties the example plans bill, a customers.yaml of as many entries), then measures, with
// 1, half and all of the months stored: `invoice --customer` as whole processes for the largest, a
// median and a small customer, their plan's usage query (the one the invoice runs) beside the
// engine's own FINAL aggregation of the same rows, `invoice --all` for the last month beside the
// engine's aggregation of that month, bytes per event on disk, peak memory, and ingesting 1M events
// into the full store against an empty one.
// The CLI runs keep their catalog cache in the store's folder: the first run of a phase reads the
// plans folder, the others read back its catalog, as a user's repeated runs would. The median
// customer is also timed without the cache, and `billing --version` gives the floor of Node and oclif.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { planFor } from '../src/invoices/invoice.js'
import { intervalsOf } from '../src/invoices/intervals.js'
import { usageShape } from '../src/invoices/usage-shape.js'
import { customerId } from '../src/loadtest/generate.js'
import { parseRate } from '../src/loadtest/schedule.js'
import { EVENT_CODES } from '../src/loadtest/traffic.js'
import { loadCatalog } from '../src/plans/load.js'
import type { Catalog, Plan } from '../src/plans/types.js'
import { openStore, type Store } from '../src/store/store.js'
import { readUsage } from '../src/store/usage.js'
import { toDateTime64 } from '../src/store/usage-sql.js'
import { bulkLoad } from './bulk-load.js'
import { writeEventFile } from './event-files.js'
import { factsTable, n, phaseTable, type PhaseResult } from './invoice-report.js'
import { generatedCustomer } from './plans-folder.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '100M' },
    months: { type: 'string', default: '10' },
    customers: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '5' },
    store: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
})
const EVENTS = parseRate(args.events, '--events')
const MONTHS = Number(args.months)
const CUSTOMERS = Number(args.customers)
const RUNS = Number(args.runs)
const dir = args.store ?? path.join(os.tmpdir(), `billing-bench-invoice-${process.pid}`)
const data = path.join(dir, 'data')
const plans = path.join(dir, 'plans')
const traffic = { customers: CUSTOMERS, zipf: 1, codes: EVENT_CODES, seed: 11 }
/** Months of 2026 ending in October: the last one is invoiced. */
const monthStart = (k: number) => Date.UTC(2026, 10 - MONTHS + k, 1)
const LAST = { from: new Date(monthStart(MONTHS - 1)), to: new Date(monthStart(MONTHS)) }
const PERIOD = LAST.from.toISOString().slice(0, 7)
const log = (line: string) => process.stderr.write(`${line}\n`)

/** The customers measured alone: the largest, one in the middle (by rank: ~median events), the smallest. */
const PICKED = [
  ['largest', customerId(0, CUSTOMERS)],
  ['median', customerId(Math.floor(CUSTOMERS / 2), CUSTOMERS)],
  ['small', customerId(CUSTOMERS - 1, CUSTOMERS)],
] as const

// ---- The store --------------------------------------------------------------------------------------

function writePlans(): void {
  mkdirSync(plans, { recursive: true })
  for (const name of ['metrics.yaml', 'pro.yaml', 'enterprise.yaml', 'starter.yaml']) {
    writeFileSync(path.join(plans, name), readFileSync(path.join(root, 'plans', name)))
  }
  const lines = [
    '# Generated for bench:invoice: every customer of the generated traffic, on the example plans.',
  ]
  for (let rank = 0; rank < CUSTOMERS; rank++) {
    const c = generatedCustomer(rank, CUSTOMERS)
    lines.push(
      `${customerId(rank, CUSTOMERS)}: { plan: ${c.plan}, name: ${JSON.stringify(c.name)}, tax_rate: "${c.taxRate}" }`,
    )
  }
  writeFileSync(path.join(plans, 'customers.yaml'), `${lines.join('\n')}\n`)
}

/** Months loaded so far, remembered next to the store so that --store can reuse it. */
const factsFile = path.join(dir, 'loaded.json')
const loaded = (): number[] =>
  existsSync(factsFile) ? (JSON.parse(readFileSync(factsFile, 'utf8')) as number[]) : []

async function loadMonths(months: number[]): Promise<{ seconds: number; events: number }> {
  const todo = months.filter((k) => !loaded().includes(k))
  if (todo.length === 0) return { seconds: 0, events: 0 }
  const store = await openStore({ dataDir: data, database: 'billing', mode: 'write' })
  const started = performance.now()
  let events = 0
  try {
    for (const k of todo) {
      log(`loading month ${k + 1} of ${MONTHS} (${n(EVENTS / MONTHS)} events)…`)
      const spec = { traffic: { ...traffic, seed: traffic.seed + k }, events: Math.round(EVENTS / MONTHS) }
      events += await bulkLoad(store, { ...spec, fromMs: monthStart(k), toMs: monthStart(k + 1) })
      writeFileSync(factsFile, JSON.stringify([...loaded(), k]))
    }
    log('merging the new months (OPTIMIZE … FINAL, as background merges would in time)…')
    for (const k of todo) {
      const id = new Date(monthStart(k)).toISOString().slice(0, 7).replace('-', '')
      await store.command(`OPTIMIZE TABLE ${store.db}.events PARTITION ID '${id}' FINAL`)
    }
  } finally {
    await store.close()
  }
  return { seconds: (performance.now() - started) / 1000, events }
}

// ---- Measuring ----------------------------------------------------------------------------------------

/** A CLI run as a user's: its own process; wall time and peak memory (MB). */
function cli(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
): { seconds: number; rssMb: number; stdout: string } {
  const rssFile = path.join(dir, `rss-${process.pid}`)
  const started = performance.now()
  const r = spawnSync(
    process.execPath,
    ['--import', path.join(root, 'dist/bench/rss-probe.js'), path.join(root, 'bin/run.js'), ...argv],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 30,
      env: {
        ...process.env,
        BILLING_RSS_FILE: rssFile,
        BILLING_CACHE_DIR: path.join(dir, 'cache'),
        CLICKHOUSE_URL: '',
        BILLING_DATABASE: 'billing',
        ...env,
      },
    },
  )
  const seconds = (performance.now() - started) / 1000
  if (r.status !== 0 && r.status !== 1)
    throw new Error(`billing ${argv.join(' ')} failed (${r.status}): ${r.stderr}`)
  const rssMb = Number(readFileSync(rssFile, 'utf8')) / 1024
  rmSync(rssFile, { force: true })
  return { seconds, rssMb, stdout: r.stdout }
}

const invoiceArgs = (extra: string[]) => [
  'invoice',
  ...extra,
  '--period',
  PERIOD,
  '--data',
  data,
  '--plans',
  plans,
  '--json',
]

/** The engine's own aggregation of the same rows: count, and the sum of each code's value, per code. */
const ENGINE_SQL = (
  db: string,
  oneCustomer: boolean,
) => `SELECT ${oneCustomer ? '' : 'customer, '}code, count() AS n,
       toString(sum(toDecimal256OrNull(multiIf(code = 'api_calls', properties['tokens'], code = 'connections', properties['conns'],
           code = 'storage', properties['gb'], code = 'payment', properties['amount'], ''), 20))) AS s
FROM ${db}.events FINAL
WHERE ${oneCustomer ? 'customer = {customer:String} AND ' : ''}timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
GROUP BY ${oneCustomer ? '' : 'customer, '}code`

async function timed(work: () => Promise<unknown>): Promise<number> {
  const t = performance.now()
  await work()
  return performance.now() - t
}

interface QueryTimes {
  ours: number[]
  /** The same query with every weighted_sum metered: the period's rows only, no carry-in. */
  metered: number[]
  engine: number[]
}

/** The plans with no recurring metric: what the usage query costs without the carry-in. */
function metered(plans: Plan[]): Plan[] {
  return plans.map((p) => ({
    ...p,
    charges: p.charges.map((c) => {
      const { recurring: _, ...metric } = c.metric
      return { ...c, metric }
    }),
  }))
}

/** Our usage query for one page of customers, and the engine's aggregation, alternately, in one process. */
async function queryTimes(store: Store, catalog: Catalog, customers: string[] | null): Promise<QueryTimes> {
  // One customer: the query of its own plan, the one `invoice --customer` runs (it reads what that
  // plan's charges read, and counts the events of every other code as not billed).
  const billed = customers ? [planFor(catalog, customers[0]!)] : [...catalog.plans.values()]
  const shape = usageShape(billed)
  const intervals = intervalsOf(LAST, billed[0]!.interval)
  const page = (ids: string[]) => ({
    customers: ids,
    starts: intervals.map((i) => i.from.getTime()),
    ends: intervals.map((i) => i.to.getTime()),
  })
  const params = { from: toDateTime64(LAST.from), to: toDateTime64(LAST.to) }
  const settings = { do_not_merge_across_partitions_select_final: 1 } as const
  const meteredShape = usageShape(metered(billed))
  const times: QueryTimes = { ours: [], metered: [], engine: [] }
  for (let i = 0; i < RUNS; i++) {
    if (customers) {
      times.ours.push(await timed(() => readUsage(store, shape, page(customers))))
      times.metered.push(await timed(() => readUsage(store, meteredShape, page(customers))))
      times.engine.push(
        await timed(() =>
          store.rows(ENGINE_SQL(store.db, true), { params: { ...params, customer: customers[0] }, settings }),
        ),
      )
    } else {
      times.engine.push(await timed(() => store.rows(ENGINE_SQL(store.db, false), { params, settings })))
    }
  }
  return times
}

async function measurePhase(months: number): Promise<PhaseResult> {
  const store = await openStore({ dataDir: data, database: 'billing', mode: 'read' })
  const customers: PhaseResult['customers'] = []
  const catalog = await loadCatalog(plans)
  let allEngine: number[]
  try {
    for (const [name, id] of PICKED) {
      const [row] = await store.rows<{ n: string }>(
        `SELECT toString(count()) AS n FROM ${store.db}.events FINAL WHERE customer = {c:String} AND timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}`,
        { params: { c: id, from: toDateTime64(LAST.from), to: toDateTime64(LAST.to) } },
      )
      const q = await queryTimes(store, catalog, [id])
      const plan = planFor(catalog, id).code
      customers.push({ name, id, plan, events: Number(row?.n ?? 0), wall: [], rssMb: 0, ...q })
    }
    allEngine = (await queryTimes(store, catalog, null)).engine
  } finally {
    await store.close()
  }
  for (const c of customers) {
    for (let i = 0; i < RUNS; i++) {
      const r = cli(invoiceArgs(['--customer', c.id]))
      c.wall.push(r.seconds)
      c.rssMb = Math.max(c.rssMb, r.rssMb)
    }
  }
  const all: PhaseResult['all'] = { wall: [], rssMb: 0, invoices: 0, engine: allEngine }
  for (let i = 0; i < Math.max(2, Math.ceil(RUNS / 2)); i++) {
    const r = cli(invoiceArgs(['--all']))
    all.wall.push(r.seconds)
    all.rssMb = Math.max(all.rssMb, r.rssMb)
    all.invoices = (JSON.parse(r.stdout) as { invoices: unknown[] }).invoices.length
  }
  const uncached: number[] = []
  const floor: number[] = []
  for (let i = 0; i < RUNS; i++) {
    uncached.push(cli(invoiceArgs(['--customer', PICKED[1][1]]), { BILLING_NO_CACHE: '1' }).seconds)
    floor.push(cli(['--version']).seconds)
  }
  return { months, customers, all, uncached, floor }
}

async function dropMonth(startMs: number): Promise<void> {
  const store = await openStore({ dataDir: data, database: 'billing', mode: 'write' })
  try {
    const id = new Date(startMs).toISOString().slice(0, 7).replace('-', '')
    await store.command(`ALTER TABLE ${store.db}.events DROP PARTITION ID '${id}'`)
  } finally {
    await store.close()
  }
}

async function diskFacts(): Promise<{ rows: number; bytes: number; parts: number }> {
  const store = await openStore({ dataDir: data, database: 'billing', mode: 'read' })
  try {
    const [row] = await store.rows<{ rows: string; bytes: string; parts: string }>(
      `SELECT toString(sum(rows)) AS rows, toString(sum(bytes_on_disk)) AS bytes, toString(count()) AS parts
       FROM system.parts WHERE database = 'billing' AND table = 'events' AND active`,
    )
    return { rows: Number(row?.rows), bytes: Number(row?.bytes), parts: Number(row?.parts) }
  } finally {
    await store.close()
  }
}

/**
 * 1M realistic events: into an empty store, into the full one, and the engine's own file() ingest.
 * Their month follows the stored ones, so that the store's keys are all checked (a copy may be in any
 * month) and the events can be dropped again with their partition, leaving a kept store as it was.
 */
async function ingestIntoFull(): Promise<{ empty: number; full: number; engine: number; rssMb: number }> {
  const file = path.join(dir, 'one-million.ndjson')
  const clean = path.join(dir, 'one-million.clean.ndjson')
  await writeEventFile(file, clean, {
    events: 1_000_000,
    shape: 'realistic',
    duplicateRate: 0.001,
    badRate: 0.0001,
    monthStartMs: monthStart(MONTHS),
  })
  const ingest = (into: string) =>
    cli(['ingest', file, '--json', '--data', into, '--rejects', `${file}.rejects`])
  const emptyDir = path.join(dir, 'empty')
  rmSync(emptyDir, { recursive: true, force: true })
  const empty = ingest(emptyDir)
  rmSync(emptyDir, { recursive: true, force: true })
  const engine = spawnSync(
    process.execPath,
    [path.join(root, 'dist/bench/engine-limit.js'), clean, emptyDir],
    { encoding: 'utf8' },
  )
  rmSync(emptyDir, { recursive: true, force: true })
  const full = ingest(data)
  await dropMonth(monthStart(MONTHS))
  for (const f of [file, clean, `${file}.rejects`]) rmSync(f, { force: true })
  return { empty: empty.seconds, full: full.seconds, engine: Number(engine.stdout.trim()), rssMb: full.rssMb }
}

// ---- The run ------------------------------------------------------------------------------------------

log(`${os.cpus().length} cores, Node ${process.version}; store in ${dir}`)
writePlans()
const half = Math.max(1, Math.floor(MONTHS / 2))
const phases = [
  [MONTHS - 1],
  Array.from({ length: half - 1 }, (_, i) => MONTHS - 1 - half + 1 + i),
  Array.from({ length: MONTHS - half }, (_, i) => i),
].filter((p) => p.length > 0)
const results: PhaseResult[] = []
let loadSeconds = 0
let loadEvents = 0
for (const months of phases) {
  const l = await loadMonths(months)
  loadSeconds += l.seconds
  loadEvents += l.events
  // A kept store that already holds every month is measured once.
  if (results.some((r) => r.months === loaded().length)) continue
  log(`measuring with ${loaded().length} month(s) stored…`)
  results.push(await measurePhase(loaded().length))
}
const disk = await diskFacts()
log('ingesting 1M events into an empty store and into the full one…')
const oneMillion = await ingestIntoFull()

// ---- The report ---------------------------------------------------------------------------------------

console.log(
  phaseTable(
    results,
    PICKED.map(([name]) => name),
    PERIOD,
  ),
)
console.log(
  factsTable({
    disk,
    months: MONTHS,
    customers: CUSTOMERS,
    load: { seconds: loadSeconds, events: loadEvents },
    oneMillion,
  }),
)
console.log(
  `reproduce: npm run bench:invoice -- --events ${args.events} --months ${MONTHS} --customers ${CUSTOMERS} --runs ${RUNS}${args.store ? ` --store ${args.store} --keep` : ''}`,
)
if (!args.keep) rmSync(dir, { recursive: true, force: true })
