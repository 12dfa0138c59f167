// A strict JSON scanner over UTF-8 bytes that returns spans instead of values.
// Why not JSON.parse: it turns numbers into binary floats (we keep their exact text for money) and
// silently keeps the last of duplicate keys (ClickHouse rejects them); both must be seen per line.

export class JsonScanError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message)
  }
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const MAX_DEPTH = 32

export function skipWhitespace(b: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = b[i]!
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break
    i++
  }
  return i
}

export interface StringSpan {
  /** Index of the opening quote. */
  start: number
  /** Index just past the closing quote. */
  end: number
  escaped: boolean
}

/** 1 for the bytes that end a run of plain string content: `"`, `\\` and control characters. */
const STRING_SPECIAL = new Uint8Array(256)
for (let c = 0; c < 0x20; c++) STRING_SPECIAL[c] = 1
STRING_SPECIAL[QUOTE] = 1
STRING_SPECIAL[BACKSLASH] = 1

/** Scans the string literal that starts at `i` (a quote). */
export function scanString(b: Uint8Array, i: number, end: number, out: StringSpan): void {
  out.start = i
  out.escaped = false
  i++
  while (i < end) {
    // One table lookup a byte for the common case: anything but a quote, backslash or control.
    while (i < end && STRING_SPECIAL[b[i]!] === 0) i++
    if (i >= end) break
    const c = b[i]!
    if (c === QUOTE) {
      out.end = i + 1
      return
    }
    if (c < 0x20) throw new JsonScanError('control character inside a string (it must be escaped)', i)
    if (c === BACKSLASH) {
      out.escaped = true
      const e = b[i + 1]
      if (e === 0x75) {
        // \uXXXX; UTF-16 surrogates must come in pairs, or the text is not valid Unicode.
        const unit = hexUnit(b, i)
        if (unit >= 0xdc00 && unit <= 0xdfff) throw new JsonScanError('lone low surrogate in a \\u escape', i)
        if (unit >= 0xd800 && unit <= 0xdbff) {
          const low = b[i + 6] === BACKSLASH && b[i + 7] === 0x75 ? hexUnit(b, i + 6) : -1
          if (low < 0xdc00 || low > 0xdfff) throw new JsonScanError('lone high surrogate in a \\u escape', i)
          i += 12
          continue
        }
        i += 6
        continue
      }
      if (
        e === QUOTE ||
        e === BACKSLASH ||
        e === 0x2f ||
        e === 0x62 ||
        e === 0x66 ||
        e === 0x6e ||
        e === 0x72 ||
        e === 0x74
      ) {
        i += 2
        continue
      }
      throw new JsonScanError('invalid escape in a string', i)
    }
    i++
  }
  throw new JsonScanError('unterminated string', i)
}

/** The code unit of the `\\uXXXX` escape at `i`. */
function hexUnit(b: Uint8Array, i: number): number {
  let unit = 0
  for (let k = 2; k < 6; k++) {
    const c = b[i + k]
    if (!isHex(c)) throw new JsonScanError('invalid \\u escape in a string', i)
    unit = unit * 16 + parseInt(String.fromCharCode(c!), 16)
  }
  return unit
}

function isHex(c: number | undefined): boolean {
  return c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39
}

/** Scans a JSON number at `i`; returns the index past it. */
export function scanNumber(b: Uint8Array, i: number, end: number): number {
  const start = i
  if (b[i] === 0x2d) i++
  if (b[i] === 0x30) i++
  else if (isDigit(b[i])) while (i < end && isDigit(b[i])) i++
  else throw new JsonScanError('invalid number', start)
  if (b[i] === 0x2e) {
    i++
    if (!isDigit(b[i])) throw new JsonScanError('invalid number', start)
    while (i < end && isDigit(b[i])) i++
  }
  if (b[i] === 0x65 || b[i] === 0x45) {
    i++
    if (b[i] === 0x2b || b[i] === 0x2d) i++
    if (!isDigit(b[i])) throw new JsonScanError('invalid number', start)
    while (i < end && isDigit(b[i])) i++
  }
  return i
}

export type ValueKind = 'string' | 'number' | 'true' | 'false' | 'null' | 'object' | 'array'

export function kindAt(b: Uint8Array, i: number): ValueKind | undefined {
  const c = b[i]
  if (c === QUOTE) return 'string'
  if (c === 0x7b) return 'object'
  if (c === 0x5b) return 'array'
  if (c === 0x2d || isDigit(c)) return 'number'
  if (c === 0x74) return 'true'
  if (c === 0x66) return 'false'
  if (c === 0x6e) return 'null'
  return undefined
}

const LITERALS: Record<'true' | 'false' | 'null', number[]> = {
  true: [0x74, 0x72, 0x75, 0x65],
  false: [0x66, 0x61, 0x6c, 0x73, 0x65],
  null: [0x6e, 0x75, 0x6c, 0x6c],
}

const scratch: StringSpan = { start: 0, end: 0, escaped: false }

/** Skips any JSON value at `i` (validating it); returns the index past it. */
export function skipValue(b: Uint8Array, i: number, end: number, depth = 0): number {
  const kind = kindAt(b, i)
  switch (kind) {
    case 'string':
      scanString(b, i, end, scratch)
      return scratch.end
    case 'number':
      return scanNumber(b, i, end)
    case 'true':
    case 'false':
    case 'null': {
      const lit = LITERALS[kind]
      for (let k = 0; k < lit.length; k++)
        if (b[i + k] !== lit[k]) throw new JsonScanError('invalid literal', i)
      return i + lit.length
    }
    case 'object':
    case 'array':
      if (depth >= MAX_DEPTH) throw new JsonScanError('nested too deeply', i)
      return skipContainer(b, i, end, depth + 1, kind === 'object')
    default:
      throw new JsonScanError(i >= end ? 'unexpected end of line' : 'unexpected character', i)
  }
}

function skipContainer(b: Uint8Array, i: number, end: number, depth: number, isObject: boolean): number {
  const close = isObject ? 0x7d : 0x5d
  i = skipWhitespace(b, i + 1, end)
  if (b[i] === close) return i + 1
  for (;;) {
    if (isObject) {
      if (b[i] !== QUOTE) throw new JsonScanError('expected a quoted key', i)
      scanString(b, i, end, scratch)
      i = skipWhitespace(b, scratch.end, end)
      if (b[i] !== 0x3a) throw new JsonScanError("expected ':' after a key", i)
      i = skipWhitespace(b, i + 1, end)
    }
    i = skipWhitespace(b, skipValue(b, i, end, depth), end)
    if (b[i] === 0x2c) {
      i = skipWhitespace(b, i + 1, end)
      continue
    }
    if (b[i] === close) return i + 1
    throw new JsonScanError(isObject ? "expected ',' or '}'" : "expected ',' or ']'", i)
  }
}
