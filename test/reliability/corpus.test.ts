// A corpus of bad event lines (test/corpus/bad-events.ndjson, one case a line, what each line is in
// bad-events.expected.tsv) through the real `ingest()` on the embedded engine: every bad line is in
// the rejects file with its line number, field and reason; every good line around them is stored
// once, as written. Lines of 1 MB are made here rather than kept in the repository.
// Runs the compiled worker from dist/: build first (`npx tsc -p tsconfig.build.json`).
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { event, useEngine } from '../ingest/engine.js'

const CORPUS = path.join(import.meta.dirname, '../corpus/bad-events.ndjson')
const EXPECTED = path.join(import.meta.dirname, '../corpus/bad-events.expected.tsv')

interface Expectation {
  line: number
  /** 'good', 'blank', '-' for a rejection without a field, or the field. */
  field: string
  reason: string
  what: string
}

const expectations: Expectation[] = readFileSync(EXPECTED, 'utf8')
  .split('\n')
  .filter((l) => l !== '' && !l.startsWith('#'))
  .map((l) => {
    const [line, field, reason, what] = l.split('\t')
    return { line: Number(line), field: field!, reason: reason!, what: what! }
  })
const corpus = readFileSync(CORPUS)
const corpusLines = corpus.toString('latin1').split('\n')

/** The (customer, transaction_id) of a good line, read independently of the code under test. */
function idOf(lineNo: number): string {
  const text = Buffer.from(corpusLines[lineNo - 1]!, 'latin1')
    .toString('utf8')
    .replace(/^\uFEFF/, '')
  const e = JSON.parse(text) as Record<string, string>
  return `${e.customer ?? e.external_customer_id}/${e.transaction_id}`
}

const MAX = 64 << 10
/** A good event line of exactly `bytes` bytes, padded in a property. */
function eventOfSize(tx: string, bytes: number): string {
  const bare = event({ tx, customer: 'huge', properties: { pad: '' } })
  return event({ tx, customer: 'huge', properties: { pad: 'x'.repeat(bytes - bare.length) } })
}
const HUGE_LINES: [string, string | null][] = [
  [event({ tx: 'h1', customer: 'huge' }), null],
  [eventOfSize('h2', 1 << 20), `line is ${1 << 20} bytes, over the ${MAX}-byte limit`],
  [eventOfSize('h3', MAX), null],
  [eventOfSize('h4', MAX + 1), `line is ${MAX + 1} bytes, over the ${MAX}-byte limit`],
  [`${eventOfSize('h5', MAX)}\r`, null],
  ['x'.repeat(1 << 20), `line is ${1 << 20} bytes, over the ${MAX}-byte limit`],
  [event({ tx: 'h7', customer: 'huge' }), null],
]

const engine = useEngine()

