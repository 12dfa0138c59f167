import { describe, expect, it } from 'vitest'
import { LineCounter, parseDocument } from 'yaml'
import { locate, sourceText } from '../../src/plans/locate.js'
import { formatPath } from '../../src/plans/problems.js'

function at(text: string, path: (string | number)[], target: 'value' | 'key' = 'value') {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter })
  return locate(doc, lineCounter, path, target)
}

const text = [
  'code: pro', //                                      line 1
  'charges:', //                                       line 2
  '  - metric: calls', //                              line 3
  '    tiers:', //                                     line 4
  '      - { up_to: 10, unit_price: "1" }', //         line 5
  '      - { unit_price: "0.5" }', //                  line 6
  '  - { metric: seats, model: standard }', //         line 7
  'empty:', //                                         line 8
].join('\n')

describe('locate', () => {
  it('points at a value in block and flow collections', () => {
    expect(at(text, ['code'])).toEqual({ line: 1, col: 7 })
    expect(at(text, ['charges', 0, 'metric'])).toEqual({ line: 3, col: 13 })
    expect(at(text, ['charges', 0, 'tiers', 0, 'unit_price'])).toEqual({ line: 5, col: 34 })
    expect(at(text, ['charges', 1, 'model'])).toEqual({ line: 7, col: 29 })
  })

  it('points at the key when asked, for an unknown key', () => {
    expect(at(text, ['charges', 0, 'tiers', 0, 'unit_price'], 'key')).toEqual({ line: 5, col: 22 })
  })

  it('points at the mapping that lacks a missing key', () => {
    expect(at(text, ['charges', 0, 'tiers', 1, 'up_to'])).toEqual({ line: 6, col: 9 })
    expect(at(text, ['charges', 0, 'model'])).toEqual({ line: 3, col: 5 })
    expect(at(text, ['currency'])).toEqual({ line: 1, col: 1 })
  })

  it('points at the key of an empty value', () => {
    expect(at(text, ['empty'])).toEqual({ line: 8, col: 1 })
  })

  it('points at the list for an index past its end', () => {
    expect(at(text, ['charges', 5])).toEqual({ line: 3, col: 3 })
  })

  it('follows an alias to the anchored value', () => {
    const aliased = 'a: &p { price: 1 }\nb: *p\n'
    expect(at(aliased, ['b', 'price'])).toEqual({ line: 1, col: 16 })
  })

  it('gives 1:1 for an empty document', () => {
    expect(at('', ['code'])).toEqual({ line: 1, col: 1 })
  })
})

describe('sourceText', () => {
  it('gives the value as written, not as parsed', () => {
    const doc = parseDocument('price: 0.10\n')
    expect(sourceText(doc, 'price: 0.10\n', ['price'])).toBe('0.10')
    expect(sourceText(doc, 'price: 0.10\n', ['missing'])).toBeUndefined()
  })
})

describe('formatPath', () => {
  it('writes keys with dots and indexes in brackets, quoting odd keys', () => {
    expect(formatPath(['charges', 1, 'tiers', 0, 'up_to'])).toBe('charges[1].tiers[0].up_to')
    expect(formatPath(['cust-42', 'plan'])).toBe('cust-42.plan')
    expect(formatPath(['acme corp', 'tax_rate'])).toBe('["acme corp"].tax_rate')
    expect(formatPath([])).toBe('')
  })
})
