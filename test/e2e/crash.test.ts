// Nothing lost, nothing twice: an ingest killed at any moment (SIGKILL) or stopped with Ctrl-C, then
// run again, leaves exactly the events of the file, and the same invoices as one clean run.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, readdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = path.resolve(import.meta.dirname, '../..')
const bin = path.join(root, 'bin/run.js')
const LINES = 400_000
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
let tmp: string
let events: string

function billing(data: string, args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, BILLING_DATA: data, CLICKHOUSE_URL: '' },
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** When to stop: some time after the store was opened, or once this many chunks were stored. */
type When = { afterOpenMs: number } | { chunksStored: number }

/**
 * Starts an ingest and stops it with `signal`. Stored chunks are seen in the run's staging folder:
 * a chunk's staging file is deleted once the INSERT that read it has returned.
 */
async function interruptedIngest(data: string, signal: NodeJS.Signals, when: When) {
  // Small batches: many INSERTs in one run, so that a signal lands between two of them.
  const child = spawn(process.execPath, [bin, 'ingest', events, '--json', '--batch-mb', '2'], {
    cwd: root,
    env: { ...process.env, BILLING_DATA: data, CLICKHOUSE_URL: '' },
  })
  let stdout = ''
  child.stdout.on('data', (d) => (stdout += d))
  let exited = false
  const done = new Promise<number | null>((resolve) =>
    child.on('close', (code, sig) => {
      exited = true
      resolve(sig ? -1 : code)
    }),
  )
  if ('afterOpenMs' in when) {
    for (let i = 0; i < 400 && !existsSync(path.join(data, 'status')); i++) await sleep(10)
    await sleep(when.afterOpenMs)
  } else {
    const seen = new Set<string>()
    let stored = 0
    while (!exited && stored < when.chunksStored) {
      const dir = readdirSync(os.tmpdir()).find((n) => n.startsWith(`billing-staging-${child.pid}-`))
      const files = dir ? new Set(readdirSync(path.join(os.tmpdir(), dir))) : new Set<string>()
      for (const f of seen) if (!files.has(f)) (stored++, seen.delete(f))
      for (const f of files) seen.add(f)
      await sleep(5)
    }
  }
  child.kill(signal)
  return { code: await done, stdout }
}

function invoices(data: string) {
  const r = billing(data, ['invoice', '--all', '--period', '2026-10', '--json'])
  expect(r.code).toBe(0)
  return JSON.parse(r.stdout)
}

afterAll(() => rmSync(tmp, { recursive: true, force: true }))

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'billing-crash-'))
  events = path.join(tmp, 'events.ndjson')
  const codes = ['api_calls', 'seat_activity', 'storage']
  const customers = ['acme', 'globex', 'initech']
  const lines = Array.from({ length: LINES }, (_, i) => {
    const code = codes[i % 3]!
    const properties =
      code === 'api_calls'
        ? { tokens: i % 997, model: 'gpt-4o', region: i % 2 ? 'eu-west-1' : 'us-east-1' }
        : code === 'seat_activity'
          ? { user_id: `u${i % 41}` }
          : { gb: (i % 7) - 2 }
    const day = String(1 + (i % 31)).padStart(2, '0')
    // Every 1000th line repeats an earlier transaction: copies must never count twice.
    const tx = i % 1000 === 999 ? `tx${i - 501}` : `tx${i}`
    return JSON.stringify({
      transaction_id: tx,
      customer: customers[i % 3],
      code,
      timestamp: `2026-10-${day}T10:00:00Z`,
      properties,
    })
  })
  writeFileSync(events, `${lines.join('\n')}\n`)
})

describe('an interrupted ingest, run again', () => {
  it('gives the same events and invoices as a clean run, whenever it was SIGKILLed', async () => {
    const clean = path.join(tmp, 'clean')
    const first = billing(clean, ['ingest', events, '--json'])
    expect(first.code).toBe(0)
    const expected = invoices(clean)
    const distinct = JSON.parse(first.stdout).new_events
    expect(distinct).toBe(LINES - LINES / 1000)

    const stops: When[] = [{ afterOpenMs: 0 }, { chunksStored: 1 }, { chunksStored: 6 }]
    const partial: When[] = []
    for (const [i, when] of stops.entries()) {
      const data = path.join(tmp, `killed-${i}`)
      const killed = await interruptedIngest(data, 'SIGKILL', when)
      expect(killed.code).toBe(-1)
      const rerun = billing(data, ['ingest', events, '--json'])
      expect(rerun.code).toBe(0)
      const summary = JSON.parse(rerun.stdout)
      // Whatever the killed run stored is replaced, not added to.
      expect(summary.new_events + summary.duplicates.already_stored).toBe(distinct)
      expect(invoices(data)).toEqual(expected)
      if (summary.new_events > 0 && summary.duplicates.already_stored > 0) partial.push(when)
    }
    // The kills after stored chunks landed mid-run: some events were stored, not all.
    expect(partial).toEqual([{ chunksStored: 1 }, { chunksStored: 6 }])
  }, 240_000) // eight 400,000-line runs of the CLI: minutes on a busy machine

  it('reports what was stored when stopped with Ctrl-C, and a re-run finishes the job', async () => {
    const data = path.join(tmp, 'sigint')
    const stopped = await interruptedIngest(data, 'SIGINT', { chunksStored: 2 })
    expect(stopped.code).toBe(130)
    const partial = JSON.parse(stopped.stdout)
    expect(partial.interrupted).toBe(true)
    expect(partial.stored).toBeGreaterThan(0)
    expect(partial.stored).toBeLessThan(LINES)
    const rerun = JSON.parse(billing(data, ['ingest', events, '--json']).stdout)
    expect(rerun.interrupted).toBe(false)
    expect(rerun.duplicates.already_stored).toBe(partial.new_events)
    expect(rerun.new_events + partial.new_events).toBe(LINES - LINES / 1000)
  })
})
