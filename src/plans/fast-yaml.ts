// customers.yaml may list 100,000 customers, which the yaml package reads at ~70 µs each. Most such
// files keep to a plain subset of YAML (one customer a line, or a short block of `key: value` lines),
// read here at ~2 µs each. Any other text is left to the full path (yaml), which reads everything else
// and reports problems with their positions. js-yaml, tried first behind the same check of the
// subset, takes ~4 µs an entry: 100,000 customers loaded in 1.5 s, not under 1 s (see the --stages
// table of npm run bench:plans).

/** Customer id -> its key -> value, in the order of the properties of the mapping read as an object. */
export type PlainEntries = Map<string, Record<string, string>>

/**
 * The entries of `text` if it keeps to the plain subset, else undefined. The subset: lines that are
 * blank, comments, `id: { key: value, ... }` on one line at column 1, or `id:` at column 1 followed
 * by `key: value` lines at one indentation. Keys and values are quoted on one line (with common
 * escapes) or plain strings. So there is no anchor, alias, tag, complex key, merge key, directive,
 * block scalar, multi-line scalar or flow, nesting deeper than two, empty or null value, duplicate or
 * `__proto__` key, and no plain scalar that yaml or js-yaml could read as a number, boolean or null
 * (except integer keys, read as the same property name). Whatever this reads, yaml reads alike.
 */
export function readPlainEntries(text: string): PlainEntries | undefined {
  if (mayReadDifferently(text)) return undefined
  try {
    return new PlainScan(text).document()
  } catch (error) {
    if (error === NOT_PLAIN) return undefined
    throw error
  }
}

/** Characters yaml may read otherwise than here: tabs, control characters, a BOM, U+2028, U+FFFF. */
const UNUSUAL_CHARACTER = /[\x00-\x09\x0B\x0C\x0E-\x1F\x7F-\x9F\u2028\u2029\uFEFF\uFFFE\uFFFF]/
/** String.prototype.isWellFormed (Node 20), which this project's ES2022 typings do not declare yet. */
const isWellFormed = (String.prototype as unknown as { isWellFormed(this: string): boolean }).isWellFormed

/**
 * Whether anything in the text, even in a comment, sends it to the full path: an unusual character,
 * a CR without LF, a lone surrogate, `__proto__` or `<<` (a merge key), wherever they are written.
 */
function mayReadDifferently(text: string): boolean {
  return (
    UNUSUAL_CHARACTER.test(text) ||
    !isWellFormed.call(text) ||
    (text.includes('\r') && /\r(?!\n)/.test(text)) ||
    text.includes('__proto__') ||
    text.includes('<<')
  )
}

const NOT_PLAIN = new Error('not in the plain subset')

const SPACE = 0x20
const LF = 0x0a
const CR = 0x0d
const HASH = 0x23
const COLON = 0x3a
const COMMA = 0x2c
const DOUBLE_QUOTE = 0x22
const SINGLE_QUOTE = 0x27
const BACKSLASH = 0x5c
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d

/** Characters that cannot start a plain scalar here: YAML's indicators (`-`, `?` and `:` too). */
const INDICATORS = new Set([...'-?:,[]{}#&*!|>\'"%@`'].map((c) => c.charCodeAt(0)))
/** The escapes of a double-quoted scalar read here (as yaml and js-yaml do), besides \x.. and \u..... */
const ESCAPES = new Map(
  Object.entries({
    '0': '\0',
    a: '\x07',
    b: '\b',
    t: '\t',
    n: '\n',
    v: '\v',
    f: '\f',
    r: '\r',
    e: '\x1b',
    ' ': ' ',
    '"': '"',
    '/': '/',
    '\\': '\\',
    N: '\x85',
    _: '\xa0',
    L: '\u2028',
    P: '\u2029',
  }).map(([escape, char]) => [escape.charCodeAt(0), char]),
)
const HEX = /^[0-9a-fA-F]+$/
/** An array index written canonically (see isArrayIndex). */
const ARRAY_INDEX = /^(?:0|[1-9][0-9]{0,9})$/
const MAX_ARRAY_INDEX = 2 ** 32 - 2
/** yaml reads the 1,024th character of an implicit key as an error; stay well below. */
const MAX_KEY_LENGTH = 1000

const TYPED_WORD = /^(?:null|true|false)$/i
/** Every character a number of either parser can be written with (0x1F, 0o17, 0b1, 1_000, .inf). */
const NUMBER_LIKE = /^[-+.0-9a-fA-FxXoObBiInN_:]*$/
/** An integer both read as the same property name: no sign, leading zero or loss of precision. */
const PLAIN_INTEGER = /^(?:0|[1-9][0-9]{0,14})$/

class PlainScan {
  private pos = 0
  private readonly end: number

  constructor(private readonly text: string) {
    this.end = text.length
  }

