// npm run bench:plans [-- --customers 10000,100000] [--runs N] [--warmup N] [--stages] [--dir DIR]
// Times loadPlans in this process on the example plans with a generated customers.yaml of each size,
// after warm-up runs, and checks that every customer is in the catalog. Prints a table and the command.
// --stages adds a table of where the time goes in reading customers.yaml, stage by stage.
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import Table from 'cli-table3'
import { Lexer, LineCounter, Parser, parseDocument } from 'yaml'
import { loadPlans } from '../src/plans/load.js'
import { keyProblems, MAX_ALIAS_COUNT, PARSE_OPTIONS } from '../src/plans/yaml-file.js'
import { writePlansFolder } from './plans-folder.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '10000,100000' },
    runs: { type: 'string', default: '7' },
    warmup: { type: 'string', default: '2' },
    stages: { type: 'boolean', default: false },
    dir: { type: 'string', default: path.join(root, '.bench', 'plans') },
  },
})
const sizes = values.customers!.split(',').map(Number)
const runs = Number(values.runs)
const warmup = Number(values.warmup)
const dir = values.dir!

/** The targets on a 2-core machine: 10,000 customers in 100 ms, 100,000 in 1 s. */
function targetMs(customers: number): number {
  return customers <= 10_000 ? 100 : (customers / 100_000) * 1000
}

interface Timing {
  medianMs: number
  maxMs: number
}

/** Median and max of `runs` timed calls of `run`, after `warmup` untimed ones. */
async function time(run: () => unknown): Promise<Timing> {
  const times: number[] = []
  for (let i = 0; i < warmup + runs; i++) {
    const started = process.hrtime.bigint()
    await run()
    if (i >= warmup) times.push(Number(process.hrtime.bigint() - started) / 1e6)
  }
  times.sort((a, b) => a - b)
  return { medianMs: times[Math.floor(times.length / 2)]!, maxMs: times.at(-1)! }
}

const ms = (t: Timing) => `${t.medianMs.toFixed(1)} / ${t.maxMs.toFixed(1)}`

interface Row extends Timing {
  customers: number
  mb: number
  /** Empty when the catalog holds every generated customer and there is no problem. */
  wrong: string
  stages?: Map<string, Timing | string>
}

async function measure(customers: number): Promise<Row> {
  const folder = path.join(dir, String(customers))
  rmSync(folder, { recursive: true, force: true })
  const bytes = writePlansFolder(folder, path.join(root, 'plans'), customers)
  process.stderr.write(`loadPlans ${folder} (${customers.toLocaleString('en-US')} customers)…\n`)
  let wrong = ''
  const timing = await time(async () => {
    const { catalog, problems } = await loadPlans(folder)
    if (problems.length > 0) wrong = `${problems.length} problems, first: ${problems[0]!.message}`
    else if (catalog.customers.size !== customers) wrong = `${catalog.customers.size} customers`
  })
  const row: Row = { customers, mb: bytes / 1e6, ...timing, wrong }
  if (values.stages) row.stages = await stages(path.join(folder, 'customers.yaml'), customers)
  rmSync(folder, { recursive: true, force: true })
  return row
}

/** Runs a generator to its end without keeping what it yields. */
function drain(items: Iterable<unknown>): number {
  let count = 0
  for (const _ of items) count++
  return count
}

/** yaml's own uniqueKeys compares every key with every earlier one: past this size it takes minutes. */
const UNIQUE_KEYS_MAX = 20_000

/** Each stage of reading customers.yaml on its own; each `yaml:` stage includes the ones above it. */
async function stages(file: string, customers: number): Promise<Map<string, Timing | string>> {
  process.stderr.write(`stages of ${file}…\n`)
  const text = readFileSync(file, 'utf8')
  const parse = () => parseDocument(text, { ...PARSE_OPTIONS, lineCounter: new LineCounter() })
  const doc = parse()
  const result = new Map<string, Timing | string>()
  result.set('read the file', await time(() => readFileSync(file, 'utf8')))
  result.set('yaml: lexer', await time(() => drain(new Lexer().lex(text))))
  result.set('yaml: + CST parser', await time(() => drain(new Parser().parse(text))))
  result.set('yaml: + compose (parseDocument)', await time(parse))
  result.set(
    'yaml: parseDocument with uniqueKeys (before)',
    customers <= UNIQUE_KEYS_MAX
      ? await time(() => parseDocument(text, { ...PARSE_OPTIONS, uniqueKeys: true }))
      : `skipped above ${UNIQUE_KEYS_MAX.toLocaleString('en-US')}`,
  )
  result.set(
    'duplicate keys, __proto__ (keyProblems)',
    await time(() => keyProblems(doc, text, new LineCounter())),
  )
  result.set('toJS', await time(() => doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT })))
  return result
}

mkdirSync(dir, { recursive: true })
const rows: Row[] = []
for (const customers of sizes) rows.push(await measure(customers))

const table = new Table({
  head: ['customers', 'customers.yaml MB', 'runs', 'median ms', 'max ms', 'target ms', 'loaded right'],
  colAligns: ['right', 'right', 'right', 'right', 'right', 'right', 'left'],
  style: { head: [], border: [], compact: true },
})
for (const r of rows) {
  const target = targetMs(r.customers)
  table.push([
    r.customers.toLocaleString('en-US'),
    r.mb.toFixed(1),
    String(runs),
    r.medianMs.toFixed(1),
    r.maxMs.toFixed(1),
    `${target}${r.medianMs < target ? '' : ' (missed)'}`,
    r.wrong === '' ? 'yes' : `NO: ${r.wrong}`,
  ])
}
console.log(table.toString())

if (values.stages) {
  const stageTable = new Table({
    head: [
      'customers.yaml, stage',
      ...rows.map((r) => `${r.customers.toLocaleString('en-US')}: median / max ms`),
    ],
    colAligns: ['left', ...rows.map(() => 'right' as const)],
    style: { head: [], border: [], compact: true },
  })
  for (const stage of rows[0]?.stages?.keys() ?? []) {
    const cell = (r: Row) => {
      const t = r.stages?.get(stage)
      return t === undefined ? '-' : typeof t === 'string' ? t : ms(t)
    }
    stageTable.push([stage, ...rows.map(cell)])
  }
  stageTable.push(['loadPlans, the whole folder', ...rows.map(ms)])
  console.log(stageTable.toString())
}

console.log(
  `loadPlans in one process, ${warmup} warm-up runs then ${runs} timed ones per size; ` +
    'the folder is plans/ with a generated customers.yaml (bench/plans-folder.ts).',
)
const stagesFlag = values.stages ? ' --stages' : ''
console.log(
  `reproduce: npm run bench:plans -- --customers ${sizes.join(',')} --runs ${runs} --warmup ${warmup}${stagesFlag}`,
)
if (rows.some((r) => r.wrong !== '')) process.exitCode = 1
