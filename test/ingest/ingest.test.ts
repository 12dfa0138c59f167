import { mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { activeParts, ingestPause, MAX_PAUSED_PARTS } from '../../src/store/merges.js'
import { event, lines, useEngine, type Engine } from './engine.js'

const engine = useEngine()

/** An OPTIMIZE of the events table: 'merged', or the engine's message when it refused. */
const optimize = (e: Engine) =>
  e.store.command(`OPTIMIZE TABLE ${e.db}.events`).then(
    () => 'merged',
    (err: Error) => err.message,
  )

/** One event written by a plain INSERT: one new part. */
const insertOnePart = (e: Engine, tx: string) =>
  e.store.command(
    `INSERT INTO ${e.db}.events (customer, tx_key, transaction_id, code, timestamp, version)
SELECT 'c', reinterpretAsUUID(sipHash128({tx:String})), {tx:String}, 'api', toDateTime64('2026-10-05 12:00:00', 3, 'UTC'), 1`,
    { params: { tx } },
  )

const BAD_JSON = 'not valid JSON: expected an object starting with {'

describe('ingest counts lines and stores the good ones', () => {
  it('stores the good lines around bad ones and writes every bad one to the rejects file', async () => {
    const e = engine()
    const long = event({ tx: 'long', properties: { pad: 'p'.repeat(600) } })
    const f = e.file(
      'mixed.ndjson',
      Buffer.concat([
        Buffer.from(lines(event({ tx: 't1' }), '', event({ tx: 't2' }) + '\r')),
        Buffer.from(lines('{"transaction_id":"t3","customer":"acme","code":"api_call"}', 'oops')),
        Buffer.from(lines(event({ tx: 't4', properties: { ok: 1 } }).replace('{"ok":1}', '{"a":{"b":1}}'))),
        Buffer.from('{"transaction_id":"t\xff"}\n', 'latin1'),
        Buffer.from(lines(long)),
        Buffer.from(
          lines(event({ tx: 't5', timestamp: '2025-02-29T00:00:00Z' }), event({ tx: 't6' }), '   '),
        ),
        Buffer.from(event({ tx: 't7' })),
      ]),
    )
    const summary = await e.ingest([f], { maxLineBytes: 512 })
    expect(summary).toMatchObject({
      sources: [f],
      lines: 12,
      blank: 2,
      accepted: 4,
      rejected: 6,
      duplicatesInInput: 0,
      alreadyStored: 0,
      newEvents: 4,
      rejectsPath: e.rejectsPath,
      interrupted: false,
    })
    expect(e.rejects()).toEqual([
      ['mixed.ndjson', 4, 'timestamp', 'missing (required)'],
      ['mixed.ndjson', 5, null, BAD_JSON],
      ['mixed.ndjson', 6, 'properties.a', 'expected a string, number or boolean, got an object'],
      ['mixed.ndjson', 7, null, 'not valid UTF-8'],
      ['mixed.ndjson', 8, null, `line is ${long.length} bytes, over the 512-byte limit`],
      ['mixed.ndjson', 9, 'timestamp', 'day 29 is out of range in "2025-02-29T00:00:00Z"'],
    ])
    expect(summary.firstRejects.map((r) => r.line)).toEqual([4, 5, 6, 7, 8, 9])
    const stored = await e.rows<{ transaction_id: string }>(
      `SELECT transaction_id FROM ${e.db}.events FINAL ORDER BY transaction_id`,
    )
    expect(stored.map((r) => r.transaction_id)).toEqual(['t1', 't2', 't6', 't7'])
  })

  it('reads a large file in several chunks and batches, keeping line numbers and the last copy', async () => {
    const e = engine()
    const N = 24_000
    const text: string[] = []
    const last = new Map<string, number>()
    for (let n = 1; n <= N; n++) {
      if (n % 5000 === 0) {
        text.push('{"transaction_id":')
        continue
      }
      const tx = `t${(n - 1) % 20_000}`
      last.set(tx, n)
      text.push(event({ tx, properties: { x: n, pad: 'abcdefghij' } }))
    }
    const progress: number[] = []
    const summary = await e.ingest([e.file('big.ndjson', lines(...text))], {
      onProgress: (p) => progress.push(p.lines),
    })
    expect(progress.length).toBeGreaterThanOrEqual(3)
    expect(progress.at(-1)).toBe(N)
    expect(summary).toMatchObject({
      lines: N,
      blank: 0,
      accepted: N - 4,
      rejected: 4,
      duplicatesInInput: N - 4 - last.size,
      alreadyStored: 0,
      newEvents: last.size,
    })
    expect(last.size).toBe(19_996)
    expect(e.rejects().map((r) => r[1])).toEqual([5000, 10000, 15000, 20000])
    expect(await e.count()).toBe(19_996)
    const [sums] = await e.rows<{ s: string; early: string }>(
      `SELECT toString(sum(toUInt64(properties['x']))) AS s,
              toString(countIf(toUInt64(properties['x']) <= 20000 AND toUInt64(substring(transaction_id, 2)) < 4000)) AS early
       FROM ${e.db}.events FINAL`,
    )
    expect(sums).toEqual({ s: String([...last.values()].reduce((a, b) => a + b, 0)), early: '0' })
  })

  it('pauses the merges of the events table while it writes, and lets them run again after', async () => {
    const e = engine()
    const text = Array.from({ length: 3000 }, (_, n) =>
      event({ tx: `m${n}`, properties: { pad: 'abcdefghij' } }),
    )
    // A merge asked for in the middle of the run is refused; one asked for after it runs.
    const during: Promise<string>[] = []
    const summary = await e.ingest([e.file('merges.ndjson', lines(...text))], {
      onProgress: () => {
        if (during.length === 0) during.push(optimize(e))
      },
    })
    expect(summary.newEvents).toBe(3000)
    expect(await during[0]).toMatch(/[Cc]ancelled merging parts/)
    await e.store.command(`OPTIMIZE TABLE ${e.db}.events FINAL`)
    expect(await activeParts(e.store)).toBe(1)
    expect(await e.count()).toBe(3000)
  })

  it(`pauses merges only for runs that leave under ${MAX_PAUSED_PARTS} parts, and lets them run at that many`, async () => {
    const e = engine()
    const insertPart = (tx: string) => insertOnePart(e, tx)
    // Two parts left by earlier runs (merges stopped, so that they stay two).
    await e.store.command(`SYSTEM STOP MERGES ${e.db}.events`)
    await insertPart('a')
    await insertPart('b')
    expect((await ingestPause(e.store, MAX_PAUSED_PARTS - 2)).paused).toBe(false) // 2 + 38 parts
    expect((await ingestPause(e.store, null)).paused).toBe(false) // size unknown (stdin, gzip)
    const pause = await ingestPause(e.store, MAX_PAUSED_PARTS - 3)
    expect(pause.paused).toBe(true)
    // Parts counted in the table after each INSERT, not INSERTs: a large INSERT makes several.
    for (let parts = 2; parts < MAX_PAUSED_PARTS - 1; parts++) {
      await insertPart(`n${parts}`)
      await pause.inserted()
    }
    await pause.inserted() // no new part: still below the limit
    expect(pause.paused).toBe(true)
    expect(pause.heldThroughout).toBe(true)
    expect(await optimize(e)).toMatch(/[Cc]ancelled merging parts/)
    await insertPart('last')
    await pause.inserted()
    expect(pause.paused).toBe(false)
    expect(pause.heldThroughout).toBe(false) // what a load test's summary reports
    expect(await optimize(e)).toBe('merged')
  })

  it(`does not pause merges when the table already has ${MAX_PAUSED_PARTS} parts`, async () => {
    const e = engine()
    await e.store.command(`SYSTEM STOP MERGES ${e.db}.events`)
    for (let i = 0; i < MAX_PAUSED_PARTS; i++) await insertOnePart(e, `p${i}`)
    const pause = await ingestPause(e.store, 0)
    expect(pause.paused).toBe(false)
    await e.store.command(`SYSTEM START MERGES ${e.db}.events`)
  })

  it('skips an over-long line that spans two reads, numbering the lines after it right', async () => {
    const e = engine()
    // About 0.9 MB of events, then a 200 KB line across the 1 MiB read boundary, then more events.
    const head = Array.from({ length: 8000 }, (_, i) => event({ tx: `h${i}`, properties: { x: 'head' } }))
    const huge = `{"blob":"${'x'.repeat(200_000 - 11)}"}`
    const tail = [event({ tx: 'tail' }), '', event({ tx: 'h0', properties: { x: 'tail' } })]
    const f = e.file('huge.ndjson', lines(...head, huge, ...tail, 'bad'))
    expect(Buffer.byteLength(lines(...head))).toBeLessThan(1 << 20)
    expect(Buffer.byteLength(lines(...head, huge))).toBeGreaterThan(1 << 20)

    const summary = await e.ingest([f])
    expect(summary).toMatchObject({ lines: 8005, blank: 1, accepted: 8002, rejected: 2, newEvents: 8001 })
    expect(e.rejects()).toEqual([
      ['huge.ndjson', 8001, null, 'line is 200000 bytes, over the 65536-byte limit'],
      ['huge.ndjson', 8005, null, BAD_JSON],
    ])
    const rows = await e.rows(
      `SELECT transaction_id, properties['x'] AS x FROM ${e.db}.events FINAL WHERE transaction_id IN ('h0', 'h1') ORDER BY 1`,
    )
    expect(rows).toEqual([
      { transaction_id: 'h0', x: 'tail' },
      { transaction_id: 'h1', x: 'head' },
    ])
  })

  it('skips a line longer than a read as it streams by, after the rejections of the lines before it', async () => {
    const e = engine()
    // The bad line before the long one is in a chunk still with a worker when the long line is
    // skipped (it never reaches a worker): its rejection still comes first in the rejects file.
    const head = Array.from({ length: 2000 }, (_, i) => event({ tx: `h${i}` }))
    const long = `{"blob":"${'x'.repeat(3_000_000)}"}`
    const f = e.file('long.ndjson', lines(...head, 'oops', long, 'bad', event({ tx: 'tail' })))
    const summary = await e.ingest([f])
    expect(summary).toMatchObject({ lines: 2004, accepted: 2001, rejected: 3, newEvents: 2001 })
    expect(e.rejects()).toEqual([
      ['long.ndjson', 2001, null, BAD_JSON],
      ['long.ndjson', 2002, null, 'line is 3000011 bytes, over the 65536-byte limit'],
      ['long.ndjson', 2003, null, BAD_JSON],
    ])
  })

  it('keeps the first rejections for the summary, at most keepRejects, and writes every one', async () => {
    const e = engine()
    const bad = Array.from({ length: 12 }, (_, i) => `bad ${i}`)
    const f = e.file('bad.ndjson', lines(event({ tx: 'a' }), ...bad))
    const summary = await e.ingest([f], { keepRejects: 10 })
    expect(summary.rejected).toBe(12)
    expect(summary.firstRejects.map((r) => r.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
    expect(e.rejects()).toHaveLength(12)
  })

  it('Ctrl-C in the middle of the last file is an interrupted run: what was read is stored', async () => {
    const e = engine()
    const stop = new AbortController()
    const events = Array.from({ length: 3000 }, (_, i) => event({ tx: `s${i}` }))
    const f = e.file('stopped.ndjson', lines(...events))
    const summary = await e.ingest([f], { signal: stop.signal, onProgress: () => stop.abort() })
    expect(summary.interrupted).toBe(true)
    expect(summary.lines).toBeGreaterThan(0)
    expect(summary.lines).toBeLessThan(3000)
    expect(await e.count()).toBe(summary.accepted)
    const [run] = await e.rows<{ status: string }>(`SELECT status FROM ${e.db}.ingest_runs FINAL`)
    expect(run).toEqual({ status: 'interrupted' })
  })

  it('counts an empty file and a file of blank lines, storing nothing and writing no rejects file', async () => {
    const e = engine()
    const summary = await e.ingest([e.file('empty.ndjson', ''), e.file('blank.ndjson', '\n  \r\n\t\n')])
    expect(summary).toMatchObject({
      lines: 3,
      blank: 3,
      accepted: 0,
      rejected: 0,
      newEvents: 0,
      rejectsPath: null,
    })
    expect(e.rejects()).toEqual([])
    expect(await e.count()).toBe(0)
  })

  it('reads a gzip file (by its .gz name), with a BOM and CRLF line ends', async () => {
    const e = engine()
    const body = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(
        [event({ tx: 'g1' }), event({ tx: 'g2' }), '', 'bad', event({ tx: 'g3' })].join('\r\n') + '\r\n',
      ),
    ])
    const f = e.file('events.ndjson.gz', gzipSync(body))
    const summary = await e.ingest([f], { workers: 1 })
    expect(summary).toMatchObject({ lines: 5, blank: 1, accepted: 3, rejected: 1, newEvents: 3 })
    expect(e.rejects()).toEqual([['events.ndjson.gz', 4, null, BAD_JSON]])
    expect(await e.count()).toBe(3)
  })
})

describe('one stored event per (customer, transaction_id); the copy ingested last wins', () => {
  const x = async (e: ReturnType<typeof engine>, customer: string, tx: string) => {
    const rs = await e.rows<{ x: string }>(
      `SELECT properties['x'] AS x FROM ${e.db}.events FINAL WHERE customer = {c:String} AND transaction_id = {t:String}`,
      { c: customer, t: tx },
    )
    return rs.map((r) => r.x)
  }

  it('within a file: the later line wins; the customer is part of the key, and its alias is the same customer', async () => {
    const e = engine()
    const f = e.file(
      'dups.ndjson',
      lines(
        event({ tx: 'a', properties: { x: 1 } }),
        event({ tx: 'b', properties: { x: 1 } }),
        event({ tx: 'a', properties: { x: 2 } }),
        event({ tx: 'a', customer: 'other', properties: { x: 9 } }),
        '{"transaction_id":"b","external_customer_id":"acme","code":"api_call","timestamp":1,"properties":{"x":2}}',
        '{"transaction_id":"\\u0061","customer":"\\u0061cme","code":"api_call","timestamp":1,"properties":{"x":3}}',
      ),
    )
    const summary = await e.ingest([f])
    expect(summary).toMatchObject({
      lines: 6,
      accepted: 6,
      duplicatesInInput: 3,
      alreadyStored: 0,
      newEvents: 3,
    })
    expect(await e.count()).toBe(3)
    expect(await x(e, 'acme', 'a')).toEqual(['3'])
    expect(await x(e, 'acme', 'b')).toEqual(['2'])
    expect(await x(e, 'other', 'a')).toEqual(['9'])
  })

  it.each([
    ['first.ndjson then second.ndjson', ['first', 'second'], '2'],
    ['second.ndjson then first.ndjson', ['second', 'first'], '1'],
  ])('across two files of one run, the later file wins (%s)', async (_, order, expected) => {
    const e = engine()
    // The first file's copy sits on a later line than the second's, so only the file order can decide.
    const padding = Array.from({ length: 50 }, (_, i) => event({ tx: `pad${i}` }))
    const files: Record<string, string> = {
      first: e.file('first.ndjson', lines(...padding, event({ tx: 'a', properties: { x: 1 } }))),
      second: e.file('second.ndjson', lines(event({ tx: 'a', properties: { x: 2 } }))),
    }
    const summary = await e.ingest(order.map((o) => files[o]!))
    expect(summary).toMatchObject({ lines: 52, accepted: 52, duplicatesInInput: 1, newEvents: 51 })
    expect(await e.count()).toBe(51)
    expect(await x(e, 'acme', 'a')).toEqual([expected])
  })

  it('across runs: the same file again stores nothing new; a changed file updates in place', async () => {
    const e = engine()
    const ten = Array.from({ length: 10 }, (_, i) => event({ tx: `r${i}`, properties: { x: i } }))
    const f = e.file('run.ndjson', lines(...ten, 'bad'))
    const first = await e.ingest([f], { workers: 1 })
    expect(first).toMatchObject({
      lines: 11,
      accepted: 10,
      rejected: 1,
      alreadyStored: 0,
      newEvents: 10,
    })
    expect(e.rejects()).toEqual([['run.ndjson', 11, null, BAD_JSON]])

    const again = await e.ingest([f], { workers: 1 })
    expect(again).toMatchObject({
      lines: 11,
      accepted: 10,
      rejected: 1,
      duplicatesInInput: 0,
      alreadyStored: 10,
      newEvents: 0,
    })
    expect(await e.count()).toBe(10)

    const changed = e.file(
      'changed.ndjson',
      lines(event({ tx: 'r3', properties: { x: 'new' } }), event({ tx: 'n1' }), event({ tx: 'n2' })),
    )
    const third = await e.ingest([changed], { workers: 1 })
    expect(third).toMatchObject({
      lines: 3,
      accepted: 3,
      rejected: 0,
      alreadyStored: 1,
      newEvents: 2,
      rejectsPath: null,
    })
    expect(e.rejects()).toEqual([]) // the old rejects file described another input
    expect(await e.count()).toBe(12)
    expect(await x(e, 'acme', 'r3')).toEqual(['new'])
    expect(await x(e, 'acme', 'r4')).toEqual(['4'])

    // Each run its own record, ids in the order the runs started, versions above the run before.
    expect(first.run < again.run && again.run < third.run).toBe(true)
    const runs = await e.rows(
      `SELECT toString(run_id) AS run_id, status, toString(lines) AS lines, toString(accepted) AS accepted,
              toString(rejected) AS rejected, started_at < finished_at AS started_first,
              first_version > 0 AND first_version <= last_version AS has_versions
       FROM ${e.db}.ingest_runs FINAL ORDER BY run_id`,
    )
    const done = { status: 'finished', started_first: 1, has_versions: 1 }
    expect(runs).toEqual([
      { run_id: String(first.run), ...done, lines: '11', accepted: '10', rejected: '1' },
      { run_id: String(again.run), ...done, lines: '11', accepted: '10', rejected: '1' },
      { run_id: String(third.run), ...done, lines: '3', accepted: '3', rejected: '0' },
    ])
    const [order] = await e.rows<{ ok: number }>(
      `SELECT arrayAll(i -> v[i].1 > v[i - 1].2, range(2, length(v) + 1)) AS ok
       FROM (SELECT arraySort(groupArray((first_version, last_version))) AS v FROM ${e.db}.ingest_runs FINAL)`,
    )
    expect(order!.ok).toBe(1)
  })
})

describe('a copy that moves the event to another month or code', () => {
  /** Each month (or the whole table) read as an invoice reads it: its partition alone, with FINAL. */
  const perMonth = (e: Engine) =>
    e.rows<{ month: number; code: string; tx: string; x: string }>(
      `SELECT toYYYYMM(timestamp) AS month, code, transaction_id AS tx, properties['x'] AS x
       FROM ${e.db}.events FINAL ORDER BY month, tx
       SETTINGS do_not_merge_across_partitions_select_final = 1`,
    )
  const oct = '2026-10-05T12:00:00Z'
  const nov = '2026-11-05T12:00:00Z'

  it('counts it once, in its new month, whichever month a query reads; the summary says it moved', async () => {
    const e = engine()
    await e.ingest([e.file('a.ndjson', lines(event({ tx: 'm1', timestamp: oct, properties: { x: 1 } })))])
    const moved = await e.ingest([
      e.file('b.ndjson', lines(event({ tx: 'm1', timestamp: nov, properties: { x: 2 } }))),
    ])
    expect(moved).toMatchObject({ accepted: 1, alreadyStored: 1, newEvents: 0, moved: 1 })
    expect(await perMonth(e)).toEqual([{ month: 202611, code: 'api_call', tx: 'm1', x: '2' }])
    // Back again: November's copy is retired in turn, October's newest copy counts.
    const back = await e.ingest([
      e.file('c.ndjson', lines(event({ tx: 'm1', timestamp: oct, properties: { x: 3 } }))),
    ])
    expect(back).toMatchObject({ alreadyStored: 1, newEvents: 0, moved: 1 })
    expect(await perMonth(e)).toEqual([{ month: 202610, code: 'api_call', tx: 'm1', x: '3' }])
    expect(await e.count()).toBe(1)
  })

  it('retires the older copy when the code changes, and when both copies are in one run', async () => {
    const e = engine()
    const f = e.file(
      'one-run.ndjson',
      lines(
        event({ tx: 'c1', code: 'api_call', properties: { x: 1 } }),
        event({ tx: 'c1', code: 'storage', properties: { x: 2 } }), // same month, another code
        event({ tx: 'c2', timestamp: oct, properties: { x: 1 } }),
        event({ tx: 'c2', timestamp: nov, properties: { x: 2 } }), // same run, another month
        event({ tx: 'c3', properties: { x: 1 } }),
        event({ tx: 'c3', properties: { x: 2 } }), // same place: replaced in place, nothing to retire
      ),
    )
    const summary = await e.ingest([f], { workers: 1 })
    expect(summary).toMatchObject({ accepted: 6, duplicatesInInput: 3, newEvents: 3, moved: 2 })
    expect(await perMonth(e)).toEqual([
      { month: 202610, code: 'storage', tx: 'c1', x: '2' },
      { month: 202610, code: 'api_call', tx: 'c3', x: '2' },
      { month: 202611, code: 'api_call', tx: 'c2', x: '2' },
    ])
  })

  it('keeps other customers and other ids out of it: only the same (customer, transaction id) moves', async () => {
    const e = engine()
    await e.ingest([
      e.file(
        'a.ndjson',
        lines(
          event({ tx: 's1', customer: 'acme', timestamp: oct }),
          event({ tx: 's1', customer: 'globex', timestamp: oct }),
          event({ tx: '6f9619ff-8b86-4d01-b42d-00cf4fc964ff', timestamp: oct }),
        ),
      ),
    ])
    const summary = await e.ingest([
      e.file(
        'b.ndjson',
        lines(
          event({ tx: 's1', customer: 'acme', timestamp: nov }),
          event({ tx: '6F9619FF-8B86-4D01-B42D-00CF4FC964FF', timestamp: nov }), // another id (case)
        ),
      ),
    ])
    expect(summary).toMatchObject({ alreadyStored: 1, newEvents: 1, moved: 1 })
    const rows = await e.rows<{ c: string; tx: string; month: number }>(
      `SELECT customer AS c, if(transaction_id = '', toString(tx_key), transaction_id) AS tx, toYYYYMM(timestamp) AS month
       FROM ${e.db}.events FINAL ORDER BY c, tx, month SETTINGS do_not_merge_across_partitions_select_final = 1`,
    )
    expect(rows).toEqual([
      { c: 'acme', tx: '6F9619FF-8B86-4D01-B42D-00CF4FC964FF', month: 202611 },
      { c: 'acme', tx: '6f9619ff-8b86-4d01-b42d-00cf4fc964ff', month: 202610 },
      { c: 'acme', tx: 's1', month: 202611 },
      { c: 'globex', tx: 's1', month: 202610 },
    ])
  })
})

describe('a failing worker task (a staging file that cannot be written: a full disk)', () => {
  it('fails the run cleanly: the failure recorded, what was stored said, no unhandled rejection', async () => {
    const e = engine()
    const staging = mkdtempSync(path.join(os.tmpdir(), 'billing-full-'))
    // The third chunk's staging file is /dev/full: writing it fails with ENOSPC, as a full disk would.
    symlinkSync('/dev/full', path.join(staging, 'chunk-3.rowbinary'))
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      const many = Array.from({ length: 2000 }, (_, i) => event({ tx: `f${i}` }))
      const f = e.file('full.ndjson', lines(...many))
      const failed = await e
        .ingest([f], { workers: 1, chunkBytes: 8192, batchBytes: 8192, stagingDir: staging })
        .catch((err: Error) => err)
      expect(failed).toBeInstanceOf(Error)
      expect((failed as Error).message).toMatch(/^ingest failed: .*ENOSPC/)
      expect((failed as Error).message).toMatch(/\d+ events were confirmed stored before the failure/)
      const [run] = await e.rows<{ status: string }>(`SELECT status FROM ${e.db}.ingest_runs FINAL`)
      expect(run).toEqual({ status: 'failed' })
      await new Promise((r) => setTimeout(r, 100))
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
      rmSync(staging, { recursive: true, force: true })
    }
  })

  it('a run that fails still retires the older copies of the events it moved before the failure', async () => {
    const e = engine()
    const oct = '2026-10-05T12:00:00Z'
    const moved = Array.from({ length: 50 }, (_, i) => `mv${i}`)
    await e.ingest([e.file('october.ndjson', lines(...moved.map((tx) => event({ tx, timestamp: oct }))))])
    const staging = mkdtempSync(path.join(os.tmpdir(), 'billing-full-'))
    symlinkSync('/dev/full', path.join(staging, 'chunk-3.rowbinary'))
    try {
      // The moved events come first: their batch is stored before the third chunk fails.
      const f = e.file(
        'moves.ndjson',
        lines(
          ...moved.map((tx) => event({ tx, timestamp: '2026-11-05T12:00:00Z' })),
          ...Array.from({ length: 2000 }, (_, i) => event({ tx: `g${i}` })),
        ),
      )
      const failed = await e
        .ingest([f], { workers: 1, chunkBytes: 8192, batchBytes: 8192, stagingDir: staging })
        .catch((err: Error) => err)
      expect((failed as Error).message).toMatch(/^ingest failed: .*ENOSPC/)
    } finally {
      rmSync(staging, { recursive: true, force: true })
    }
    // Each month read on its own, as an invoice reads it: every moved event is in November only.
    const places = await e.rows<{ month: number; n: string }>(
      `SELECT toYYYYMM(timestamp) AS month, toString(count()) AS n FROM ${e.db}.events FINAL
       WHERE startsWith(transaction_id, 'mv') GROUP BY month ORDER BY month
       SETTINGS do_not_merge_across_partitions_select_final = 1`,
    )
    expect(places).toEqual([{ month: 202611, n: '50' }])
  })

  it('Ctrl-C before the first file is read is an interrupted run, not a finished one', async () => {
    const e = engine()
    const stop = new AbortController()
    stop.abort()
    const summary = await e.ingest([e.file('never.ndjson', lines(event({ tx: 'n1' })))], {
      signal: stop.signal,
    })
    expect(summary).toMatchObject({ interrupted: true, lines: 0, accepted: 0 })
    const [run] = await e.rows<{ status: string }>(`SELECT status FROM ${e.db}.ingest_runs FINAL`)
    expect(run).toEqual({ status: 'interrupted' })
  })
})
