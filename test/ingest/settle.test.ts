// The settling of a run's copies (src/store/copies.ts) in slices: however the run's rows are cut
// (customer ranges, a customer cut by hash, the pass over every copy in hash parts), the counts and
// the stored events are the same. Tiny slices put every path of the cutting to work on a few events.
import { describe, expect, it } from 'vitest'
import type { SettleOptions } from '../../src/store/copies.js'
import { event, lines, useEngine, type Engine } from './engine.js'

const engine = useEngine()
const oct = '2026-10-05T12:00:00Z'
const nov = '2026-11-05T12:00:00Z'

const stored = (e: Engine) =>
  e.rows<{ c: string; tx: string; code: string; month: number; x: string }>(
    `SELECT customer AS c, transaction_id AS tx, code, toYYYYMM(timestamp) AS month, properties['x'] AS x
     FROM ${e.db}.events FINAL ORDER BY c, tx SETTINGS do_not_merge_across_partitions_select_final = 1`,
  )

const cuts: [string, SettleOptions | undefined][] = [
  ['the default slices', undefined],
  ['slices of 2 rows, every copy 1 row at a time', { sliceRows: 2, everyCopyRows: 1 }],
  ['slices of 3 rows, every copy in parts of 2', { sliceRows: 3, everyCopyRows: 2 }],
]

describe.each(cuts)('settling copies in %s', (_, settle) => {
  it('counts new, repeated, already stored and moved events, and stores the newest copy of each', async () => {
    const e = engine()
    const run = (name: string, ...ls: string[]) =>
      e.ingest([e.file(name, lines(...ls))], { workers: 1, settle })
    const first = await run(
      'first.ndjson',
      ...['a1', 'a2', 'a3', 'a4', 'a5'].map((tx) => event({ tx, timestamp: oct, properties: { x: 1 } })),
      event({ tx: 'g1', customer: 'globex', timestamp: oct, properties: { x: 1 } }),
      event({ tx: 'i1', customer: 'initech', timestamp: oct, properties: { x: 1 } }),
      event({ tx: 'i1', customer: 'initech', timestamp: oct, properties: { x: 2 } }),
    )
    expect(first).toMatchObject({
      accepted: 8,
      duplicatesInInput: 1,
      alreadyStored: 0,
      newEvents: 7,
      moved: 0,
    })

    const second = await run(
      'second.ndjson',
      event({ tx: 'a1', timestamp: oct, properties: { x: 2 } }), // stored before, same place
      event({ tx: 'a2', timestamp: nov, properties: { x: 2 } }), // stored before, moves to November
      event({ tx: 'a6', timestamp: oct, properties: { x: 1 } }), // new, twice in the same place
      event({ tx: 'a6', timestamp: oct, properties: { x: 2 } }),
      event({ tx: 'a7', timestamp: oct, properties: { x: 1 } }), // new, moves within the run
      event({ tx: 'a7', timestamp: nov, properties: { x: 2 } }),
      event({ tx: 'g1', customer: 'globex', code: 'storage', timestamp: oct, properties: { x: 2 } }),
      event({ tx: 'i2', customer: 'initech', timestamp: oct, properties: { x: 1 } }),
      event({ tx: 'i2', customer: 'initech', timestamp: oct, properties: { x: 2 } }),
    )
    expect(second).toMatchObject({
      accepted: 9,
      duplicatesInInput: 3,
      alreadyStored: 3,
      newEvents: 3,
      moved: 3,
    })

    // Other rows in the table, none of them sharing a key with the run.
    const third = await run(
      'third.ndjson',
      event({ tx: 'a8', timestamp: oct, properties: { x: 1 } }),
      event({ tx: 'a8', timestamp: oct, properties: { x: 2 } }),
      event({ tx: 'h1', customer: 'hooli', timestamp: nov, properties: { x: 1 } }),
    )
    expect(third).toMatchObject({
      accepted: 3,
      duplicatesInInput: 1,
      alreadyStored: 0,
      newEvents: 2,
      moved: 0,
    })

    const api = (c: string, tx: string, month: number, x: string) => ({ c, tx, code: 'api_call', month, x })
    expect(await stored(e)).toEqual([
      api('acme', 'a1', 202610, '2'),
      api('acme', 'a2', 202611, '2'),
      api('acme', 'a3', 202610, '1'),
      api('acme', 'a4', 202610, '1'),
      api('acme', 'a5', 202610, '1'),
      api('acme', 'a6', 202610, '2'),
      api('acme', 'a7', 202611, '2'),
      api('acme', 'a8', 202610, '2'),
      { c: 'globex', tx: 'g1', code: 'storage', month: 202610, x: '2' },
      api('hooli', 'h1', 202611, '1'),
      api('initech', 'i1', 202610, '2'),
      api('initech', 'i2', 202610, '2'),
    ])
  })
})
