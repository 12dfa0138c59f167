// npm run bench:plans [-- --customers 10000,100000] [--paths fast,full] [--runs N] [--warmup N] [--stages]
//   [--dir DIR]
// Times loadPlans in this process on the example plans with a generated customers.yaml of each size,
// after warm-up runs, and checks that every customer is in the catalog. Each size is timed on the fast
// path (customers.yaml in the plain subset, read by src/plans/fast-yaml.ts, as loadPlans does) and on
// the full path (the yaml package, as for a customers.yaml with a problem), for comparison. Prints a
// table and the command. --stages adds a table of where the time goes in reading customers.yaml,
// stage by stage, with js-yaml's load (the fast path first tried: about twice the plain reader's time).
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import Table from 'cli-table3'
import { Lexer, LineCounter, Parser, parseDocument } from 'yaml'
import { JSON_SCHEMA, load } from 'js-yaml'
import { readPlainEntries } from '../src/plans/fast-yaml.js'
import { loadPlans } from '../src/plans/load.js'
import { customerEntry } from '../src/plans/schema.js'
import { keyProblems, MAX_ALIAS_COUNT, PARSE_OPTIONS } from '../src/plans/yaml-file.js'
import { writePlansFolder } from './plans-folder.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '10000,100000' },
    paths: { type: 'string', default: 'fast,full' },
    runs: { type: 'string', default: '7' },
    warmup: { type: 'string', default: '2' },
    stages: { type: 'boolean', default: false },
    dir: { type: 'string', default: path.join(root, '.bench', 'plans') },
  },
})
const sizes = values.customers!.split(',').map(Number)
const PATHS = ['fast', 'full'] as const
type LoadPath = (typeof PATHS)[number]
const paths = values.paths!.split(',') as LoadPath[]
for (const p of paths) if (!PATHS.includes(p)) throw new Error(`--paths: expected fast or full, got ${p}`)
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
  path: LoadPath
  /** Empty when the catalog holds every generated customer, with no problem, on the path timed. */
  wrong: string
}

/** The folder of `customers` generated customers, written once for both paths. */
function folderOf(customers: number): { folder: string; bytes: number } {
  const folder = path.join(dir, String(customers))
  rmSync(folder, { recursive: true, force: true })
  return { folder, bytes: writePlansFolder(folder, path.join(root, 'plans'), customers) }
}

async function measure(customers: number, folder: string, bytes: number, loadPath: LoadPath): Promise<Row> {
  const count = customers.toLocaleString('en-US')
  process.stderr.write(`loadPlans ${folder} (${count} customers), ${loadPath} path…\n`)
  // The fast path falls back to the full one silently: a benchmark of it must know it was taken.
  const text = readFileSync(path.join(folder, 'customers.yaml'), 'utf8')
  let wrong = loadPath === 'fast' && !readPlainEntries(text) ? 'not in the plain subset: full path' : ''
  const timing = await time(async () => {
    const { catalog, problems } = await loadPlans(folder, { customersFastPath: loadPath === 'fast' })
    if (problems.length > 0) wrong = `${problems.length} problems, first: ${problems[0]!.message}`
    else if (catalog.customers.size !== customers) wrong = `${catalog.customers.size} customers`
  })
  return { customers, mb: bytes / 1e6, path: loadPath, ...timing, wrong }
}

/** Runs a generator to its end without keeping what it yields. */
function drain(items: Iterable<unknown>): number {
  let count = 0
  for (const _ of items) count++
  return count
}

/** yaml's own uniqueKeys compares every key with every earlier one: past this size it takes minutes. */
const UNIQUE_KEYS_MAX = 20_000

/**
 * Each stage of reading customers.yaml on its own; a `fast:` or `yaml:` stage starting with `+`
 * includes the ones above it.
 */
