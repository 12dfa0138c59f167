// `billing loadtest --report`: the built CLI on the embedded engine writes the page after the run,
// when a threshold fails and when the run is interrupted too.
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'node-html-parser'
import { afterAll, describe, expect, it } from 'vitest'
import { removeTempDirs, tempDir } from '../support/events.js'

const root = path.resolve(import.meta.dirname, '../..')
const data = tempDir('loadtest-report-cli')
const out = tempDir('loadtest-report-out')
afterAll(() => removeTempDirs())

const env = { ...process.env, BILLING_DATA: data, CLICKHOUSE_URL: '', BILLING_DATABASE: 'billing' }
const cli = (args: string[]) => [path.join(root, 'bin/run.js'), 'loadtest', ...args]
const SMALL = ['--customers', '100', '--no-invoice', '--json']

function billing(args: string[]) {
  const r = spawnSync(process.execPath, cli(args), { cwd: root, encoding: 'utf8', env })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** The report's data and its table of seconds. */
function readReport(file: string) {
  const page = parse(readFileSync(file, 'utf8'))
  return {
    data: JSON.parse(page.querySelector('script#data')!.textContent),
    rows: page.querySelectorAll('#seconds tbody tr').length,
    verdict: page.querySelector('.verdict')!.textContent,
  }
}

describe('billing loadtest --report', () => {
  it('writes the page of the same run as --json, every second of it, also when a threshold fails', () => {
    const file = path.join(out, 'failed.html')
    const r = billing([
      '--rate',
      '2000',
      '--duration',
      '2s',
      ...SMALL,
      '--threshold',
      'p99<0ms',
      '--report',
      file,
    ])
    expect(r.code, r.stderr).toBe(99)
    const summary = JSON.parse(r.stdout)
    expect(summary.timeline.length).toBeGreaterThanOrEqual(2)
    const report = readReport(file)
    expect(report.data.summary).toEqual(summary)
    expect(report.rows).toBe(summary.timeline.length)
    expect(report.verdict).toMatch(/^FAILED/)
    expect(report.data.run.command).toBe(
      `billing loadtest --rate 2000 --duration 2s ${SMALL.join(' ')} --threshold p99<0ms --report ${file}`,
    )
  })

  it('writes what was measured when the run is interrupted, and says so (exit 130)', async () => {
    const file = path.join(out, 'interrupted.html')
    const child = spawn(
      process.execPath,
      cli(['--rate', '2000', '--duration', '60s', ...SMALL, '--report', file]),
      {
        cwd: root,
        env,
      },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => {
      stderr += chunk
      // Ctrl-C once, when the first events are stored (a second one would end the process at once).
      if (/stored [1-9]/.test(stderr) && !child.killed) child.kill('SIGINT')
    })
    const code = await new Promise((resolve) => child.on('close', resolve))
    expect(code, stderr).toBe(130)
    const summary = JSON.parse(stdout)
    expect(summary).toMatchObject({ interrupted: true, passed: false })
    const report = readReport(file)
    expect(report.data.summary).toEqual(summary)
    expect(report.rows).toBe(summary.timeline.length)
    expect(report.verdict).toMatch(/^INTERRUPTED The run was interrupted after/)
  })

  it('refuses, before running, a report it could not write (exit 2)', () => {
    const missing = path.join(out, 'no-such-folder', 'report.html')
    const r = billing(['--rate', '1000', '--duration', '1s', '--report', missing])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`--report ${missing}: there is no folder ${path.dirname(missing)}`)
    expect(r.stdout).toBe('')
  })
})