describe('the corpus', () => {
  it('survived checkout byte for byte: a BOM first, CRLF line ends, invalid UTF-8, no final newline', () => {
    expect([...corpus.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    expect(corpus.includes('}\r\n')).toBe(true)
    expect(corpus.includes(Buffer.from([0xff]))).toBe(true)
    expect(corpus.at(-1)).toBe(0x7d)
  })

  it('says what every line is, in order', () => {
    expect(expectations.map((e) => e.line)).toEqual(corpusLines.map((_, i) => i + 1))
    for (const e of expectations) expect(e.what, `line ${e.line}`).not.toBe('')
  })
})

describe('bad lines go to the rejects file, good lines around them are stored once', () => {
  it('rejects exactly the bad lines, each with its line number, field and reason', async () => {
    const e = engine()
    const huge = e.file('huge.ndjson', HUGE_LINES.map(([l]) => l).join('\n') + '\n')
    const summary = await e.ingest([CORPUS, huge])

    const bad = expectations.filter((x) => x.field !== 'good' && x.field !== 'blank')
    const got = e.rejects()
    const corpusRejects = got.filter(([file]) => file === 'bad-events.ndjson')
    expect(corpusRejects.map(([, line]) => line)).toEqual(bad.map((x) => x.line))
    for (const [[, line, field, reason], x] of corpusRejects.map((r, i) => [r, bad[i]!] as const)) {
      expect({ line, field: field ?? '-' }, x.what).toEqual({ line: x.line, field: x.field })
      expect(reason, `line ${line}: ${x.what}`).toContain(x.reason)
    }
    const hugeBad = HUGE_LINES.flatMap(([, reason], i) =>
      reason ? [['huge.ndjson', i + 1, null, reason]] : [],
    )
    expect(got.filter(([file]) => file === 'huge.ndjson')).toEqual(hugeBad)

    const good = expectations.filter((x) => x.field === 'good')
    const blank = expectations.filter((x) => x.field === 'blank').length
    expect(summary).toMatchObject({
      lines: corpusLines.length + HUGE_LINES.length,
      blank,
      rejected: bad.length + hugeBad.length,
      accepted: good.length + HUGE_LINES.length - hugeBad.length,
    })

    // Stored: one row per distinct good (customer, transaction_id), before and after de-duplication
    // (the corpus repeats one event; its copies have the same key and only the newer is kept).
    const ids = new Set([
      ...good.map((x) => idOf(x.line)),
      ...HUGE_LINES.flatMap(([l, reason]) => (reason ? [] : [`huge/${JSON.parse(l).transaction_id}`])),
    ])
    const stored = await e.rows<{ id: string }>(
      `SELECT concat(customer, '/', transaction_id) AS id FROM ${e.db}.events FINAL ORDER BY id`,
    )
    expect(stored.map((r) => r.id)).toEqual([...ids].sort())
    expect(await e.count()).toBe(ids.size)
  })

  it('stores the good lines as they were written', async () => {
    const e = engine()
    await e.ingest([CORPUS])
    const rows = await e.rows<{
      customer: string
      tx: string
      ts: string
      properties: Record<string, string>
    }>(
      `SELECT customer, transaction_id AS tx, toString(timestamp) AS ts, properties
       FROM ${e.db}.events FINAL WHERE transaction_id LIKE 'good-%' ORDER BY tx`,
    )
    const byTx = new Map(rows.map((r) => [r.tx, r]))
    // Numbers keep their exact text, however large, small or odd.
    expect(byTx.get('good-30')!.properties).toEqual({
      big: '123456789012345678901234567890.000000000000000000001',
      tiny: '1e-400',
      neg: '-0.0',
      exp: '1E+2',
    })
    // The later copy of good-4 wins; strings are stored decoded, non-ASCII text intact.
    expect(byTx.get('good-4')!.properties).toEqual({ region: 'us' })
    expect(byTx.get('good-55')!.properties.note).toBe('quote " backslash \\ slash / newline \n é é 😀 😀')
    expect(byTx.get('good-53')!.properties).toEqual({})
    // An alias, escaped keys and unknown keys that look like columns change nothing.
    expect(byTx.get('good-48')).toMatchObject({ customer: 'globex', ts: '2026-10-05 12:00:00.500' })
    expect(byTx.get('good-49')).toMatchObject({ customer: 'acme', ts: '2026-10-05 12:00:00.000' })
    expect(byTx.get('good-50')).toMatchObject({ customer: 'acme', ts: '2026-10-05 12:00:00.000' })
    // Keys that differ from event keys in case only are unknown keys too: ignored, never read.
    expect(byTx.get('good-62')).toEqual({
      customer: 'acme',
      tx: 'good-62',
      ts: '2026-10-05 12:00:00.000',
      properties: {},
    })
    expect(byTx.get('good-57')!.ts).toBe('2026-10-05 10:00:00.123')
    const codes = await e.rows<{ code: string }>(`SELECT DISTINCT code FROM ${e.db}.events FINAL`)
    expect(codes).toEqual([{ code: 'api_call' }])
  })
})
