// customers.yaml is read on the fast path only when its text keeps to a plain subset that yaml reads
// alike: ordinary names (AT&T, Procter & Gamble, any script) stay on it, and anything unusual (anchors,
// aliases, tags, merge keys, complex keys, multi-line or typed scalars...) is left to yaml.
import { describe, expect, it } from 'vitest'
import { customersYaml } from '../../bench/plans-folder.js'
import { readPlainEntries } from '../../src/plans/fast-yaml.js'
import { yaml } from './folder.js'

describe('the plain subset of customers.yaml', () => {
  it('is read, with & in names, any script, quotes, escapes and comments', () => {
    const text = yaml`
      # customers
      att: { plan: pro, name: AT&T, tax_rate: "0.20" }
      pg: { plan: pro, name: Procter & Gamble }   # a comment after a space

      kunde_1:
        plan: starter
        name: 顧客 🚀 Клиент   # comment
        tax_rate: '0.075'
      "quoted id": { plan: pro, name: "say \\"hi\\" \\u00e9\\x41\\/", tax_rate: '0.1' }
      42: { plan : pro , name: O'Brien, other: C# }
      block:
          plan: pro
          name: Foo, Inc. a:b
    `
    // In the order of an object's properties, as the full path has them: integer keys first.
    expect([...(readPlainEntries(text) ?? [])]).toEqual([
      ['42', { plan: 'pro', name: "O'Brien", other: 'C#' }],
      ['att', { plan: 'pro', name: 'AT&T', tax_rate: '0.20' }],
      ['pg', { plan: 'pro', name: 'Procter & Gamble' }],
      ['kunde_1', { plan: 'starter', name: '顧客 🚀 Клиент', tax_rate: '0.075' }],
      ['quoted id', { plan: 'pro', name: 'say "hi" éA/', tax_rate: '0.1' }],
      ['block', { plan: 'pro', name: 'Foo, Inc. a:b' }],
    ])
  })

  it('holds the generated customers.yaml of the benchmark', () => {
    expect(readPlainEntries(customersYaml(10_000))?.size).toBe(10_000)
  })

  it('reads CRLF line ends like LF ones', () => {
    expect([...(readPlainEntries('a: { plan: pro }\r\nb:\r\n  plan: pro\r\n') ?? [])]).toEqual([
      ['a', { plan: 'pro' }],
      ['b', { plan: 'pro' }],
    ])
  })

  it.each([
    ['an anchor and an alias', 'a: &x { plan: pro }\nb: *x\n'],
    ['an anchor on a value', 'a: { plan: &p pro }\n'],
    ['a tag', 'a: { plan: !!str pro }\n'],
    ['a custom tag', 'a: !customer { plan: pro }\n'],
    ['a merge key', 'a: { plan: pro }\nb:\n  <<: { plan: pro }\n'],
    ['a complex key', '? a\n: { plan: pro }\n'],
    ['a block scalar', 'a:\n  plan: pro\n  name: |\n    x\n'],
    ['a folded scalar', 'a:\n  plan: pro\n  name: >\n    x\n'],
    ['a multi-line plain scalar', 'a:\n  plan: pro\n  name: x\n    y\n'],
    ['a multi-line quoted scalar', 'a: { plan: pro, name: "x\n  y" }\n'],
    ['a multi-line flow mapping', 'a: { plan: pro,\n  name: x }\n'],
    ['a flow mapping indented too little (yaml refuses it)', 'a: { plan: pro,\nname: x }\n'],
    ['a comment glued to a quoted scalar (yaml refuses it)', 'a: { plan: pro }\nb:\n  plan: "pro"#x\n'],
    ['a key of 1,030 characters (yaml refuses it)', `${'k'.repeat(1030)}: { plan: pro }\n`],
    ['a tab', 'a:\n  plan:\tpro\n'],
    ['a lone CR (yaml reads no line break)', 'a: { plan: pro }\rb: { plan: pro }\n'],
    ['a BOM', '\ufeffa: { plan: pro }\n'],
    ['a line separator', 'a: { plan: pro, name: "x\u2028y" }\n'],
    ['a control character', 'a: { plan: pro, name: "x\u0001y" }\n'],
    ['the key __proto__', '__proto__: { plan: pro }\n'],
    ['__proto__ inside an entry', 'a: { plan: pro, __proto__: x }\n'],
    ['an escaped __proto__', '"\\x5f_proto__": { plan: pro }\n'],
    ['an escaped __proto__ inside an entry', 'a: { plan: pro, "\\x5f_proto__": x }\n'],
    ['a key yaml reads as null and js-yaml as "null"', 'null: { plan: pro }\n'],
    ['a key ~', '~: { plan: pro }\n'],
    ['a binary number js-yaml reads as 5 and yaml as a string', '0b101: { plan: pro }\n'],
    ['a hexadecimal key', '0x1F: { plan: pro }\n'],
    ['a key with a leading zero', '007: { plan: pro }\n'],
    ['a float key', '1.5: { plan: pro }\n'],
    ['a number as a value', 'a: { plan: pro, tax_rate: 0.2 }\n'],
    ['an integer as a value', 'a: { plan: 42 }\n'],
    ['a boolean as a value', 'a:\n  plan: true\n'],
    ['.inf as a value', 'a: { plan: pro, tax_rate: .inf }\n'],
    ['a key written twice', 'a: { plan: pro }\na: { plan: pro }\n'],
    ['a number and a string that are one key', '42: { plan: pro }\n"42": { plan: pro }\n'],
    ['an unknown escape', 'a: { plan: "p\\qro" }\n'],
    ['a \\U escape', 'a: { plan: "\\U0001F600" }\n'],
    ['a document marker', '---\na: { plan: pro }\n'],
    ['a document end', 'a: { plan: pro }\n...\n'],
    ['a directive', '%YAML 1.2\n---\na: { plan: pro }\n'],
    ['a nested mapping in a compact one (yaml refuses it)', 'a:\n  plan: pro: x\n'],
    ['a list', 'a: [pro]\n'],
    ['a top-level list', '- a\n'],
    ['a scalar customer', 'a: pro\n'],
    ['an empty customer', 'a:\nb: { plan: pro }\n'],
    ['an empty flow mapping', 'a: {}\n'],
    ['an empty value', 'a: { plan: }\n'],
    ['a trailing comma', 'a: { plan: pro, }\n'],
    ['a nested flow mapping', 'a: { plan: { code: pro } }\n'],
    ['a deeper block', 'a:\n  plan:\n    code: pro\n'],
    ['two indentations in one block', 'a:\n  plan: pro\n   name: x\n'],
    ['an indented top level', '  a: { plan: pro }\n'],
    ['an empty file', ''],
    ['only comments', '# none yet\n'],
  ])('is left to the full path: %s', (_, text) => {
    expect(readPlainEntries(text)).toBeUndefined()
  })
})
