// Property: loading a plans folder gives exactly the same catalog and the same problems whether
// customers.yaml may take the fast path (fast-yaml.ts, for a text in the plain subset) or not (the yaml
// package). Random
// customers.yaml texts: valid ones (ids and names in any script, quoted or not, flow or block mappings,
// comments, blank lines, CRLF) which must take the fast path, and any mix of valid and invalid entries
// (duplicate ids and keys, bad tax rates, unknown plans, anchors, aliases, tags, merge keys, complex
// keys, block scalars, multi-line flows, tabs, typed scalars, garbage lines). What the fast path reads,
// js-yaml reads alike too.
import fc from 'fast-check'
import { JSON_SCHEMA, load } from 'js-yaml'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { readPlainEntries } from '../../src/plans/fast-yaml.js'
import { loadPlans, type PlansLoad } from '../../src/plans/load.js'
import { exact, plansFolder } from './folder.js'

const PLANS = {
  'pro.yaml': 'code: pro\ncurrency: USD\ninterval: monthly\n',
  'starter.yaml': 'code: starter\ncurrency: EUR\ninterval: yearly\n',
  // A plan with a problem of its own: its customers are not reported, and not in the catalog.
  'legacy.yaml': 'code: legacy\ncurrency: EURO\ninterval: monthly\n',
}

// ---- Scalars ----------------------------------------------------------------------------------------

type Style = 'plain' | 'double' | 'escaped' | 'single'

/** `text` as a YAML scalar: plain (as is, whatever it then means), or quoted in one of three ways. */
function scalar(text: string, style: Style): string {
  if (style === 'plain') return text
  if (style === 'single') return `'${text.replaceAll("'", "''")}'`
  if (style === 'double') return JSON.stringify(text)
  let out = '"'
  for (const char of text) {
    const code = char.codePointAt(0)!
    const named = NAMED_ESCAPES[char]
    if (named !== undefined) out += `\\${named}`
    else if (char === ' ' && out === '"') out += '\\ '
    // A character beyond U+FFFF as its two UTF-16 halves: \U is left to the full path.
    else if (code > 0xff)
      for (const half of char.split('')) out += `\\u${half.charCodeAt(0).toString(16).padStart(4, '0')}`
    else if (code < 0x20 || code > 0x7e) out += `\\x${code.toString(16).padStart(2, '0')}`
    else out += char
  }
  return `${out}"`
}

/** YAML's named escapes of a double-quoted scalar: the character -> the letter after the backslash. */
const NAMED_ESCAPES: Record<string, string> = {
  '\0': '0',
  '\x07': 'a',
  '\b': 'b',
  '\t': 't',
  '\n': 'n',
  '\v': 'v',
  '\f': 'f',
  '\r': 'r',
  '\x1b': 'e',
  '"': '"',
  '/': '/',
  '\\': '\\',
  '\x85': 'N',
  '\xa0': '_',
  '\u2028': 'L',
  '\u2029': 'P',
}

/** Characters a clean text never holds raw: they send a file to the full path. */
const RAW_UNUSUAL = /[\x00-\x1F\x7F-\x9F\u2028\u2029\uFEFF\uFFFE\uFFFF]|__proto__|<</
/** A string written plain in a clean text: it starts with a letter and reads as that string. */
const NICE_PLAIN = /^\p{L}[\p{L}\p{M}\p{N}&'._-]*(?: [\p{L}\p{M}\p{N}&'._-]+)*$/u

/** How a clean text writes `text`: plain when that is safe, else quoted (escaped if it must be). */
function cleanStyle(text: string, pick: number, isKey = false): Style {
  const integerKey = isKey && /^[1-9][0-9]{0,8}$/.test(text)
  if (integerKey || (NICE_PLAIN.test(text) && !/^(?:null|true|false)$/i.test(text)))
    return pick % 4 === 0 ? 'double' : 'plain'
  if (RAW_UNUSUAL.test(text)) return 'escaped'
  return (['double', 'escaped', 'single'] as const)[pick % 3]!
}

