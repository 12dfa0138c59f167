import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { StoreCommand } from '../src/cli/command.js'
import { EXIT } from '../src/cli/exit-codes.js'
import { spinner as progressSpinner } from '../src/cli/spinner.js'
import { ingest, INGEST_DEFAULTS } from '../src/ingest/ingest.js'
import { ingestSummaryJson, ingestSummaryTable, rejectionLines } from '../src/render/ingest.js'

export default class Ingest extends StoreCommand {
  static override description =
    'Store usage events from NDJSON files (or - for stdin; .gz too). Bad lines go to a rejects file; the good ones around them are stored. An event whose (customer, transaction_id) is already stored replaces it and is never billed twice. Exit codes: 0 all stored, 1 some lines rejected, 2 bad flags or unreadable files, 3 data folder busy, 4 store failure, 6 other failure, 130 interrupted.'

  static override examples = [
    '<%= config.bin %> ingest plans/events.ndjson',
    'cat events.ndjson | <%= config.bin %> ingest -',
    '<%= config.bin %> ingest day1.ndjson.gz day2.ndjson.gz --rejects bad.ndjson --json',
  ]

  static override strict = false
  static override args = {
    files: Args.string({ description: 'NDJSON files, - for standard input', required: true }),
  }

  static override flags = {
    rejects: Flags.string({
      description: 'where rejected lines are written (NDJSON)',
      default: './billing-rejects.ndjson',
    }),
    workers: Flags.integer({
      description: 'validation worker threads (default: cores - 1, at most 2)',
      min: 1,
    }),
    'max-line-bytes': Flags.integer({
      description: 'longest accepted line',
      default: INGEST_DEFAULTS.maxLineBytes,
      min: 256,
    }),
    'batch-mb': Flags.integer({
      description: 'megabytes of validated events the store takes in one INSERT',
      default: INGEST_DEFAULTS.batchBytes >> 20,
      min: 1,
      max: 1024,
    }),
    json: Flags.boolean({ description: 'print the summary as one JSON object' }),
  }

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Ingest)
    const showProgress = process.stderr.isTTY === true && !flags.json
    const spinner = await progressSpinner(showProgress)
    this.defer(() => spinner.stop())
    const store = await this.openStore(flags, 'write')
    spinner.start('reading…')
    const summary = await ingest(store, {
      sources: argv as string[],
      rejectsPath: flags.rejects,
      batchBytes: flags['batch-mb'] << 20,
      workers: flags.workers,
      maxLineBytes: flags['max-line-bytes'],
      signal: this.interruptSignal(),
      // Formatting numbers for nobody would cost the first toLocaleString's set-up (~7 ms).
      onProgress: showProgress
        ? (p) => {
            spinner.text = `${p.source}: ${p.lines.toLocaleString()} lines, ${p.stored.toLocaleString()} stored, ${p.rejected.toLocaleString()} rejected`
          }
        : undefined,
    })
    spinner.stop()
    if (flags.json) this.log(JSON.stringify(ingestSummaryJson(summary)))
    else {
      this.log(ingestSummaryTable(summary))
      for (const line of rejectionLines(summary)) process.stderr.write(`${line}\n`)
    }
    if (summary.interrupted) process.exitCode = EXIT.interrupted
    else if (summary.rejected > 0) process.exitCode = EXIT.rejected
  }
}
