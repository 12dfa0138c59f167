import * as Flags from '@oclif/core/flags'
import type * as Interfaces from '@oclif/core/interfaces'
import { existsSync } from 'node:fs'
import { catalogFromFlag } from '../src/cli/catalog.js'
import { StoreCommand } from '../src/cli/command.js'
import { EXIT, exitCodeOf } from '../src/cli/exit-codes.js'
import { plansFlag } from '../src/cli/flags.js'
import { spinner as progressSpinner } from '../src/cli/spinner.js'
import { runLoadtest, LOADTEST_DEFAULTS } from '../src/loadtest/loadtest.js'
import type { LoadtestSummary } from '../src/loadtest/summary.js'
import { dropLoadtestDatabase, LoadtestDatabaseError } from '../src/loadtest/loadtest-store.js'
import { ArrivalSchedule, parseDuration, parseRamp, parseRate } from '../src/loadtest/schedule.js'
import { parseThreshold, THRESHOLD_METRICS, withDefaults } from '../src/loadtest/thresholds.js'
import { EVENT_CODES, parseCodes } from '../src/loadtest/traffic.js'
import { loadtestJson, loadtestTable, progressLine } from '../src/render/loadtest.js'
import { checkReportFile, writeLoadtestReport } from '../src/render/loadtest-report-file.js'

export default class Loadtest extends StoreCommand {
  static override description =
    "Push synthetic usage events through the ingest pipeline into the store at a fixed arrival rate (open model: events are due on schedule whether or not the store keeps up; past --max-backlog they are dropped and counted), then count every one back and time invoice --all over them. Exit codes: 0 every threshold held, 99 a threshold failed (as k6), 2 bad flags or a database that is not a load test's, 3 data folder busy, 4 store failure, 130 interrupted."

  static override examples = [
    '<%= config.bin %> loadtest --rate 200k --duration 30s',
    "<%= config.bin %> loadtest --ramp 500k:10s,500k:50s --threshold 'p99<2s' --json",
    '<%= config.bin %> loadtest --rate 1000 --duration 5s --out events.ndjson --keep',
    '<%= config.bin %> loadtest --rate 300k --duration 20s --report loadtest.html',
  ]

