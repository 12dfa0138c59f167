// Failures a script must be able to tell apart, and inputs that once broke the CLI: each with the
// exit code and message of its class (src/cli/exit-codes.ts), and nothing good lost around it.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { removeTempDirs, tempDir } from '../support/events.js'

const root = path.resolve(import.meta.dirname, '../..')
const bin = path.join(root, 'bin/run.js')
const tmp = tempDir('defects')
afterAll(removeTempDirs)

function billing(args: string[], options: { data?: string; input?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    input: options.input,
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      ...process.env,
      BILLING_DATA: options.data ?? path.join(tmp, 'data'),
      CLICKHOUSE_URL: '',
      ...options.env,
    },
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal }
}

const line = (tx: string, customer = 'acme') =>
  JSON.stringify({ transaction_id: tx, customer, code: 'api_calls', timestamp: '2026-10-05T12:00:00Z' })

describe('each class of failure has its own exit code', () => {
  it('1 some lines rejected (the rest stored), 2 a bad flag, a missing file or bad plans, 5 no store', () => {
    const data = path.join(tmp, 'codes')
    const file = path.join(tmp, 'mixed.ndjson')
    writeFileSync(file, `${line('a1')}\nnot json\n`)
    expect(billing(['ingest', file, '--rejects', path.join(tmp, 'codes.rejects')], { data }).code).toBe(1)
    expect(billing(['ingest', file, '--batch-mb', '0'], { data }).code).toBe(2)
    expect(billing(['ingest', path.join(tmp, 'nope.ndjson')], { data }).code).toBe(2)
    const badPlans = path.join(tmp, 'bad-plans')
    mkdirSync(badPlans, { recursive: true })
    writeFileSync(path.join(badPlans, 'p.yaml'), 'code: p\ncurrency: XAU\ninterval: monthly\n')
    const invoice = billing(['invoice', '--all', '--period', '2026-10', '--plans', badPlans], { data })
    expect(invoice.code).toBe(2)
    expect(invoice.stderr).toMatch(/XAU has no minor unit/)
    const none = billing(['invoice', '--customer', 'acme', '--period', '2026-10'], {
      data: path.join(tmp, 'never'),
    })
    expect(none.code).toBe(5)
    expect(none.stderr).toMatch(/no store: the data folder .*never does not exist/)
    expect(existsSync(path.join(tmp, 'never'))).toBe(false) // and it made none
  })

  it('130 when stopped with Ctrl-C while waiting for input, with what was stored reported', async () => {
    const data = path.join(tmp, 'sigint')
    const child = spawn(process.execPath, [bin, 'ingest', '-', '--json'], {
      cwd: root,
      env: { ...process.env, BILLING_DATA: data, CLICKHOUSE_URL: '' },
    })
    let stdout = ''
    child.stdout.on('data', (d) => (stdout += d))
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
    child.stdin.write(`${line('s1')}\n`) // stdin stays open: the ingest waits for more
    while (!existsSync(path.join(data, 'status'))) await new Promise((r) => setTimeout(r, 50))
    await new Promise((r) => setTimeout(r, 500))
    child.kill('SIGINT')
    expect(await exited).toBe(130)
    expect(JSON.parse(stdout)).toMatchObject({ interrupted: true, lines: 1, stored: 1 })
  })

  it('a gzip file that is not gzip fails at once, naming the file, with the usage code (no hang)', () => {
    const gz = path.join(tmp, 'broken.ndjson.gz')
    writeFileSync(gz, 'this is not gzip at all\n')
    const r = billing(['ingest', gz, '--rejects', path.join(tmp, 'gz.rejects')], {
      data: path.join(tmp, 'gz'),
    })
    expect(r.signal).toBeNull()
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/cannot read .*broken\.ndjson\.gz: incorrect header check/)
  })
})