async function stages(file: string, customers: number): Promise<Map<string, Timing | string>> {
  process.stderr.write(`stages of ${file}…\n`)
  const text = readFileSync(file, 'utf8')
  const parse = () => parseDocument(text, { ...PARSE_OPTIONS, lineCounter: new LineCounter() })
  const result = new Map<string, Timing | string>()
  result.set('read the file', await time(() => readFileSync(file, 'utf8')))
  result.set('fast: read the plain subset (readPlainEntries)', await time(() => readPlainEntries(text)))
  result.set(
    'js-yaml: load, JSON_SCHEMA (not used: for comparison)',
    await time(() => load(text, { schema: JSON_SCHEMA })),
  )
  const entries = [...(readPlainEntries(text)?.values() ?? [])]
  result.set(
    'fast: customerEntry (zod) on every entry',
    await time(() => entries.forEach((entry) => customerEntry.safeParse(entry))),
  )
  const doc = parse()
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

const PATH_NAMES: Record<LoadPath, string> = {
  fast: 'fast (plain subset)',
  full: 'full (yaml, for comparison)',
}

mkdirSync(dir, { recursive: true })
const folders = sizes.map((customers) => ({ customers, ...folderOf(customers) }))
const rows: Row[] = []
// Every size on one path, then on the next: the full path leaves a large heap behind.
for (const loadPath of paths) {
  for (const { customers, folder, bytes } of folders)
    rows.push(await measure(customers, folder, bytes, loadPath))
}
const stagesBySize = new Map<number, Map<string, Timing | string>>()
if (values.stages) {
  for (const { customers, folder } of folders)
    stagesBySize.set(customers, await stages(path.join(folder, 'customers.yaml'), customers))
}
for (const { folder } of folders) rmSync(folder, { recursive: true, force: true })

const table = new Table({
  head: [
    'customers',
    'customers.yaml MB',
    'path',
    'runs',
    'median ms',
    'max ms',
    'target ms',
    'loaded right',
  ],
  colAligns: ['right', 'right', 'left', 'right', 'right', 'right', 'right', 'left'],
  style: { head: [], border: [], compact: true },
})
rows.sort((a, b) => a.customers - b.customers || paths.indexOf(a.path) - paths.indexOf(b.path))
for (const r of rows) {
  const target = targetMs(r.customers)
  table.push([
    r.customers.toLocaleString('en-US'),
    r.mb.toFixed(1),
    PATH_NAMES[r.path],
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
    head: ['customers.yaml, stage', ...sizes.map((n) => `${n.toLocaleString('en-US')}: median / max ms`)],
    colAligns: ['left', ...sizes.map(() => 'right' as const)],
    style: { head: [], border: [], compact: true },
  })
  for (const stage of stagesBySize.get(sizes[0]!)?.keys() ?? []) {
    const cell = (customers: number) => {
      const t = stagesBySize.get(customers)?.get(stage)
      return t === undefined ? '-' : typeof t === 'string' ? t : ms(t)
    }
    stageTable.push([stage, ...sizes.map(cell)])
  }
  for (const loadPath of paths) {
    const cell = (customers: number) => {
      const row = rows.find((r) => r.customers === customers && r.path === loadPath)
      return row ? ms(row) : '-'
    }
    stageTable.push([`loadPlans, the whole folder, ${PATH_NAMES[loadPath]}`, ...sizes.map(cell)])
  }
  console.log(stageTable.toString())
}

console.log(
  `loadPlans in one process, ${warmup} warm-up runs then ${runs} timed ones per size and path; ` +
    'the folder is plans/ with a generated customers.yaml (bench/plans-folder.ts); ' +
    'the full path is loadPlans(dir, { customersFastPath: false }).',
)
const stagesFlag = values.stages ? ' --stages' : ''
console.log(
  `reproduce: npm run bench:plans -- --customers ${sizes.join(',')} --paths ${paths.join(',')} ` +
    `--runs ${runs} --warmup ${warmup}${stagesFlag}`,
)
if (rows.some((r) => r.wrong !== '')) process.exitCode = 1
