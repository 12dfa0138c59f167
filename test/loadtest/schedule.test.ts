import { describe, expect, it } from 'vitest'
import {
  ArrivalSchedule,
  parseDuration,
  parseRamp,
  parseRate,
  ScheduleError,
} from '../../src/loadtest/schedule.js'

describe('durations, rates and ramps as written on the command line', () => {
  it('reads durations in ms, s, m, h and combinations; a bare number is seconds', () => {
    expect(parseDuration('60s')).toBe(60_000)
    expect(parseDuration('500ms')).toBe(500)
    expect(parseDuration('2m')).toBe(120_000)
    expect(parseDuration('1m30s')).toBe(90_000)
    expect(parseDuration('1h')).toBe(3_600_000)
    expect(parseDuration('1.5')).toBe(1500)
    for (const bad of ['', 's', '10 parsecs', '1x', '-5s', '5s extra']) {
      expect(() => parseDuration(bad)).toThrow(ScheduleError)
    }
  })

  it('reads rates with k and M suffixes and underscores', () => {
    expect(parseRate('1000000')).toBe(1_000_000)
    expect(parseRate('1_000_000')).toBe(1_000_000)
    expect(parseRate('250k')).toBe(250_000)
    expect(parseRate('1.5M')).toBe(1_500_000)
    for (const bad of ['', 'fast', '-1', '1G', '1e6']) expect(() => parseRate(bad)).toThrow(ScheduleError)
  })

  it('reads ramp stages RATE:DURATION', () => {
    expect(parseRamp('0:10s,1000000:30s')).toEqual([
      { target: 0, durationMs: 10_000 },
      { target: 1_000_000, durationMs: 30_000 },
    ])
    expect(parseRamp('500k:1m')).toEqual([{ target: 500_000, durationMs: 60_000 }])
    expect(() => parseRamp('1000')).toThrow(/RATE:DURATION/)
    expect(() => parseRamp('1000:soon')).toThrow(/duration/)
    expect(() => parseRamp('0:0s')).toThrow(/no time/)
  })
})

describe('the open-model arrival schedule', () => {
  it('a constant rate makes events due evenly, whatever happens elsewhere', () => {
    const s = ArrivalSchedule.constant(1000, 5000)
    expect(s.total).toBe(5000)
    expect(s.averageRate).toBe(1000)
    expect(s.dueAt(0)).toBe(0)
    expect(s.dueAt(1)).toBe(1)
    expect(s.dueAt(2500)).toBe(2500)
    expect(s.dueAt(99_999)).toBe(5000)
    expect(s.timeOf(0)).toBe(0)
    expect(s.timeOf(2500)).toBeCloseTo(2500)
    expect(s.timeOf(5000)).toBe(5000)
    expect(s.rateAt(100)).toBe(1000)
    expect(s.rateAt(5000)).toBe(0)
  })

  it('a ramp is linear between stages: the events due are the area under the rate', () => {
    // 0 -> 1000/s over 10 s (5,000 events), then 1000/s for 5 s (5,000 events)
    const s = new ArrivalSchedule(parseRamp('1000:10s,1000:5s'))
    expect(s.total).toBe(10_000)
    expect(s.rateAt(5000)).toBeCloseTo(500)
    expect(s.dueAt(5000)).toBe(1250) // area of the triangle up to 5 s
    expect(s.dueAt(10_000)).toBe(5000)
    expect(s.dueAt(12_000)).toBe(7000)
    expect(s.timeOf(1250)).toBeCloseTo(5000, 6)
  })

  it('an idle first stage delays the first event; timeOf inverts dueAt', () => {
    const s = new ArrivalSchedule(parseRamp('0:2s,1000:2s,0:2s'))
    expect(s.total).toBe(2000)
    expect(s.timeOf(0)).toBe(2000)
    expect(s.dueAt(1999)).toBe(0)
    for (const ms of [2100, 2500, 3333, 4000, 4100, 5500]) {
      const n = s.dueAt(ms)
      expect(s.timeOf(n)).toBeLessThanOrEqual(ms + 1e-6)
      expect(s.dueAt(s.timeOf(n) + 1e-3)).toBeGreaterThanOrEqual(n)
    }
    expect(s.dueAt(6000)).toBe(2000)
  })

  it('dueAt never decreases and reaches the total at the end', () => {
    const s = new ArrivalSchedule(parseRamp('300:1s,50:2s,700:1.5s'), 100)
    let last = 0
    for (let ms = 0; ms <= s.durationMs; ms += 7) {
      const due = s.dueAt(ms)
      expect(due).toBeGreaterThanOrEqual(last)
      last = due
    }
    expect(s.dueAt(s.durationMs)).toBe(s.total)
  })
})
