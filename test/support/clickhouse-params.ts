// Query parameters as a ClickHouse server receives them (`param_<name>` in the URL, in ClickHouse
// text form), turned back into the JS values chdb's `queryBindAsync` expects.
//
// Why not pass the text straight through: chdb formats every param value itself (its
// `formatParamValue`): a JS string is TSV-escaped, so the text @clickhouse/client already escaped
// would be escaped twice — `['it\'s']` arrives at the engine as `['it\\'s']` and fails to parse,
// and a top-level `a\\b` would bind as `a\\b` instead of `a\b`. So each value is decoded by the type
// its placeholder declares: composite types (Array, Map, Tuple) from their literal into JS
// arrays / Maps / tuples, which chdb prints back as the same literal; everything else from the TSV
// escaping into a plain string, which chdb escapes again and the engine parses by the declared type
// (String, UInt32, Bool as 1/0, DateTime64 as text or Unix seconds, ...).

/** `{name:Type}` placeholders in a query, name -> declared type. */
export function placeholderTypes(sql: string): Map<string, string> {
  const types = new Map<string, string>()
  for (const m of sql.matchAll(/\{\s*([A-Za-z_]\w*)\s*:\s*([^{}]+?)\s*\}/g)) types.set(m[1]!, m[2]!)
  return types
}

/** The values to hand to chdb's `queryBindAsync` for the `param_*` texts of a request. */
export function decodeParams(sql: string, texts: Record<string, string>): Record<string, unknown> {
  const types = placeholderTypes(sql)
  const out: Record<string, unknown> = {}
  for (const [name, text] of Object.entries(texts)) out[name] = decodeParam(text, types.get(name))
  return out
}

export function decodeParam(text: string, type: string | undefined): unknown {
  if (text === '\\N') return null
  const inner = type?.replace(/^\s*(?:Nullable|LowCardinality)\s*\((.*)\)\s*$/s, '$1').trim()
  if (inner && /^(Array|Map|Tuple)\s*\(/.test(inner)) {
    const reader = new LiteralReader(text)
    const value = reader.value()
    reader.end()
    return value
  }
  return unescapeTsv(text)
}

const ESCAPES: Record<string, string> = {
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  '0': '\0',
  a: '\x07',
  v: '\v',
}

/** Undoes ClickHouse's Escaped (TSV) text: `\t`, `\n`, `\\`, `\'`, `\xHH`, ... */
export function unescapeTsv(text: string): string {
  return text.replace(/\\(x[0-9A-Fa-f]{2}|[\s\S])/g, (_, c: string) =>
    c.length === 3 ? String.fromCharCode(parseInt(c.slice(1), 16)) : (ESCAPES[c] ?? c),
  )
}

/** Recognised by chdb's serializer by its class name: binds as the tuple literal `(a, b)`. */
class TupleParam {
  constructor(readonly values: unknown[]) {}
}

/** Reads one ClickHouse literal: 'string', number, NULL, true/false, [array], (tuple), {map}. */
class LiteralReader {
  private i = 0
  constructor(private readonly s: string) {}

  value(): unknown {
    this.space()
    const c = this.s[this.i]
    if (c === "'") return this.quoted()
    if (c === '[') return this.list(']')
    if (c === '(') return new TupleParam(this.list(')'))
    if (c === '{') return this.map()
    const token = /^[^,\]\)\}:\s]+/.exec(this.s.slice(this.i))?.[0]
    if (!token) throw this.error('a value')
    this.i += token.length
    if (/^null$/i.test(token)) return null
    if (/^(true|false)$/i.test(token)) return token.toLowerCase() === 'true'
    if (/^[-+]?\d+$/.test(token)) return BigInt(token)
    const n = Number(token)
    if (Number.isNaN(n) && !/^[-+]?nan$/i.test(token)) throw this.error('a number')
    return n
  }

  end(): void {
    this.space()
    if (this.i < this.s.length) throw this.error('the end of the value')
  }

  private list(close: string): unknown[] {
    this.i++
    const items: unknown[] = []
    this.space()
    if (this.s[this.i] === close) {
      this.i++
      return items
    }
    for (;;) {
      items.push(this.value())
      if (this.take(close)) return items
      this.expect(',')
    }
  }

  private map(): Map<unknown, unknown> {
    this.i++
    const map = new Map<unknown, unknown>()
    this.space()
    if (this.take('}')) return map
    for (;;) {
      const key = this.value()
      this.expect(':')
      map.set(key, this.value())
      if (this.take('}')) return map
      this.expect(',')
    }
  }

  private quoted(): string {
    let out = ''
    for (this.i++; this.i < this.s.length; this.i++) {
      const c = this.s[this.i]!
      if (c === '\\') {
        const hex = /^x([0-9A-Fa-f]{2})/.exec(this.s.slice(this.i + 1))
        if (hex) {
          out += String.fromCharCode(parseInt(hex[1]!, 16))
          this.i += 3
        } else {
          const e = this.s[++this.i] ?? ''
          out += ESCAPES[e] ?? e
        }
      } else if (c === "'") {
        if (this.s[this.i + 1] !== "'") {
          this.i++
          return out
        }
        out += "'"
        this.i++
      } else out += c
    }
    throw this.error('a closing quote')
  }

  private take(c: string): boolean {
    this.space()
    if (this.s[this.i] !== c) return false
    this.i++
    return true
  }

  private expect(c: string): void {
    if (!this.take(c)) throw this.error(`'${c}'`)
  }

  private space(): void {
    while (/\s/.test(this.s[this.i] ?? '')) this.i++
  }

  private error(what: string): Error {
    return new Error(
      `Code: 457. DB::Exception: Value ${this.s} cannot be parsed for a query parameter: expected ${what} at position ${this.i}. (BAD_QUERY_PARAMETER)`,
    )
  }
}