describe('the rejects file', () => {
  it('/dev/stderr is written to, never removed', () => {
    const file = path.join(tmp, 'to-stderr.ndjson')
    writeFileSync(file, `${line('d1')}\nbroken\n`)
    const r = billing(['ingest', file, '--rejects', '/dev/stderr'], { data: path.join(tmp, 'dev') })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('"reason":"not valid JSON')
    expect(lstatSync('/dev/stderr').isSymbolicLink() || lstatSync('/dev/stderr').isCharacterDevice()).toBe(
      true,
    )
  })

  it('a path that cannot be written fails with a message and the usage code, before anything is stored', () => {
    const file = path.join(tmp, 'ok.ndjson')
    writeFileSync(file, `${line('w1')}\n`)
    const under = path.join(file, 'rejects.ndjson') // a folder that is a file
    const r = billing(['ingest', file, '--rejects', under], { data: path.join(tmp, 'unwritable') })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/cannot write the rejects file .*ok\.ndjson\/rejects\.ndjson/)
  })
})

describe('paths and names', () => {
  it('a temp folder with a space and a + in its name', () => {
    const odd = path.join(tmp, 'temp dir+1')
    mkdirSync(odd, { recursive: true })
    const file = path.join(tmp, 'tmpdir.ndjson')
    writeFileSync(file, `${line('t1')}\n${line('t2')}\n`)
    const r = billing(['ingest', file, '--json'], {
      data: path.join(tmp, 'tmpdir-data'),
      env: { TMPDIR: odd },
    })
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toMatchObject({ stored: 2, new_events: 2 })
  })

  it('invoice --all --out writes one file per customer, for ids that differ only in case or are 300 characters long', () => {
    const data = path.join(tmp, 'names')
    const long = `c${'x'.repeat(299)}`
    const ids = ['Acme', 'acme', long, 'ünï/../../etc']
    const plans = path.join(tmp, 'names-plans')
    mkdirSync(plans, { recursive: true })
    writeFileSync(
      path.join(plans, 'basic.yaml'),
      'code: basic\ncurrency: USD\ninterval: monthly\nfixed_fee: "1"\ncharges: []\n',
    )
    writeFileSync(
      path.join(plans, 'customers.yaml'),
      ids.map((id) => `${JSON.stringify(id)}: { plan: basic }`).join('\n') + '\n',
    )
    const file = path.join(tmp, 'names.ndjson')
    writeFileSync(file, ids.map((id, i) => line(`n${i}`, id)).join('\n') + '\n')
    expect(billing(['ingest', file], { data }).code).toBe(0)
    const out = path.join(tmp, 'names-out')
    const r = billing(['invoice', '--all', '--period', '2026-10', '--plans', plans, '--out', out], { data })
    expect(r.code).toBe(0)
    const files = readdirSync(out)
    expect(files).toHaveLength(4)
    expect(new Set(files.map((f) => f.toLowerCase())).size).toBe(4) // distinct on a case-insensitive disk
    expect(files.every((f) => Buffer.byteLength(f) <= 255 && !f.includes('/'))).toBe(true)
    const customers = files.map((f) => JSON.parse(readFileSync(path.join(out, f), 'utf8')).customer).sort()
    expect(customers).toEqual([...ids].sort())
  })
})

describe('--wait', () => {
  it('waits as long as it says, once: a busy folder is reported after --wait seconds, not twice that', async () => {
    const data = path.join(tmp, 'busy')
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { openStore } = await import(${JSON.stringify(path.join(root, 'dist/src/store/store.js'))})
         await openStore({ dataDir: ${JSON.stringify(data)}, database: 'billing', mode: 'write' })
         console.log('ready')
         process.stdin.once('data', () => process.exit(0))`,
      ],
      { cwd: root },
    )
    await new Promise<void>((resolve) => holder.stdout.on('data', () => resolve()))
    const started = performance.now()
    const r = billing(['ingest', '-', '--wait', '5'], { data, input: `${line('b1')}\n` })
    const seconds = (performance.now() - started) / 1000
    holder.stdin.write('go\n')
    expect(r.code).toBe(3)
    expect(seconds).toBeGreaterThanOrEqual(5)
    // Two deadlines one after the other made it 10 s and more.
    expect(seconds).toBeLessThan(9.5)
  }, 60_000)
})
