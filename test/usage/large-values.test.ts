// Values far beyond everyday usage (bytes of storage, nano-units) are summed exactly, never wrapped.
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Period } from '../../src/invoices/types.js'
import { Decimal } from '../../src/money/decimal.js'
import type { AggregationName, Charge } from '../../src/plans/types.js'
import { ingestEvents, removeTempDirs, tempDir, withStore } from '../support/events.js'
import { measure } from '../support/usage.js'

let dataDir: string
let eventsDir: string
beforeAll(() => {
  dataDir = tempDir('usage-large-data')
  eventsDir = tempDir('usage-large-events')
})
afterAll(removeTempDirs)

const OCTOBER: Period = { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z') }

function charge(aggregation: AggregationName): Charge {
  return {
    model: 'standard',
    unitPrice: new Decimal(1),
    metric: { name: aggregation, code: 'ev', aggregation, property: 'v' },
    filters: {},
    groupBy: [],
  }
}

it('sums and time-weights values up to 1e30 without overflow, and keeps 20 decimals', async () => {
  await withStore(dataDir, async (store) => {
    await ingestEvents(store, eventsDir, [
      ...Array.from({ length: 20 }, (_, i) => ({
        transaction_id: `big${i}`,
        customer: 'c1',
        code: 'ev',
        timestamp: '2026-10-02T00:00:00Z',
        properties: { v: 1e25 },
      })),
      {
        transaction_id: 'tiny',
        customer: 'c1',
        code: 'ev',
        timestamp: '2026-10-02T00:00:00Z',
        properties: { v: '1e-13' },
      },
    ])
    const usage = (await measure(store, [charge('sum'), charge('weighted_sum')], OCTOBER, 'c1')).sort(
      (a, b) => a.charge - b.charge,
    )
    expect(usage[0]!.units.toFixed()).toBe('200000000000000000000000000.0000000000001')
    // Every increment arrived on October 2nd: it is held for 30 of October's 31 days.
    expect(usage[1]!.units.toFixed(6)).toBe(
      new Decimal('200000000000000000000000000.0000000000001').times(30).div(31).toFixed(6),
    )
  })
})
