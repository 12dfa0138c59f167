// A read-only ClickHouse user (readonly = 1: reading statements only, no setting changed) can
// invoice and list events through --url; only ingest writes, and it fails with the store's code.
// Two test servers on one data folder: one writable, one read-only.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startClickHouseHttp, type ClickHouseHttp } from '../support/clickhouse-http.js'

const root = path.resolve(import.meta.dirname, '../..')
const bin = path.join(root, 'bin/run.js')

let tmp: string
let writer: ClickHouseHttp
let reader: ClickHouseHttp

function billing(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env }
  for (const k of ['CLICKHOUSE_URL', 'BILLING_DATA', 'BILLING_DATABASE', 'BILLING_PLANS']) delete env[k]
  return new Promise((resolve) =>
    execFile(process.execPath, [bin, ...args], { cwd: root, env, maxBuffer: 16 << 20 }, (e, stdout, stderr) =>
      resolve({ code: e ? Number(e.code) : 0, stdout, stderr }),
    ),
  )
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'billing-readonly-'))
  const dataDir = path.join(tmp, 'server')
  writer = await startClickHouseHttp({ dataDir })
  reader = await startClickHouseHttp({ dataDir, readonly: true })
  const stored = await billing([
    'ingest',
    'plans/events.ndjson',
    '--url',
    writer.url,
    '--json',
    '--rejects',
    path.join(tmp, 'r.ndjson'),
  ])
  expect(stored.code).toBe(0)
})
afterAll(async () => {
  await reader?.close()
  await writer?.close()
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

describe('a read-only user', () => {
  it('invoices, with the same invoices as a user who may write, and sends no statement that writes', async () => {
    const args = ['invoice', '--all', '--period', '2026-10', '--json']
    const mine = await billing([...args, '--url', reader.url])
    expect(mine.stderr).toBe('')
    expect(mine.code).toBe(0)
    const theirs = await billing([...args, '--url', writer.url])
    expect(JSON.parse(mine.stdout)).toEqual(JSON.parse(theirs.stdout))
    expect(
      reader.requests.filter((r) => r.status === 200).every((r) => /^\s*(SELECT|WITH)\b/i.test(r.query)),
    ).toBe(true)
    const acme = await billing([
      'invoice',
      '--customer',
      'acme',
      '--period',
      '2026-10',
      '--json',
      '--url',
      reader.url,
    ])
    expect(JSON.parse(acme.stdout).total).toBe('336.12')
  })

  it('lists events', async () => {
    const r = await billing([
      'events',
      '--customer',
      'acme',
      '--period',
      '2026-10',
      '--limit',
      '3',
      '--json',
      '--url',
      reader.url,
    ])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).events).toHaveLength(3)
  })

  it('cannot ingest: the store refuses, and the command says so with the store failure code', async () => {
    const r = await billing([
      'ingest',
      'plans/events.ndjson',
      '--url',
      reader.url,
      '--rejects',
      path.join(tmp, 'r2.ndjson'),
    ])
    expect(r.code).toBe(4)
    expect(r.stderr).toMatch(/readonly mode/)
  })
})
