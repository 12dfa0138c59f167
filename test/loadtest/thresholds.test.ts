import { describe, expect, it } from 'vitest'
import {
  evaluateThresholds,
  parseThreshold,
  ThresholdError,
  withDefaults,
} from '../../src/loadtest/thresholds.js'

describe('thresholds written like k6', () => {
  it('reads metric, operator and value with its unit', () => {
    expect(parseThreshold('rate>=0.99')).toMatchObject({ metric: 'rate', operator: '>=', value: 0.99 })
    expect(parseThreshold('rate >= 99%')).toMatchObject({ metric: 'rate', value: 0.99 })
    expect(parseThreshold('p99<2s')).toMatchObject({ metric: 'p99', operator: '<', value: 2000 })
    expect(parseThreshold('p(95)<=250ms')).toMatchObject({ metric: 'p95', operator: '<=', value: 250 })
    expect(parseThreshold('max<1500')).toMatchObject({ metric: 'max', value: 1500 })
    expect(parseThreshold('lost==0')).toMatchObject({ metric: 'lost', operator: '==', value: 0 })
    expect(parseThreshold('lost=0')).toMatchObject({ operator: '==' })
    expect(parseThreshold('throughput>900k')).toMatchObject({ metric: 'throughput', value: 900_000 })
    expect(parseThreshold('invoice<1m')).toMatchObject({ metric: 'invoice', value: 60_000 })
  })

  it('names the problem in a bad threshold', () => {
    expect(() => parseThreshold('p99 about 2s')).toThrow(/expected METRIC OP VALUE/)
    expect(() => parseThreshold('speed>1')).toThrow(/unknown metric "speed"/)
    expect(() => parseThreshold('p99<fast')).toThrow(/duration like 2s/)
    expect(() => parseThreshold('lost<=0.5')).toThrow(/whole number/)
    expect(() => parseThreshold('rate>=high')).toThrow(ThresholdError)
  })

  it('applies a default unless a threshold on the same metric is given', () => {
    expect(withDefaults([]).map((t) => t.expression)).toEqual([
      'rate>=0.99',
      'lost==0',
      'duplicates==0',
      'dropped==0',
    ])
    const mine = withDefaults([parseThreshold('rate>=0.9'), parseThreshold('p99<2s')])
    expect(mine.map((t) => t.expression)).toEqual([
      'lost==0',
      'duplicates==0',
      'dropped==0',
      'rate>=0.9',
      'p99<2s',
    ])
  })

  it('passes or fails each threshold on the measured value; an unmeasured one fails', () => {
    const results = evaluateThresholds(
      ['rate>=0.99', 'p99<2s', 'lost==0', 'duplicates!=0', 'invoice<10s'].map(parseThreshold),
      { rate: 0.985, p99: 1999, lost: 0, duplicates: 0 },
    )
    expect(results.map((r) => [r.expression, r.actual, r.ok])).toEqual([
      ['rate>=0.99', 0.985, false],
      ['p99<2s', 1999, true],
      ['lost==0', 0, true],
      ['duplicates!=0', 0, false],
      ['invoice<10s', null, false],
    ])
  })
})