  document(): PlainEntries {
    const entries: PlainEntries = new Map()
    let indexed = false
    let entry: Record<string, string> = {}
    // -1: no block is open; 0: `id:` opened one whose indentation is not known yet.
    let blockIndent = -1
    while (this.pos < this.end) {
      const lineStart = this.pos
      this.skipSpaces()
      const indent = this.pos - lineStart
      if (this.atLineEnd()) {
        this.lineEnd()
        continue
      }
      if (this.code() === HASH) {
        this.skipLine()
        continue
      }
      if (indent === 0) {
        if (blockIndent === 0) throw NOT_PLAIN // `id:` with nothing under it is null
        if (this.text.startsWith('...', this.pos)) throw NOT_PLAIN // the end of the document
        const id = this.key(false)
        if (id === '__proto__' || entries.has(id)) throw NOT_PLAIN
        entry = {}
        entries.set(id, entry)
        indexed ||= isArrayIndex(id)
        this.skipSpaces()
        if (this.code() === OPEN_BRACE) {
          this.flowMapping(entry)
          blockIndent = -1
        } else {
          blockIndent = 0
        }
        this.lineRest()
        continue
      }
      if (blockIndent === -1 || (blockIndent > 0 && indent !== blockIndent)) throw NOT_PLAIN
      blockIndent = indent
      const key = this.key(false)
      this.skipSpaces()
      setOnce(entry, key, this.value(false))
      this.lineRest()
    }
    if (blockIndent === 0 || entries.size === 0) throw NOT_PLAIN
    return indexed ? inPropertyOrder(entries) : entries
  }

  /** `{ key: value, ... }`, closed on its line, into `entry`. */
  private flowMapping(entry: Record<string, string>): void {
    this.pos++
    for (;;) {
      this.skipSpaces()
      // An empty mapping, or a trailing comma.
      if (this.code() === CLOSE_BRACE) throw NOT_PLAIN
      const key = this.key(true)
      this.skipSpaces()
      setOnce(entry, key, this.value(true))
      this.skipSpaces()
      const c = this.code()
      this.pos++
      if (c === CLOSE_BRACE) return
      if (c !== COMMA) throw NOT_PLAIN
    }
  }

  /** A key and its `:`, which a space follows (or, in a block, the end of the line). */
  private key(flow: boolean): string {
    const start = this.pos
    const c = this.code()
    let key: string
    if (c === DOUBLE_QUOTE || c === SINGLE_QUOTE) {
      key = this.quoted()
      this.skipSpaces()
      if (this.code() !== COLON) throw NOT_PLAIN
    } else {
      if (INDICATORS.has(c)) throw NOT_PLAIN
      for (;;) {
        if (this.atLineEnd()) throw NOT_PLAIN
        const k = this.code()
        if (k === COLON) {
          const next = this.text.charCodeAt(this.pos + 1)
          if (next === SPACE || (!flow && this.isLineEnd(this.pos + 1))) break
          // `a:b` is one plain scalar in a block; in a flow it is best not relied upon.
          if (flow) throw NOT_PLAIN
        } else if (k === COMMA || k === OPEN_BRACE || k === CLOSE_BRACE) throw NOT_PLAIN
        else if (k === OPEN_BRACKET || k === CLOSE_BRACKET) throw NOT_PLAIN
        else if (k === HASH && this.text.charCodeAt(this.pos - 1) === SPACE) throw NOT_PLAIN
        this.pos++
      }
      key = this.plainScalar(start, this.trimmedEnd(start), true)
    }
    if (this.pos - start > MAX_KEY_LENGTH) throw NOT_PLAIN
    this.pos++
    if (this.code() !== SPACE && (flow || !this.atLineEnd())) throw NOT_PLAIN
    return key
  }

  /** A non-empty scalar value on this line; a flow value ends before `,` or `}`. */
  private value(flow: boolean): string {
    const c = this.code()
    if (c === DOUBLE_QUOTE || c === SINGLE_QUOTE) return this.quoted()
    if (this.atLineEnd() || INDICATORS.has(c)) throw NOT_PLAIN
    const start = this.pos
    for (;;) {
      if (this.atLineEnd()) {
        if (flow) throw NOT_PLAIN
        break
      }
      const k = this.code()
      if (k === HASH && this.text.charCodeAt(this.pos - 1) === SPACE) {
        if (flow) throw NOT_PLAIN
        break
      }
      if (k === COLON) {
        const next = this.text.charCodeAt(this.pos + 1)
        // `a: b: c` is a nested mapping to yaml; in a flow, any `:` is left to the full path.
        if (flow || next === SPACE || this.isLineEnd(this.pos + 1)) throw NOT_PLAIN
      }
      if (flow) {
        if (k === COMMA || k === CLOSE_BRACE) break
        if (k === OPEN_BRACE || k === OPEN_BRACKET || k === CLOSE_BRACKET) throw NOT_PLAIN
      }
      this.pos++
    }
    return this.plainScalar(start, this.trimmedEnd(start), false)
  }

