// npm run bench:ingest [-- --events N] [--no-large] [--dir DIR]
// Measures `billing ingest` against the engine's own limit on the same file, in one run, and checks
// that the store holds exactly the distinct good events; the realistic file also goes in a second
// time, into the store it filled (every event already stored). Prints a table and the command.
import { spawnSync } from 'node:child_process'
import { mkdirSync, rmSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import Table from 'cli-table3'
import { writeEventFile, type EventFileFacts, type EventFileSpec } from './event-files.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '5000000' },
    'no-large': { type: 'boolean', default: false },
    dir: { type: 'string', default: path.join(root, '.bench') },
  },
})
const events = Number(values.events)
const dir = values.dir!
mkdirSync(dir, { recursive: true })

interface Row {
  file: string
  lines: number
  mb: number
  billingSeconds: number
  billingRate: number
  engineSeconds?: number
  ratio?: number
  rssMb: number
  /** New events as the run counted them, and the events the store holds, counted afterwards. */
  stored: number
  counted: number
  expected: number
  /** The same file again into the store it filled: every event already stored, none new. */
  again?: { alreadyStored: number }
}

/** `billing ingest` in its own process, exactly as a user runs it: on a fresh store, or `again`. */
function runBilling(file: string, data: string, again = false) {
  if (!again) rmSync(data, { recursive: true, force: true })
  const started = process.hrtime.bigint()
  const r = spawnSync(
    process.execPath,
    [path.join(root, 'bin/run.js'), 'ingest', file, '--json', '--data', data, '--rejects', `${file}.rejects`],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
      // The embedded engine and the database stored-count.ts reads, whatever the environment says.
      env: { ...process.env, CLICKHOUSE_URL: '', BILLING_DATABASE: 'billing' },
    },
  )
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  if (r.status !== 0 && r.status !== 1) throw new Error(`billing ingest failed (${r.status}): ${r.stderr}`)
  return {
    seconds,
    summary: JSON.parse(r.stdout) as {
      new_events: number
      peak_rss_mb: number
      rejected: number
      duplicates: { already_stored: number }
    },
  }
}

/** The engine alone: the same build and table, `INSERT ... SELECT ... FROM file()`, no validation. */
function runEngine(file: string, data: string): number {
  rmSync(data, { recursive: true, force: true })
  const r = spawnSync(process.execPath, [path.join(root, 'dist/bench/engine-limit.js'), file, data], {
    encoding: 'utf8',
  })
  if (r.status !== 0) throw new Error(`engine limit run failed: ${r.stderr}`)
  return Number(r.stdout.trim())
}

function storedCount(data: string): string {
  const r = spawnSync(process.execPath, [path.join(root, 'dist/bench/stored-count.js'), data], {
    encoding: 'utf8',
  })
  if (r.status !== 0) throw new Error(`counting stored events failed: ${r.stderr}`)
  return r.stdout.trim()
}

async function measure(name: string, spec: EventFileSpec, options: { engine: boolean; again: boolean }) {
  const file = path.join(dir, `${name}.ndjson`)
  process.stderr.write(`generating ${file} (${spec.events.toLocaleString()} lines)…\n`)
  const cleanFile = path.join(dir, `${name}.clean.ndjson`)
  const facts: EventFileFacts = await writeEventFile(file, cleanFile, spec)
  const data = path.join(dir, 'data-billing')
  const run = (again: boolean): Row => {
    process.stderr.write(`billing ingest ${file}${again ? ' again, into the store it filled' : ''}…\n`)
    const billing = runBilling(file, data, again)
    return {
      file: again ? `${name}, again` : name,
      lines: facts.lines,
      mb: statSync(file).size / 1e6,
      billingSeconds: billing.seconds,
      billingRate: facts.lines / billing.seconds,
      rssMb: billing.summary.peak_rss_mb,
      stored: billing.summary.new_events,
      counted: Number(storedCount(data)),
      expected: facts.distinct,
      ...(again && { again: { alreadyStored: billing.summary.duplicates.already_stored } }),
    }
  }
  const rows = [run(false)]
  if (options.again) rows.push(run(true))
  if (options.engine) {
    process.stderr.write('engine alone on the same file…\n')
    const engineSeconds = runEngine(cleanFile, path.join(dir, 'data-engine'))
    for (const row of rows) Object.assign(row, { engineSeconds, ratio: engineSeconds / row.billingSeconds })
  }
  for (const f of [file, cleanFile, `${file}.rejects`]) rmSync(f, { force: true })
  return rows
}

const spec = { duplicateRate: 0.001, badRate: 0.0001 }
const rows: Row[] = [
  ...(await measure('realistic', { events, shape: 'realistic', ...spec }, { engine: true, again: true })),
  ...(await measure('small', { events, shape: 'small', ...spec }, { engine: true, again: false })),
]
if (!values['no-large']) {
  const large = { events: events * 4, shape: 'realistic' as const, ...spec }
  rows.push(...(await measure('realistic-4x', large, { engine: false, again: false })))
}
rmSync(path.join(dir, 'data-billing'), { recursive: true, force: true })
rmSync(path.join(dir, 'data-engine'), { recursive: true, force: true })

function storedRight(r: Row): boolean {
  if (r.again) return r.stored === 0 && r.again.alreadyStored === r.expected && r.counted === r.expected
  return r.stored === r.expected && r.counted === r.expected
}

const table = new Table({
  head: [
    'file',
    'lines',
    'MB',
    'billing s',
    'billing events/s',
    'engine file() s',
    'billing / engine',
    'peak RSS MB',
    'stored = distinct good',
  ],
  colAligns: [
    'left',
    'right',
    'right',
    'right',
    'right',
    'right',
    'right',
    'right',
    'right',
    'right',
    'left',
  ],
  style: { head: [], border: [], compact: true },
})
for (const r of rows) {
  table.push([
    r.file,
    r.lines.toLocaleString('en-US'),
    r.mb.toFixed(0),
    r.billingSeconds.toFixed(2),
    Math.round(r.billingRate).toLocaleString('en-US'),
    r.engineSeconds === undefined ? '-' : r.engineSeconds.toFixed(2),
    r.ratio === undefined ? '-' : `${r.ratio.toFixed(2)}x`,
    String(r.rssMb),
    storedRight(r)
      ? r.again
        ? `yes (0 new, ${r.again.alreadyStored.toLocaleString('en-US')} already stored)`
        : `yes (${r.stored.toLocaleString('en-US')})`
      : `NO: ${r.stored} new, ${r.counted} counted in the store, ${r.expected} expected`,
  ])
}
console.log(table.toString())
console.log(
  '"billing / engine": engine seconds over billing seconds for the same events; the engine reads the file ' +
    'without its bad lines (its JSON reader cannot step over a truncated object). 1.00x: as fast as the engine alone. ' +
    'Each billing run is a whole process: start-up, validation, storing, and counting new and already-stored events ' +
    "from the run's own keys; what the store holds is counted again afterwards (FINAL), outside its time. " +
    '", again": the same file into the store it just filled (a client that re-sends everything): every event is ' +
    'already stored, so settling looks at every copy; its ratio is to the same engine run on a fresh store.',
)
console.log(`reproduce: npm run bench:ingest -- --events ${events}${values['no-large'] ? ' --no-large' : ''}`)
if (!rows.every(storedRight)) process.exitCode = 1