const NAMES = [
  'AT&T',
  'Procter & Gamble',
  "O'Brien",
  'C#',
  'Foo, Inc.',
  '顧客 1',
  'Клиент 5',
  'عميل',
  'ग्राहक',
  'Πελάτης',
  '🚀 Rocket',
  'say "hi"',
  'back\\slash',
  'new\nline',
  'nb\u00a0sp',
  'escapes \0\x07\b\t\v\f\r\x1b\x85\u2028\u2029 /',
  ' lead',
  'trail ',
  'a: b',
  'x #y',
  'null',
  'True',
  '123',
  '0x1F',
  '1e3',
  '.inf',
  'é',
]

/** Names and ids of any script, and the strings YAML reads in a special way. */
const anyString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NAMES) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }) },
  { weight: 3, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 10_000 }).map(String) },
)

const cleanString = anyString.filter((text) => !/__proto__|<</.test(text) && text !== '')

/** Strings of the characters YAML gives a meaning, for texts that may be anything. */
const trickyString = fc.oneof(
  fc.constantFrom(
    ...['-x', '? x', ':x', '&a', '*a', '!x', '!!str x', '|', '>', '%x', '@x', '`x', '~', 'NULL', 'yes'],
    ...['007', '0o17', '0b11', '1.5', '.5', '-.inf', '.NaN', '1_000', '+5', '-5', '12:30', '{a}', '[a]'],
    ...['a]b', 'a}b', 'a{b', 'a, b', '<<', '__proto__', 'a\tb', 'line\u2028sep', '\ufeffbom', 'cr\rlf'],
    ...['---', '...', 'a\u0085b', 'ctrl\u0001', '"', "'", '#', ' ', '', `${'k'.repeat(1030)}`],
  ),
  fc.string({ unit: fc.constantFrom(...'ab &:#,-?{}[]\'"!*|>%@`~\\ .0x1e\t'), minLength: 1, maxLength: 6 }),
)

// ---- Entries ----------------------------------------------------------------------------------------

interface Field {
  key: string
  value: string
}

interface EntryLayout {
  flow: boolean
  indent: number
  /** Spaces around `{`, `}` and after `,`; a space before `:` when set. */
  pad: string
  spaceBeforeColon: boolean
  comment?: string
  /** Blank or comment lines inside a block entry, after the field of the same index. */
  between: (string | null)[]
}

/** One customer: `id: { key: value, ... }` or `id:` and a line per field. */
function entryLines(id: string, fields: Field[], layout: EntryLayout): string[] {
  const colon = layout.spaceBeforeColon ? ' :' : ':'
  const comment = layout.comment === undefined ? '' : `   # ${layout.comment}`
  if (layout.flow) {
    const pairs = fields.map((f) => `${f.key}${colon} ${f.value}`).join(`,${layout.pad || ' '}`)
    return [`${id}: {${layout.pad}${pairs}${layout.pad}}${comment}`]
  }
  const lines = [`${id}:${comment}`]
  fields.forEach((f, index) => {
    lines.push(`${' '.repeat(layout.indent)}${f.key}${colon} ${f.value}${index === 0 ? comment : ''}`)
    const extra = layout.between[index]
    if (extra !== undefined) lines.push(extra === null ? '' : `${' '.repeat(index + 1)}# ${extra}`)
  })
  return lines
}

const commentText = fc.oneof(
  fc.constantFrom('note', 'AT&T *x &y !z ? | > %', '顧客 🚀', ': x', '"unclosed', '#'),
  fc.string({ unit: 'grapheme', maxLength: 8 }).filter((text) => !RAW_UNUSUAL.test(text)),
)

const layout = fc.record({
  flow: fc.boolean(),
  indent: fc.constantFrom(1, 2, 4),
  pad: fc.constantFrom('', ' ', '  '),
  spaceBeforeColon: fc.boolean(),
  comment: fc.option(commentText, { nil: undefined }),
  between: fc.array(fc.option(commentText, { nil: null }), { maxLength: 3 }),
})

const VALID_TAX_RATES = ['0.20', '0.19', '0', '0.075', '1', '0.5']

