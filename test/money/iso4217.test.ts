import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { isCurrency, minorUnits } from '../../src/money/decimal.js'
import { currencyProblem, isoMinorUnits, listOnePublished } from '../../src/money/iso4217.js'

// The reference: ISO's own List One XML, which the pinned package ships beside the data it derives from it.
const require = createRequire(import.meta.url)
const listOneXml = readFileSync(
  path.join(path.dirname(require.resolve('currency-codes/package.json')), 'iso-4217-list-one.xml'),
  'utf8',
)
const listOne = new Map<string, string>()
for (const [, entry = ''] of listOneXml.matchAll(/<CcyNtry>([\s\S]*?)<\/CcyNtry>/g)) {
  const code = /<Ccy>([^<]*)<\/Ccy>/.exec(entry)?.[1]
  const minorUnit = /<CcyMnrUnts>([^<]*)<\/CcyMnrUnts>/.exec(entry)?.[1]
  if (code !== undefined && minorUnit !== undefined) listOne.set(code, minorUnit)
}
const withMinorUnit = [...listOne].filter(([, unit]) => unit !== 'N.A.')
const notApplicable = [...listOne].filter(([, unit]) => unit === 'N.A.').map(([code]) => code)

afterEach(() => {
  vi.restoreAllMocks()
  vi.resetModules()
})

describe('the ISO 4217 table is the pinned List One', () => {
  it('is the List One published on 2024-06-25, the one the package ships', () => {
    // A package upgrade that brings a newer list fails here: review its changes, then move the date.
    expect(/<ISO_4217 Pblshd="([^"]+)"/.exec(listOneXml)?.[1]).toBe('2024-06-25')
    expect(listOnePublished).toBe('2024-06-25')
  })

  it('gives every code of List One the minor unit the list gives it', () => {
    expect(withMinorUnit.length).toBeGreaterThan(150)
    for (const [code, unit] of withMinorUnit)
      expect([code, isoMinorUnits(code)]).toEqual([code, Number(unit)])
  })

  it('accepts exactly the codes of List One that have a minor unit', () => {
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
    const accepted: string[] = []
    for (const a of letters)
      for (const b of letters)
        for (const c of letters) {
          if (isCurrency(a + b + c)) accepted.push(a + b + c)
        }
    expect(accepted).toEqual(withMinorUnit.map(([code]) => code).sort())
  })

  it('keeps funds codes, with their own minor units', () => {
    expect(
      ['CLF', 'UYW', 'UYI', 'CHE', 'CHW', 'USN', 'BOV', 'COU', 'MXV'].map((code) => [code, minorUnits(code)]),
    ).toEqual([
      ['CLF', 4],
      ['UYW', 4],
      ['UYI', 0],
      ['CHE', 2],
      ['CHW', 2],
      ['USN', 2],
      ['BOV', 2],
      ['COU', 2],
      ['MXV', 2],
    ])
  })
})

describe('a code a plan cannot be priced in is refused with a reason', () => {
  it('refuses the codes whose minor unit is "N.A." (metals, bond units, XTS, XXX), rather than rounding to 0', () => {
    expect(notApplicable).toEqual(expect.arrayContaining(['XAU', 'XAG', 'XDR', 'XTS', 'XXX']))
    for (const code of notApplicable) {
      expect(isCurrency(code)).toBe(false)
      expect(() => minorUnits(code)).toThrow(`${code} has no minor unit in ISO 4217`)
    }
  })

  it.each([
    ['ABC', 'ABC is not an active ISO 4217 code (List One published 2024-06-25)'],
    ['HRK', 'HRK is not an active ISO 4217 code (List One published 2024-06-25)'],
    ['usd', '"usd" is not three uppercase letters, as ISO 4217 codes are'],
    ['USDX', '"USDX" is not three uppercase letters, as ISO 4217 codes are'],
  ])('%s: %s', (code, reason) => {
    expect(currencyProblem(code)).toBe(reason)
    expect(isCurrency(code)).toBe(false)
    expect(() => minorUnits(code)).toThrow(reason)
  })

  it('has no problem with an active code', () => {
    expect(currencyProblem('USD')).toBeUndefined()
  })
})

describe('minor units do not depend on the Node build', () => {
  it('answers without asking Intl, whose CLDR data says HUF 0 and IQD 0', async () => {
    const asked = () => {
      throw new Error('Intl was asked')
    }
    vi.spyOn(Intl, 'NumberFormat').mockImplementation(asked)
    vi.spyOn(Intl, 'supportedValuesOf').mockImplementation(asked)
    vi.resetModules()
    const fresh = await import('../../src/money/decimal.js')

    expect(['HUF', 'IDR', 'COP', 'IQD', 'CLF'].map((code) => [code, fresh.minorUnits(code)])).toEqual([
      ['HUF', 2],
      ['IDR', 2],
      ['COP', 2],
      ['IQD', 3],
      ['CLF', 4],
    ])
    expect(fresh.isCurrency('CLF')).toBe(true)
    expect(fresh.roundMoney('1.005', 'HUF').toFixed()).toBe('1.01')
  })
})
