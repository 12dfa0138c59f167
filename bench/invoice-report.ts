// The tables bench:invoice prints: each phase's (months stored) timings side by side, and the facts
// of the store and of ingesting 1M events into it.
import Table from 'cli-table3'

export interface PhaseResult {
  months: number
  customers: {
    name: string
    id: string
    /** The code of the plan that bills it. */
    plan: string
    events: number
    wall: number[]
    rssMb: number
    ours: number[]
    metered: number[]
    engine: number[]
  }[]
  all: { wall: number[]; rssMb: number; invoices: number; engine: number[] }
  /** The median customer's invoice with the plans folder read from its files (no catalog cache). */
  uncached: number[]
  /** `billing --version`: Node and oclif, no store, no plans. */
  floor: number[]
}

export const n = (x: number) => Math.round(x).toLocaleString('en-US')
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const ms = (s: number) => `${(s * 1000).toFixed(0)} ms`
const seconds = (x: number) => `${x.toFixed(2)} s`
const cell = (xs: number[], unit: (x: number) => string) =>
  `${unit(median(xs))} (max ${unit(Math.max(...xs))})`
/** Our median query time over the engine's, in ms and as a ratio. */
const ratio = (ours: number[], engine: number[]) =>
  `${ms(median(ours) / 1000)} / ${ms(median(engine) / 1000)} = ${(median(ours) / median(engine)).toFixed(2)}x`

/** One column per phase; `names` are the picked customers' roles, in the order of their results. */
export function phaseTable(results: PhaseResult[], names: readonly string[], period: string): string {
  const table = new Table({
    head: ['measure', ...results.map((r) => `${r.months} month(s) stored`)],
    style: { head: [], border: [], compact: true },
  })
  const full = results.at(-1)!
  const row = (label: string, each: (r: PhaseResult) => string) => table.push([label, ...results.map(each)])
  for (const [i, name] of names.entries()) {
    const c = (r: PhaseResult) => r.customers[i]!
    const picked = c(full)
    row(
      `invoice --customer, ${name} (${n(picked.events)} events in ${period}, plan ${picked.plan}), whole process`,
      (r) => cell(c(r).wall, seconds),
    )
    row(`  its plan's usage query / engine's FINAL aggregation of the same rows`, (r) =>
      ratio(c(r).ours, c(r).engine),
    )
    row(`  the same, every weighted_sum metered (the period's rows only, no carry-in) / engine`, (r) =>
      ratio(c(r).metered, c(r).engine),
    )
  }
  row(`invoice --customer, median, plans folder read from its files (no catalog cache)`, (r) =>
    cell(r.uncached, seconds),
  )
  row(`billing --version, whole process (the floor of Node and oclif)`, (r) => cell(r.floor, seconds))
  row(`invoice --all ${period} (${n(full.all.invoices)} invoices), whole process`, (r) =>
    cell(r.all.wall, seconds),
  )
  row(
    `  engine's FINAL aggregation of the month, all customers`,
    (r) =>
      `${ms(median(r.all.engine) / 1000)} (invoice --all ${(median(r.all.wall) / (median(r.all.engine) / 1000)).toFixed(2)}x)`,
  )
  row(
    `peak RSS: invoice --customer (largest) / --all`,
    (r) => `${n(r.customers[0]!.rssMb)} / ${n(r.all.rssMb)} MB`,
  )
  return table.toString()
}

export interface StoreFacts {
  disk: { rows: number; bytes: number; parts: number }
  months: number
  customers: number
  /** Events loaded by this run (0 when a kept store was reused) and the seconds it took. */
  load: { seconds: number; events: number }
  oneMillion: { empty: number; full: number; engine: number; rssMb: number }
}

export function factsTable(f: StoreFacts): string {
  const { disk, oneMillion } = f
  const facts = new Table({ style: { head: [], border: [], compact: true } })
  facts.push(
    [
      'events stored',
      `${n(disk.rows)} in ${disk.parts} parts (${f.months} months, ${n(f.customers)} customers, Zipf s = 1)`,
    ],
    ['bytes per event on disk', (disk.bytes / disk.rows).toFixed(1)],
    [
      'loading (generate, validate, store, settle, merge)',
      f.load.events ? `${n(f.load.events)} events in ${f.load.seconds.toFixed(0)} s` : 'reused',
    ],
    [
      'ingest 1M realistic events, whole process: empty store / full store',
      `${oneMillion.empty.toFixed(2)} s / ${oneMillion.full.toFixed(2)} s = ${(oneMillion.full / oneMillion.empty).toFixed(2)}x (peak RSS ${n(oneMillion.rssMb)} MB)`,
    ],
    [
      '  engine file() alone on the same 1M lines / billing into an empty store',
      `${oneMillion.engine.toFixed(2)} s / ${oneMillion.empty.toFixed(2)} s = ${(oneMillion.engine / oneMillion.empty).toFixed(2)}x`,
    ],
  )
  return facts.toString()
}