/** A valid customer: a plan of the folder, maybe a name, maybe a tax rate, in any order and layout. */
const cleanEntry = fc.record({
  id: cleanString,
  idPick: fc.nat(),
  plan: fc.constantFrom('pro', 'starter', 'legacy'),
  planQuote: fc.constantFrom<Style>('plain', 'plain', 'double', 'single'),
  name: fc.option(cleanString, { nil: undefined }),
  namePick: fc.nat(),
  taxRate: fc.option(fc.constantFrom(...VALID_TAX_RATES), { nil: undefined }),
  taxQuote: fc.constantFrom<Style>('double', 'single'),
  order: fc.nat(),
  layout,
})

type CleanEntry = typeof cleanEntry extends fc.Arbitrary<infer T> ? T : never

function cleanFields(e: CleanEntry): Field[] {
  const fields: Field[] = [{ key: 'plan', value: scalar(e.plan, e.planQuote) }]
  if (e.name !== undefined)
    fields.push({ key: 'name', value: scalar(e.name, cleanStyle(e.name, e.namePick)) })
  if (e.taxRate !== undefined) fields.push({ key: 'tax_rate', value: scalar(e.taxRate, e.taxQuote) })
  const shift = e.order % fields.length
  return [...fields.slice(shift), ...fields.slice(0, shift)]
}

interface CleanText {
  /** Each entry's lines, after the blank lines that come before it. */
  entries: string[][]
  header?: string
  crlf: boolean
  finalBreak: boolean
}

/** A valid customers.yaml: unique ids, blank and comment lines, LF or CRLF. */
const cleanParts = fc
  .record({
    entries: fc.uniqueArray(cleanEntry, { selector: (e) => e.id, minLength: 1, maxLength: 20 }),
    header: fc.option(commentText, { nil: undefined }),
    blanks: fc.array(fc.nat(2), { maxLength: 20 }),
    crlf: fc.boolean(),
    finalBreak: fc.boolean(),
  })
  .map(({ entries, header, blanks, crlf, finalBreak }): CleanText => ({
    entries: entries.map((e, index) => [
      ...Array.from({ length: blanks[index] ?? 0 }, () => ''),
      ...entryLines(scalar(e.id, cleanStyle(e.id, e.idPick, true)), cleanFields(e), e.layout),
    ]),
    ...(header !== undefined && { header }),
    crlf,
    finalBreak,
  }))

function joinText({ entries, header, crlf, finalBreak }: CleanText): string {
  const lines = [...(header === undefined ? [] : [`# ${header}`]), ...entries.flat()]
  const eol = crlf ? '\r\n' : '\n'
  return lines.join(eol) + (finalBreak ? eol : '')
}

const cleanText = cleanParts.map(joinText)

/** Any customer, valid or not: any strings in any style, unknown plans and keys, bad tax rates. */
const anyEntry = fc.record({
  // A small pool of ids as well, so that some are written twice (also as 42 and "42").
  id: fc.oneof(anyString, trickyString, fc.constantFrom('acme', 'globex', '42')),
  idStyle: fc.constantFrom<Style>('plain', 'plain', 'double', 'escaped', 'single'),
  fields: fc.array(
    fc.record({
      key: fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom('plan', 'name', 'tax_rate') },
        { weight: 1, arbitrary: fc.constantFrom('plann', 'taxrate', '"plan"', 'plan ', '42') },
        { weight: 1, arbitrary: trickyString },
      ),
      value: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom('pro', 'starter', 'legacy', 'gold', '') },
        {
          weight: 3,
          arbitrary: fc.constantFrom(...VALID_TAX_RATES, '1.5', '-0.1', '0.1234567890123', 'abc'),
        },
        { weight: 3, arbitrary: anyString },
        { weight: 2, arbitrary: trickyString },
      ),
      style: fc.constantFrom<Style>('plain', 'plain', 'double', 'escaped', 'single'),
    }),
    { maxLength: 4 },
  ),
  layout,
})