  static override flags = {
    rate: Flags.string({
      description: 'events per second (1000000, 250k, 1.5M)',
      exactlyOne: ['rate', 'ramp'],
    }),
    duration: Flags.string({ description: 'how long to send at --rate (60s, 2m, 1m30s)', default: '60s' }),
    ramp: Flags.string({
      description:
        'stages RATE:DURATION,..., each ramping linearly from the previous rate (the first from 0)',
    }),
    customers: Flags.integer({
      description: 'distinct customers (Zipf-distributed)',
      default: 10_000,
      min: 1,
    }),
    zipf: Flags.string({ description: 'Zipf exponent of the customer spread (0 = uniform)', default: '1' }),
    codes: Flags.string({
      description: `event codes to send (${EVENT_CODES.join(',')})`,
      default: EVENT_CODES.join(','),
    }),
    seed: Flags.integer({
      description: 'seed of the generator: the same seed sends the same events',
      default: 1,
    }),
    workers: Flags.integer({
      description: 'generation and validation worker threads (default: cores - 1, at most 2, as ingest)',
      min: 1,
    }),
    'batch-size': Flags.integer({
      description: 'most events one INSERT takes',
      default: LOADTEST_DEFAULTS.batchEvents,
      min: 1,
    }),
    linger: Flags.string({
      description: 'how long generated events may wait for their INSERT to fill',
      default: `${LOADTEST_DEFAULTS.lingerMs}ms`,
    }),
    inserts: Flags.integer({
      description:
        'INSERTs running at once (default: 1 on the embedded engine, which runs one query at a time; 2 on a server)',
      min: 1,
    }),
    'chunk-size': Flags.integer({
      description: 'most events one generation task makes',
      default: LOADTEST_DEFAULTS.chunkEvents,
      min: 1,
    }),
    'max-backlog': Flags.integer({
      description:
        'most events due and not yet stored; more are dropped and counted (default: 10 s of the peak rate, within a quarter of free memory and the staging space)',
      min: 1,
    }),
    threshold: Flags.string({
      description: `pass/fail rule, repeatable: ${Object.keys(THRESHOLD_METRICS).join(', ')} (defaults: rate>=0.99, lost==0, duplicates==0, dropped==0)`,
      multiple: true,
    }),
    database: Flags.string({
      description: 'database of the load test, never one with billing data; dropped at the end unless --keep',
      default: 'billing_loadtest',
    }),
    keep: Flags.boolean({ description: 'keep the load-test database afterwards' }),
    plans: plansFlag,
    invoice: Flags.boolean({
      description: 'time invoice --all over the events',
      default: true,
      allowNo: true,
    }),
    out: Flags.string({ description: 'also write the events as ingest lines (NDJSON) to this file' }),
    'staging-dir': Flags.string({
      description:
        'folder for staging files (default: shared memory, /dev/shm, up to a quarter of RAM; then the temp folder)',
    }),
    json: Flags.boolean({ description: 'print the summary as one JSON object' }),
    report: Flags.string({
      description:
        'also write the run as one self-contained HTML page: charts of every second, the summary, the thresholds (written when a threshold fails or the run is interrupted too)',
    }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Loadtest)
    const plan = this.planOf(flags)
    if (flags.report) checkReportFile(flags.report)
    let catalog
    if (flags.invoice && existsSync(flags.plans)) catalog = await catalogFromFlag(flags.plans, this)
    else if (flags.invoice)
      process.stderr.write(`no plans folder ${flags.plans}: invoice --all is not timed\n`)

    const tty = process.stderr.isTTY === true
    const spinner = await progressSpinner(tty, { isEnabled: tty })
    this.defer(() => spinner.stop())
    const store = await this.openStore(flags, 'write')
    // A database that is not a load test's is never dropped (the check refuses it again there).
    if (!flags.keep) {
      this.defer(() =>
        dropLoadtestDatabase(store).catch((e: Error) => {
          if (!(e instanceof LoadtestDatabaseError))
            process.stderr.write(`could not drop the database ${store.database}: ${e.message}\n`)
        }),
      )
    }
    if (tty) spinner.start('starting…')
    const summary = await runLoadtest(store, {
      ...plan,
      workers: flags.workers,
      batchEvents: flags['batch-size'],
      inserts: flags.inserts,
      stagingDir: flags['staging-dir'],
      chunkEvents: flags['chunk-size'],
      maxBacklog: flags['max-backlog'],
      catalog,
      outFile: flags.out,
      signal: this.interruptSignal(),
      onProgress: (p) => {
        if (tty) spinner.text = progressLine(p)
        else process.stderr.write(`${progressLine(p)}\n`)
      },
    })
    spinner.stop()
    this.log(flags.json ? JSON.stringify(loadtestJson(summary)) : loadtestTable(summary))
    if (summary.interrupted) process.exitCode = EXIT.interrupted
    else if (!summary.passed) process.exitCode = EXIT.thresholds
    if (flags.report) this.report(flags.report, summary, plan)
  }

  /** After the summary is printed, so that a report that cannot be written loses none of the run's figures. */
  private report(file: string, summary: LoadtestSummary, plan: ReturnType<Loadtest['planOf']>): void {
    try {
      writeLoadtestReport(file, summary, {
        argv: this.argv,
        traffic: plan.traffic,
        startRate: plan.schedule.startRate,
      })
    } catch (e) {
      process.stderr.write(`Error: ${(e as Error).message}\n`)
      process.exitCode = exitCodeOf(e)
    }
  }

  /** The schedule, traffic, thresholds and linger the flags describe; a bad one is a usage error. */
  private planOf(flags: Interfaces.InferredFlags<(typeof Loadtest)['flags']>) {
    try {
      const zipf = Number(flags.zipf)
      if (!Number.isFinite(zipf) || zipf < 0) throw new Error(`--zipf ${flags.zipf}: expected a number >= 0`)
      return {
        schedule: flags.ramp
          ? new ArrivalSchedule(parseRamp(flags.ramp))
          : ArrivalSchedule.constant(
              parseRate(flags.rate!, '--rate'),
              parseDuration(flags.duration, '--duration'),
            ),
        traffic: { customers: flags.customers, zipf, codes: parseCodes(flags.codes), seed: flags.seed },
        thresholds: withDefaults((flags.threshold ?? []).map(parseThreshold)),
        lingerMs: parseDuration(flags.linger, '--linger'),
      }
    } catch (e) {
      return this.error((e as Error).message, { exit: EXIT.usage })
    }
  }
}