  /** The plain scalar from `start` to `end`, unless yaml or js-yaml may read it as a number, true or null. */
  private plainScalar(start: number, end: number, isKey: boolean): string {
    const written = this.text.slice(start, end)
    const length = written.length
    if (written === '~' || ((length === 4 || length === 5) && TYPED_WORD.test(written))) throw NOT_PLAIN
    const c = written.charCodeAt(0)
    const numeric = c === 0x2b /* + */ || c === 0x2e /* . */ || (c >= 0x30 && c <= 0x39)
    if (numeric && !(isKey && PLAIN_INTEGER.test(written)) && NUMBER_LIKE.test(written)) throw NOT_PLAIN
    return written
  }

  /** A single- or double-quoted scalar closed on its line, with escapes both parsers decode alike. */
  private quoted(): string {
    const quote = this.code()
    this.pos++
    let value = ''
    let from = this.pos
    for (;;) {
      if (this.atLineEnd()) throw NOT_PLAIN
      const c = this.code()
      if (c === quote) {
        value += this.text.slice(from, this.pos)
        this.pos++
        // '' is a single quote inside a single-quoted scalar.
        if (quote === SINGLE_QUOTE && this.code() === SINGLE_QUOTE) {
          from = this.pos
          this.pos++
          continue
        }
        return value
      }
      if (c === BACKSLASH && quote === DOUBLE_QUOTE) {
        value += this.text.slice(from, this.pos) + this.escape()
        from = this.pos
        continue
      }
      this.pos++
    }
  }

  /** The character an escape at `pos` stands for, moving past it. */
  private escape(): string {
    const escape = this.text.charCodeAt(this.pos + 1)
    const digits = escape === 0x78 /* x */ ? 2 : escape === 0x75 /* u */ ? 4 : 0
    if (digits > 0) {
      const hex = this.text.slice(this.pos + 2, this.pos + 2 + digits)
      if (hex.length !== digits || !HEX.test(hex)) throw NOT_PLAIN
      this.pos += 2 + digits
      return String.fromCharCode(parseInt(hex, 16))
    }
    const char = ESCAPES.get(escape)
    if (char === undefined) throw NOT_PLAIN
    this.pos += 2
    return char
  }

  /** After a node: spaces, then a comment after a space, or the end of the line. */
  private lineRest(): void {
    const start = this.pos
    this.skipSpaces()
    if (this.atLineEnd()) return this.lineEnd()
    if (this.code() !== HASH || (this.pos === start && this.text.charCodeAt(this.pos - 1) !== SPACE))
      throw NOT_PLAIN
    this.skipLine()
  }

  private trimmedEnd(start: number): number {
    let end = this.pos
    while (end > start && this.text.charCodeAt(end - 1) === SPACE) end--
    return end
  }

  private code(): number {
    return this.text.charCodeAt(this.pos)
  }

  private skipSpaces(): void {
    while (this.text.charCodeAt(this.pos) === SPACE) this.pos++
  }

  private isLineEnd(at: number): boolean {
    if (at >= this.end) return true
    const c = this.text.charCodeAt(at)
    return c === LF || c === CR
  }

  private atLineEnd(): boolean {
    return this.isLineEnd(this.pos)
  }

  /** Past the line break at `pos` (mayReadDifferently leaves only LF and CRLF). */
  private lineEnd(): void {
    if (this.pos < this.end) this.pos += this.code() === CR ? 2 : 1
  }

  private skipLine(): void {
    const next = this.text.indexOf('\n', this.pos)
    this.pos = next === -1 ? this.end : next + 1
  }
}

/** Whether JS orders `key` before all other keys of an object, by value: an array index (0 to 2^32 - 2). */
function isArrayIndex(key: string): boolean {
  const c = key.charCodeAt(0)
  return c >= 0x30 && c <= 0x39 && ARRAY_INDEX.test(key) && Number(key) <= MAX_ARRAY_INDEX
}

/** The entries in the order the full path has them, as the properties of a JS object. */
function inPropertyOrder(entries: PlainEntries): PlainEntries {
  const ids = [...entries.keys()]
  const indexes = ids.filter(isArrayIndex).sort((a, b) => Number(a) - Number(b))
  const names = ids.filter((id) => !isArrayIndex(id))
  return new Map([...indexes, ...names].map((id) => [id, entries.get(id)!]))
}

/** Sets a key of an entry; a key written twice (the full path reports it) or __proto__ is not plain. */
function setOnce(entry: Record<string, string>, key: string, value: string): void {
  if (key === '__proto__' || Object.hasOwn(entry, key)) throw NOT_PLAIN
  entry[key] = value
}