/** Pieces of YAML that only the full path may read, or that make the file wrong. */
const UNUSUAL_PIECES = [
  'anchored: &a { plan: pro }',
  'aliased: *a',
  'merged:\n  <<: *a\n  name: M',
  'top_merge:\n  plan: pro\n<<: { plan: pro }',
  'tagged: { plan: !!str pro }',
  'map_tag: !!map { plan: pro }',
  'custom_tag: { plan: !shout pro }',
  '? complex\n: { plan: pro }',
  'literal:\n  plan: pro\n  name: |\n    multi\n    line',
  'folded:\n  plan: pro\n  name: >\n    x',
  'multi_flow: { plan: pro,\n  name: two lines }',
  'shallow_flow: { plan: pro,\nname: x }',
  'tabbed:\n\tplan: pro',
  'tab_after:\n  plan:\tpro',
  'empty:',
  'nullish: ~',
  'listed: [pro]',
  'scalar: pro',
  '__proto__: { plan: pro }',
  'proto_inside: { __proto__: x, plan: pro }',
  '"\\x5f_proto__": { plan: pro }',
  '---',
  '...',
  '%YAML 1.2',
  'deep: { plan: { a: { b: c } } }',
  'float_rate: { plan: pro, tax_rate: 0.2 }',
  'int_rate: { plan: pro, tax_rate: 1 }',
  'inf_rate: { plan: pro, tax_rate: .inf }',
  'high_rate: { plan: pro, tax_rate: "1.5" }',
  'neg_rate: { plan: pro, tax_rate: "-0.1" }',
  'text_rate: { plan: pro, tax_rate: "abc" }',
  'long_rate: { plan: pro, tax_rate: "0.1234567890123" }',
  'empty_name: { plan: pro, name: "" }',
  'empty_plan: { plan: "" }',
  'no_plan: { name: Someone }',
  'other_plan: { plan: nope }',
  'bad_escape: { plan: pro, name: "a\\qb" }',
  'glued:\n  plan: "pro"#c',
  `${'k'.repeat(1030)}: { plan: pro }`,
  'compact:\n  plan: pro: x',
  'lone_cr: { plan: pro }\rnext: { plan: pro }',
  '0b101: { plan: pro }',
  'null: { plan: pro }',
  '  indented: { plan: pro }',
]

const anyPiece = fc.oneof(
  {
    weight: 8,
    arbitrary: anyEntry.map((e) =>
      entryLines(
        scalar(e.id, e.idStyle),
        e.fields.map((f) => ({ key: f.key, value: scalar(f.value, f.style) })),
        e.layout,
      ).join('\n'),
    ),
  },
  {
    weight: 4,
    arbitrary: cleanEntry.map((e) => entryLines(scalar(e.id, 'double'), cleanFields(e), e.layout).join('\n')),
  },
  { weight: 2, arbitrary: fc.constantFrom(...UNUSUAL_PIECES) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      commentText.map((text) => `# ${text}`),
      fc.constant(''),
    ),
  },
  { weight: 1, arbitrary: trickyString },
)

/** Plain scalars that one parser or both read as null, a boolean or a number (or a long integer). */
const typedScalar = fc.constantFrom(
  ...['~', 'null', 'Null', 'NULL', 'true', 'False', 'TRUE', '0x1F', '0o17', '0b101', '007', '1e3', '.5'],
  ...[
    '+5',
    '-5',
    '1_000',
    '12:30',
    '.inf',
    '-.inf',
    '.NaN',
    '0',
    '42',
    '1.0',
    '9007199254740993',
    '4294967294',
    '4294967295',
  ],
)

