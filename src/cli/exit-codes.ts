// The exit codes of every command, and which failure gets which: one table, so that a script can tell
// "some lines were rejected" from "nothing was stored" without reading messages.
import { DocumentError } from '../documents/output.js'
import { PlansInvalidError } from '../plans/problems.js'
import { RejectsFileError } from '../ingest/rejects.js'
import { SourceError } from '../ingest/sources.js'
import { InvoiceError } from '../invoices/invoice.js'
import { PeriodError } from '../invoices/period.js'
import { LoadtestDatabaseError } from '../loadtest/loadtest-store.js'
import { ScheduleError } from '../loadtest/schedule.js'
import { ThresholdError } from '../loadtest/thresholds.js'
import { ReportFileError } from '../render/report-file-error.js'
import { StoreBusyError } from '../store/embedded.js'
import { StoreError, StoreMissingError } from '../store/store.js'

export const EXIT = {
  ok: 0,
  /** ingest: some lines were rejected (the good ones around them are stored). */
  rejected: 1,
  /** Bad flags or arguments, a plans folder with problems, a file that cannot be read or written. */
  usage: 2,
  /** The embedded data folder is in use by another process (see --wait). */
  busy: 3,
  /** The store failed: a server that stays down, a statement that fails. */
  store: 4,
  /** No store where the flags point, or one at another schema version. */
  noStore: 5,
  /** Anything else: a disk that is full, a worker that crashed, a defect. */
  failed: 6,
  /** loadtest: a threshold failed, as k6 exits. */
  thresholds: 99,
  /** Interrupted (Ctrl-C): what was confirmed is reported. */
  interrupted: 130,
} as const

const BY_CLASS: [new (...args: never[]) => Error, number][] = [
  [StoreBusyError, EXIT.busy],
  [StoreMissingError, EXIT.noStore],
  [StoreError, EXIT.store],
  [PlansInvalidError, EXIT.usage],
  [SourceError, EXIT.usage],
  [RejectsFileError, EXIT.usage],
  [PeriodError, EXIT.usage],
  [InvoiceError, EXIT.usage],
  [DocumentError, EXIT.usage],
  [ScheduleError, EXIT.usage],
  [ThresholdError, EXIT.usage],
  [LoadtestDatabaseError, EXIT.usage],
  [ReportFileError, EXIT.usage],
]

/** The code for an error: its own class, or that of the first error in its `cause` chain that has one. */
export function exitCodeOf(error: unknown): number {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    const oclif = (e as { oclif?: { exit?: number } }).oclif?.exit
    if (oclif !== undefined) return oclif
    for (const [type, code] of BY_CLASS) if (e instanceof type) return code
  }
  return EXIT.failed
}
