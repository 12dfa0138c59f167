// Short load tests on the real embedded engine. The worker runs from dist/: build first.
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ingest } from '../../src/ingest/ingest.js'
import { runLoadtest, type LoadtestOptions, type LoadtestProgress } from '../../src/loadtest/loadtest.js'
import { dropLoadtestDatabase } from '../../src/loadtest/loadtest-store.js'
import { ArrivalSchedule, parseRamp } from '../../src/loadtest/schedule.js'
import { parseThreshold, withDefaults } from '../../src/loadtest/thresholds.js'
import { EVENT_CODES } from '../../src/loadtest/traffic.js'
import { loadtestJson } from '../../src/render/loadtest.js'
import { loadCatalog } from '../../src/plans/load.js'
import { openStore, type Store } from '../../src/store/store.js'
import { queryRows } from '../support/query-rows.js'
import { ingestEvents, removeTempDirs, tempDir, uniqueDatabase } from '../support/events.js'

const dataDir = tempDir('loadtest-data')
const stores: Store[] = []
afterAll(async () => {
  for (const s of stores) await s.close()
  removeTempDirs()
})

async function store(database = uniqueDatabase('lt')): Promise<Store> {
  const s = await openStore({ mode: 'write', dataDir, database })
  stores.push(s)
  return s
}

function options(schedule: ArrivalSchedule, over: Partial<LoadtestOptions> = {}): LoadtestOptions {
  return {
    schedule,
    traffic: { customers: 200, zipf: 1, codes: EVENT_CODES, seed: 1 },
    workers: 1,
    lingerMs: 100,
    thresholds: withDefaults([parseThreshold('rate>=0.9')]),
    ...over,
  }
}

const rows = <T>(s: Store, query: string) => queryRows<T>(s, query)