/** One piece that may change what a valid file means: a risky id, key or value, written in any style. */
const riskyPiece = fc.oneof(
  fc.constantFrom(...UNUSUAL_PIECES),
  // An id that one parser or both read as null or a number: it names another customer, or none.
  {
    weight: 2,
    arbitrary: fc
      .tuple(typedScalar, cleanEntry)
      .map(([id, e]) => entryLines(id, cleanFields(e), e.layout).join('\n')),
  },
  fc.constantFrom(
    'acme: { plan: pro }',
    '"acme": { plan: starter }',
    '42: { plan: pro }',
    "'42':\n  plan: pro",
  ),
  fc
    .record({
      e: cleanEntry,
      id: fc.oneof(typedScalar, trickyString, anyString),
      style: fc.constantFrom<Style>('plain', 'single'),
    })
    .map(({ e, id, style }) => entryLines(scalar(id, style), cleanFields(e), e.layout).join('\n')),
  fc
    .record({
      e: cleanEntry,
      key: fc.constantFrom('plan', 'name', 'tax_rate', 'plann'),
      value: fc.oneof(typedScalar, trickyString, anyString),
      style: fc.constantFrom<Style>('plain', 'plain', 'double', 'escaped', 'single'),
    })
    .map(({ e, key, value, style }) => {
      const fields = [...cleanFields(e).filter((f) => f.key !== key), { key, value: scalar(value, style) }]
      return entryLines(scalar(e.id, 'single'), fields, e.layout).join('\n')
    }),
)

/** A valid customers.yaml with one to three risky pieces put in: mostly plain, so js-yaml reads it. */
const nearlyCleanText = fc
  .tuple(cleanParts, fc.array(fc.tuple(fc.nat(), riskyPiece), { minLength: 1, maxLength: 3 }))
  .map(([parts, pieces]) => {
    const entries = [...parts.entries]
    for (const [at, piece] of pieces) entries.splice(at % (entries.length + 1), 0, piece.split('\n'))
    return joinText({ ...parts, entries })
  })

/** Any customers.yaml: a mix of valid and invalid pieces, maybe with a BOM, LF or CRLF. */
const anyText = fc
  .record({
    pieces: fc.array(anyPiece, { minLength: 0, maxLength: 12 }),
    crlf: fc.boolean(),
    bom: fc.boolean(),
  })
  .map(({ pieces, crlf, bom }) => {
    const text = `${pieces.join('\n')}\n`
    return (bom ? '\ufeff' : '') + (crlf ? text.replaceAll('\n', '\r\n') : text)
  })

// ---- Both paths -------------------------------------------------------------------------------------

/** The catalog and problems as plain data: customers in catalog order, amounts as written exactly. */
function view({ catalog, problems }: PlansLoad) {
  return {
    plans: [...catalog.plans.keys()],
    customers: [...catalog.customers].map(([id, customer]) => [id, exact(customer)]),
    problems,
  }
}

async function bothPaths(dir: string, text: string) {
  writeFileSync(path.join(dir, 'customers.yaml'), text)
  const fast = view(await loadPlans(dir))
  const full = view(await loadPlans(dir, { customersFastPath: false }))
  return { fast, full }
}

/** js-yaml's reading, a second parser beside yaml: the plain subset is read alike by both. */
function jsYamlEntries(text: string) {
  return new Map(
    Object.entries(load(text, { schema: JSON_SCHEMA }) as Record<string, Record<string, string>>),
  )
}

describe('customers.yaml on the fast path and on the full path', () => {
  const dir = plansFolder(PLANS)

  it('gives the same catalog, and no problem of customers.yaml, for a valid file on the fast path', async () => {
    await fc.assert(
      fc.asyncProperty(cleanText, async (text) => {
        expect(readPlainEntries(text)).toBeDefined()
        expect(readPlainEntries(text)).toEqual(jsYamlEntries(text))
        const { fast, full } = await bothPaths(dir, text)
        expect(fast).toEqual(full)
        expect(full.problems.map((p) => path.basename(p.file))).toEqual(['legacy.yaml'])
      }),
      { numRuns: 300 },
    )
  })

  it('gives the same catalog and the same problems, each at its place, for any file', async () => {
    let plain = 0
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyText, nearlyCleanText), async (text) => {
        const entries = readPlainEntries(text)
        if (entries) {
          plain++
          expect(entries).toEqual(jsYamlEntries(text))
        }
        const { fast, full } = await bothPaths(dir, text)
        expect(fast).toEqual(full)
      }),
      { numRuns: 1000 },
    )
    // The property means something only if some of these texts were read by js-yaml.
    console.log('PLAIN', plain)
    expect(plain).toBeGreaterThan(100)
  })
})
