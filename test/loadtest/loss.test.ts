// A load test sees the loss and the copies it exists to find: a batch whose INSERT put its rows
// somewhere else, and a batch stored twice (its first INSERT landed, its answer did not). Both are
// injected into a real run on the embedded engine, between the pipeline and the store.
import { afterAll, describe, expect, it } from 'vitest'
import { runLoadtest, type LoadtestOptions } from '../../src/loadtest/loadtest.js'
import { ArrivalSchedule } from '../../src/loadtest/schedule.js'
import { parseThreshold, withDefaults } from '../../src/loadtest/thresholds.js'
import { EVENT_CODES } from '../../src/loadtest/traffic.js'
import { openStore, type Store } from '../../src/store/store.js'
import { removeTempDirs, tempDir, uniqueDatabase } from '../support/events.js'
import { queryRows } from '../support/query-rows.js'

const dataDir = tempDir('loadtest-loss')
const stores: Store[] = []
afterAll(async () => {
  for (const s of stores) await s.close()
  removeTempDirs()
})

async function store(): Promise<Store> {
  const s = await openStore({ mode: 'write', dataDir, database: uniqueDatabase('loss') })
  stores.push(s)
  return s
}

/** 6,000 events in batches of at most 1,000: six INSERTs or more. */
function options(): LoadtestOptions {
  return {
    schedule: ArrivalSchedule.constant(3000, 2000),
    traffic: { customers: 100, zipf: 1, codes: EVENT_CODES, seed: 3 },
    workers: 1,
    batchEvents: 1000,
    chunkEvents: 500,
    lingerMs: 100,
    thresholds: withDefaults([parseThreshold('rate>=0')]),
  }
}

type Insert = Store['insert']

/** Runs `change` in place of the store's second INSERT into the events table; the others as they are. */
function onSecondEventsInsert(
  s: Store,
  change: (real: Insert, ...args: Parameters<Insert>) => ReturnType<Insert>,
) {
  const real = s.insert.bind(s)
  let n = 0
  s.insert = async (query, statement) => {
    if (!query.startsWith(`INSERT INTO ${s.db}.events `)) return real(query, statement)
    n++
    return n === 2 ? change(real, query, statement) : real(query, statement)
  }
  return { batchEvents: async () => count(s, `${s.db}.events_elsewhere`) }
}

async function count(s: Store, table: string): Promise<number> {
  const [row] = await queryRows<{ n: string }>(s, `SELECT toString(count()) AS n FROM ${table}`)
  return Number(row!.n)
}

const result = (summary: { thresholds: { metric: string; ok: boolean }[] }, metric: string) =>
  summary.thresholds.find((t) => t.metric === metric)?.ok

describe('a load test', () => {
  it('counts a batch whose INSERT wrote its rows elsewhere as lost, and fails lost==0', async () => {
    const s = await store()
    await s.command(`CREATE TABLE ${s.db}.events_elsewhere AS ${s.db}.events`)
    const injected = onSecondEventsInsert(s, (real, query, statement) =>
      real(query.replace(`INSERT INTO ${s.db}.events `, `INSERT INTO ${s.db}.events_elsewhere `), statement),
    )
    const summary = await runLoadtest(s, options())
    const elsewhere = await injected.batchEvents()
    expect(elsewhere).toBeGreaterThan(0)
    // The INSERT said it wrote every row: only counting back finds them missing.
    expect(summary).toMatchObject({ generated: 6000, stored: 6000, written: 6000 })
    expect(summary).toMatchObject({ confirmed: 6000 - elsewhere, lost: elsewhere, duplicates: 0 })
    expect(result(summary, 'lost')).toBe(false)
    expect(result(summary, 'duplicates')).toBe(true)
    expect(summary.passed).toBe(false)
  })

  it('counts a batch stored twice as duplicates, before a merge can fold the copies, and fails duplicates==0', async () => {
    const s = await store()
    let twice = 0
    onSecondEventsInsert(s, async (real, query, statement) => {
      const first = await real(query, statement)
      twice = first.writtenRows
      const second = await real(query, statement)
      // What the engine's background merges would do sooner or later: fold the two copies.
      await s.command(`OPTIMIZE TABLE ${s.db}.events FINAL`).catch((e: Error) => {
        if (!/Cancelled merging parts|ABORTED/.test(e.message)) throw e
      })
      return second
    })
    const summary = await runLoadtest(s, options())
    expect(twice).toBeGreaterThan(0)
    expect(summary).toMatchObject({ generated: 6000, stored: 6000, written: 6000, confirmed: 6000 })
    expect(summary).toMatchObject({ rows: 6000 + twice, duplicates: twice, lost: 0 })
    expect(summary.copiesCountedBeforeMerges).toBe(true)
    expect(result(summary, 'duplicates')).toBe(false)
    expect(result(summary, 'lost')).toBe(true)
    expect(summary.passed).toBe(false)
  })

  it('lets the merges run again once the run is counted', async () => {
    const s = await store()
    const summary = await runLoadtest(s, options())
    expect(summary).toMatchObject({ lost: 0, duplicates: 0, copiesCountedBeforeMerges: true })
    await s.command(`OPTIMIZE TABLE ${s.db}.events FINAL`)
    expect(await count(s, `${s.db}.events`)).toBe(6000)
  })
})
