// npm run bench:ingest [-- --events N] [--no-large] [--dir DIR]
// Measures `billing ingest` against the engine's own limit on the same file, in one run, and checks
// that the store holds exactly the distinct good events. Prints a table and the command to repeat it.
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
}

/** `billing ingest` in its own process, on a fresh store, exactly as a user runs it. */
function runBilling(file: string, data: string) {
  rmSync(data, { recursive: true, force: true })
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
    summary: JSON.parse(r.stdout) as { new_events: number; peak_rss_mb: number; rejected: number },
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

async function measure(name: string, spec: EventFileSpec, withEngine: boolean): Promise<Row> {
  const file = path.join(dir, `${name}.ndjson`)
  process.stderr.write(`generating ${file} (${spec.events.toLocaleString()} lines)…\n`)
  const cleanFile = path.join(dir, `${name}.clean.ndjson`)
  const facts: EventFileFacts = await writeEventFile(file, cleanFile, spec)
  process.stderr.write(`billing ingest ${file}…\n`)
  const billing = runBilling(file, path.join(dir, 'data-billing'))
  const row: Row = {
    file: name,
    lines: facts.lines,
    mb: statSync(file).size / 1e6,
    billingSeconds: billing.seconds,
    billingRate: facts.lines / billing.seconds,
    rssMb: billing.summary.peak_rss_mb,
    stored: billing.summary.new_events,
    counted: Number(storedCount(path.join(dir, 'data-billing'))),
    expected: facts.distinct,
  }
  if (withEngine) {
    process.stderr.write('engine alone on the same file…\n')
    row.engineSeconds = runEngine(cleanFile, path.join(dir, 'data-engine'))
    row.ratio = row.engineSeconds / row.billingSeconds
  }
  for (const f of [file, cleanFile, `${file}.rejects`]) rmSync(f, { force: true })
  return row
}

const spec = { duplicateRate: 0.001, badRate: 0.0001 }
const rows: Row[] = [
  await measure('realistic', { events, shape: 'realistic', ...spec }, true),
  await measure('small', { events, shape: 'small', ...spec }, true),
]
if (!values['no-large'])
  rows.push(await measure('realistic-4x', { events: events * 4, shape: 'realistic', ...spec }, false))
rmSync(path.join(dir, 'data-billing'), { recursive: true, force: true })
rmSync(path.join(dir, 'data-engine'), { recursive: true, force: true })

function storedRight(r: Row): boolean {
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
      ? `yes (${r.stored.toLocaleString('en-US')})`
      : `NO: ${r.stored} new, ${r.counted} counted in the store, ${r.expected} expected`,
  ])
}
console.log(table.toString())
console.log(
  '"billing / engine": engine seconds over billing seconds for the same events; the engine reads the file ' +
    'without its bad lines (its JSON reader cannot step over a truncated object). 1.00x: as fast as the engine alone. ' +
    'Each billing run is a whole process: start-up, validation, storing, and counting new and already-stored events ' +
    "from the run's own keys; what the store holds is counted again afterwards (FINAL), outside its time.",
)
console.log(`reproduce: npm run bench:ingest -- --events ${events}${values['no-large'] ? ' --no-large' : ''}`)
if (!rows.every(storedRight)) process.exitCode = 1
