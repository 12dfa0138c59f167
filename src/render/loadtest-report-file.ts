// The HTML report as a file (--report): the code it inlines, read from the installed uplot package and
// from this package's assets/ folder, and the page written whole or not at all.
import {
  accessSync,
  constants,
  existsSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { LoadtestSummary } from '../loadtest/summary.js'
import { loadtestReport, type ReportAssets, type ReportRun } from './loadtest-report.js'
import { ReportFileError } from './report-file-error.js'

export { ReportFileError }

const require = createRequire(import.meta.url)

export function reportAssets(): ReportAssets {
  return {
    uplotJs: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    uplotCss: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    chartsJs: readFileSync(path.join(packageRoot(), 'assets', 'loadtest-report.js'), 'utf8'),
  }
}

/** The folder of this package's package.json: two levels up from src/render, three from dist/src/render. */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir)
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`)
    dir = up
  }
  return dir
}

/** Fails before the run, rather than after it, when the report could not be written where asked. */
export function checkReportFile(file: string): void {
  const dir = path.dirname(path.resolve(file))
  const problem = (why: string) => new ReportFileError(`--report ${file}: ${why}`)
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw problem(`there is no folder ${dir}`)
  if (existsSync(file) && !statSync(file).isFile()) throw problem('that is not a file')
  try {
    accessSync(existsSync(file) ? file : dir, constants.W_OK)
  } catch {
    throw problem(existsSync(file) ? 'the file cannot be written' : `the folder ${dir} cannot be written`)
  }
}

/** Writes the report of a run to `file`, through a temporary file beside it, so a failure leaves no half page. */
export function writeLoadtestReport(
  file: string,
  summary: LoadtestSummary,
  run: Omit<ReportRun, 'writtenAt'>,
): void {
  const html = loadtestReport(summary, { ...run, writtenAt: new Date() }, reportAssets())
  const temporary = `${file}.${process.pid}.tmp`
  try {
    writeFileSync(temporary, html)
    renameSync(temporary, file)
  } catch (e) {
    rmSync(temporary, { force: true })
    throw new ReportFileError(`could not write the report ${file}: ${(e as Error).message}`, { cause: e })
  }
}
