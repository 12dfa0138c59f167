// The building blocks of the plans' schemas (schema.ts): how a value found in a file is described,
// leaves that read one value each with a plain function (texts, choices, decimals, tax rates,
// currencies), and mappings and lists whose every wrong entry or unknown key is an issue of its own.
import { z } from 'zod'
import { Decimal } from '../money/decimal.js'
import { currencyProblem } from '../money/iso4217.js'

/** Digits allowed after the decimal point of an amount or a quantity. */
export const MAX_DECIMALS = 12

/**
 * Facts a problem's message is completed with once its place in the file is known (see issues.ts):
 * `quote` asks to show the value quoted as written, `unknownKey` lists the keys that were allowed.
 */
export interface IssueHints {
  quote?: boolean
  unknownKey?: readonly string[]
}

// ---- Describing what was found --------------------------------------------------------------------

export function describeValue(input: unknown): string {
  if (input === undefined) return 'nothing'
  if (input === null) return 'an empty value'
  if (typeof input === 'string') return JSON.stringify(input.length > 60 ? `${input.slice(0, 57)}...` : input)
  if (typeof input === 'bigint') return `integer ${input}`
  if (typeof input === 'number') return `number ${input}`
  if (typeof input === 'boolean') return String(input)
  if (Array.isArray(input)) return 'a list'
  if (typeof input === 'object') return 'a mapping'
  return typeof input
}

/** `expected X, got Y`, or `missing: expected X` for a key that is not there. */
export function expectedGot(expected: string, input: unknown): string {
  return input === undefined
    ? `missing: expected ${expected}`
    : `expected ${expected}, got ${describeValue(input)}`
}

// ---- Leaves: one value each, read by a plain function ---------------------------------------------

export class Rejection {
  constructor(
    readonly message: string,
    readonly hints: IssueHints = {},
  ) {}
}

/** A schema for one value: `read` returns it, converted, or a Rejection saying what was expected. */
export function leaf<T>(read: (input: unknown) => T | Rejection) {
  return z.unknown().transform((input, ctx): T => {
    const result = read(input)
    if (!(result instanceof Rejection)) return result
    ctx.addIssue({ code: 'custom', message: result.message, input, params: result.hints })
    return z.NEVER
  })
}

export function text(expected: string, pattern?: RegExp) {
  return leaf((input) =>
    typeof input === 'string' && input !== '' && (!pattern || pattern.test(input))
      ? input
      : new Rejection(expectedGot(expected, input)),
  )
}

export function oneOf<const T extends string>(values: readonly T[]) {
  return leaf((input) =>
    (values as readonly unknown[]).includes(input)
      ? (input as T)
      : new Rejection(expectedGot(`one of ${values.join(', ')}`, input)),
  )
}

const DECIMAL_STRING = /^-?\d+(\.\d+)?$/

interface DecimalKind {
  /** `amount` for money and rates, `quantity` for units. */
  noun: 'amount' | 'quantity'
  example: string
  /** Whether a YAML integer (exact) is accepted besides a decimal string. */
  integers: boolean
}

// YAML numbers are binary floats: 0.1 is not one tenth. Amounts are therefore written as strings, and
// integers (read exactly, as bigint) are accepted only for quantities.
function readDecimal(input: unknown, kind: DecimalKind): Decimal | Rejection {
  const expected = kind.integers
    ? `an integer or a decimal string like "${kind.example}"`
    : `a decimal string like "${kind.example}"`
  let digits: string
  if (typeof input === 'string') digits = input
  else if (typeof input === 'bigint' && kind.integers) digits = input.toString()
  else if (typeof input === 'bigint' || (typeof input === 'number' && Number.isFinite(input)))
    return new Rejection(expectedGot(expected, input), { quote: true })
  else return new Rejection(expectedGot(expected, input))

  if (!DECIMAL_STRING.test(digits)) return new Rejection(expectedGot(expected, input))
  if (digits.startsWith('-'))
    return new Rejection(`expected a non-negative ${kind.noun}, got ${describeValue(input)}`)
  const decimals = digits.split('.')[1]?.length ?? 0
  if (decimals > MAX_DECIMALS) {
    return new Rejection(
      `expected at most ${MAX_DECIMALS} decimals, got ${describeValue(input)} (${decimals})`,
    )
  }
  return new Decimal(digits)
}

const AMOUNT: DecimalKind = { noun: 'amount', example: '0.01', integers: false }
const QUANTITY: DecimalKind = { noun: 'quantity', example: '1000', integers: true }

/** A money amount or a percent rate: a non-negative decimal string such as "0.01". */
export const amount = leaf((input) => readDecimal(input, AMOUNT))

/** A number of units: a non-negative YAML integer such as 1000, or a decimal string such as "0.5". */
export const quantity = leaf((input) => readDecimal(input, QUANTITY))

export const positiveQuantity = leaf((input) => {
  const value = readDecimal(input, QUANTITY)
  if (value instanceof Rejection || value.gt(0)) return value
  return new Rejection(`expected a quantity greater than 0, got ${describeValue(input)}`)
})

/** A tax rate as a fraction: "0.20" is 20 %. */
export function readTaxRate(input: unknown): Decimal | Rejection {
  const value = readDecimal(input, { noun: 'amount', example: '0.20', integers: false })
  if (value instanceof Rejection || value.lte(1)) return value
  return new Rejection(`expected a tax rate between "0" and "1" like "0.20", got ${describeValue(input)}`)
}

export const taxRate = leaf(readTaxRate)

export const eventCount = leaf((input) =>
  typeof input === 'bigint' && input >= 0n && input <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(input)
    : new Rejection(expectedGot('a non-negative integer like 100', input)),
)

// Says why a code is refused (no minor unit like XAU, withdrawn like HRK), unless the text is too long
// to be meant as a code.
export const currency = leaf((input) => {
  const expected = expectedGot('an ISO 4217 currency code like "USD"', input)
  if (typeof input !== 'string') return new Rejection(expected)
  const problem = currencyProblem(input)
  if (problem === undefined) return input
  return new Rejection(input.length <= 12 ? `${expected}; ${problem}` : expected)
})

// ---- Mappings and lists ---------------------------------------------------------------------------

function unknownKey(known: readonly string[]) {
  return z.unknown().transform((_input, ctx): never => {
    ctx.addIssue({
      code: 'custom',
      message: 'unknown key',
      params: { unknownKey: known } satisfies IssueHints,
    })
    return z.NEVER
  })
}

/** A mapping with exactly these keys: an unknown key (a typo like `unit_prise`) is an issue of its own. */
export function mapping<S extends z.ZodRawShape>(what: string, shape: S) {
  const known = Object.keys(shape)
  // Each unknown key gets its own issue, at its own path, through the catch-all schema.
  const schema = z
    .object(shape, { error: (issue) => expectedGot(what, issue.input) })
    .catchall(unknownKey(known))
  // The catch-all never yields a value, so the output has exactly the shape's keys.
  return schema as unknown as z.ZodObject<S, z.core.$strict>
}

export function listOf<T extends z.ZodType>(what: string, item: T) {
  return z.array(item, { error: (issue) => expectedGot(what, issue.input) })
}

export function mapOf<T extends z.ZodType>(what: string, value: T) {
  return z.record(z.string(), value, { error: (issue) => expectedGot(what, issue.input) })
}

export const always = { when: () => true }