describe('billing loadtest on the embedded engine', () => {
  it('sends at the target rate for the duration, and every event is counted back once', async () => {
    const s = await store()
    const catalog = await loadCatalog(path.resolve(import.meta.dirname, '../../plans'))
    const started = performance.now()
    const summary = await runLoadtest(s, options(ArrivalSchedule.constant(4000, 2500), { catalog }))
    const wall = performance.now() - started
    expect(wall).toBeGreaterThanOrEqual(2500) // the schedule is kept, not run as fast as possible
    expect(summary).toMatchObject({ scheduled: 10_000, generated: 10_000, stored: 10_000, confirmed: 10_000 })
    expect(summary).toMatchObject({ lost: 0, duplicates: 0, passed: true, interrupted: false })
    expect(summary.targetRate).toBeCloseTo(4000, 0)
    expect(Math.abs(summary.rateRatio - 1)).toBeLessThan(0.1)
    // The stored timestamps are the scheduled times: 4,000 a second over 2.5 s.
    const [span] = await rows<{ first: string; last: string }>(
      s,
      `SELECT toString(min(toUnixTimestamp64Milli(timestamp))) AS first,
              toString(max(toUnixTimestamp64Milli(timestamp))) AS last
       FROM ${s.db}.events FINAL`,
    )
    const spanMs = Number(span!.last) - Number(span!.first)
    expect(spanMs).toBeGreaterThan(2400)
    expect(spanMs).toBeLessThan(2600)
    const perSecond = await rows<{ n: string }>(
      s,
      `SELECT toString(count()) AS n FROM ${s.db}.events FINAL GROUP BY toStartOfSecond(timestamp)`,
    )
    expect(Math.max(...perSecond.map((r) => Number(r.n)))).toBeLessThanOrEqual(4010)
    expect(summary.invoice).toMatchObject({ invoices: 200, unbilled: 0 })
    expect(summary.insert.count).toBeGreaterThan(1)
    expect(summary.insert.p99).toBeGreaterThan(0)
    expect(summary).toMatchObject({ rows: 10_000, written: 10_000, dropped: 0 })
  })

  it('keeps the schedule when the store is slower: the backlog grows, then drains, with nothing lost', async () => {
    const s = await store()
    // A store whose every INSERT takes 400 ms more, with at most 600 events an INSERT: at most
    // ~1,500 events/s, a third of the 4,000/s asked for.
    const insert = s.insert.bind(s)
    const slow = s
    slow.insert = async (query, statement) => {
      if (query.includes('.events')) await sleep(400)
      return insert(query, statement)
    }
    const seen: LoadtestProgress[] = []
    const summary = await runLoadtest(
      slow,
      options(ArrivalSchedule.constant(4000, 2000), {
        batchEvents: 600,
        inserts: 1,
        progressMs: 100,
        onProgress: (p) => seen.push(p),
      }),
    )
    // Generation did not wait for the store: by the end of the schedule all 8,000 were generated.
    const atEnd = seen.find((p) => p.elapsedMs >= 2100)!
    expect(atEnd.generated).toBe(8000)
    expect(atEnd.backlog).toBeGreaterThan(3000)
    expect(atEnd.lagMs).toBeGreaterThan(700)
    expect(summary.maxBacklog).toBeGreaterThan(3000)
    expect(summary.maxLagSeconds).toBeGreaterThan(1)
    expect(summary.rateRatio).toBeLessThan(0.6)
    expect(summary).toMatchObject({ generated: 8000, confirmed: 8000, lost: 0, duplicates: 0, passed: false })
    expect(summary.thresholds.find((t) => t.metric === 'rate')).toMatchObject({ ok: false })
    expect(summary.drainSeconds).toBeGreaterThan(1)
    // Every second has its sample, those of the drain after the schedule too.
    const ts = summary.timeline.map((x) => x.t)
    expect(ts.slice(0, -1)).toEqual(ts.slice(0, -1).map((_, i) => i + 1))
    expect(ts.at(-1)! - ts.at(-2)!).toBeLessThanOrEqual(1)
    expect(ts.at(-1)).toBeCloseTo(summary.seconds, 1)
  })

  it('follows a ramp, and writes ingest lines that billing ingest replays into the same events', async () => {
    const s = await store()
    const out = path.join(tempDir('loadtest-out'), 'events.ndjson')
    const schedule = new ArrivalSchedule(parseRamp('3000:1s,3000:1s'))
    const summary = await runLoadtest(s, options(schedule, { outFile: out }))
    expect(summary).toMatchObject({ scheduled: 4500, generated: 4500, confirmed: 4500, lost: 0 })

    const replay = await store()
    const ingested = await ingest(replay, { sources: [out], rejectsPath: `${out}.rejects`, workers: 1 })
    expect(ingested).toMatchObject({ lines: 4500, accepted: 4500, rejected: 0, newEvents: 4500 })
    const digest = async (x: Store) =>
      (
        await rows<{ h: string }>(
          x,
          `SELECT toString(sum(cityHash64(customer, tx_key, transaction_id, code, timestamp, toString(properties)))) AS h
           FROM ${x.db}.events FINAL`,
        )
      )[0]!.h
    expect(await digest(replay)).toBe(await digest(s))
  })

  it('refuses a database that holds billing data, and never drops it', async () => {
    const s = await store()
    await ingestEvents(s, tempDir('loadtest-billing'), [
      { transaction_id: 't1', customer: 'acme', code: 'api_calls', timestamp: '2026-10-05T12:00:00Z' },
    ])
    await expect(runLoadtest(s, options(ArrivalSchedule.constant(100, 500)))).rejects.toThrow(
      /holds billing data .*pick another --database/,
    )
    await expect(dropLoadtestDatabase(s)).rejects.toThrow(/holds billing data/)
    expect(await rows(s, `SELECT * FROM ${s.db}.events`)).toHaveLength(1)
  })

  it('stops on a signal: what was generated is stored and counted, and the run says so', async () => {
    const s = await store()
    const stop = new AbortController()
    setTimeout(() => stop.abort(), 700)
    const summary = await runLoadtest(
      s,
      options(ArrivalSchedule.constant(2000, 10_000), { signal: stop.signal }),
    )
    expect(summary.interrupted).toBe(true)
    expect(summary.passed).toBe(false)
    expect(summary.scheduled).toBeGreaterThan(1000)
    expect(summary.scheduled).toBeLessThan(3000)
    expect(summary).toMatchObject({ generated: summary.scheduled, confirmed: summary.scheduled, lost: 0 })
    const json = loadtestJson(summary)
    expect(json.interrupted).toBe(true)
    await dropLoadtestDatabase(s)
    const [left] = await rows<{ n: string }>(
      s,
      `SELECT toString(count()) AS n FROM system.databases WHERE name = '${s.database}'`,
    )
    expect(left!.n).toBe('0')
  })
})

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
