// Reads one YAML file of a plans folder defensively: plan files are small, hand-written documents
// (customers.yaml may list 100,000 customers), so anything huge, aliased into a bomb or not shaped as
// a mapping is reported, never expanded.
import { readFile, stat } from 'node:fs/promises'
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Pair,
  type Scalar,
} from 'yaml'
import { locate, sourceText, type Position, type Target } from './locate.js'
import { formatPath, type DocumentPath, type PlanProblem } from './problems.js'

export const MAX_FILE_BYTES = 1024 * 1024
/**
 * customers.yaml lists every customer: 100,000 of them take 5-7 MB. The parsed document needs about
 * 100 times the file in memory, so past ~40 MB the process dies of heap exhaustion instead of
 * reporting anything; 16 MB (~225,000 customers) loads in ~1.7 GB.
 */
export const MAX_CUSTOMERS_FILE_BYTES = 16 * 1024 * 1024
/** Aliases a document may expand; a handful is plenty for sharing tiers between charges. */
export const MAX_ALIAS_COUNT = 100

/** A parsed YAML file: its plain value and a way to point at any path inside it. */
export class YamlFile {
  constructor(
    readonly file: string,
    readonly text: string,
    /** The document as plain JS: integers are `bigint` (exact), other numbers are binary floats. */
    readonly value: unknown,
    private readonly doc: Document,
    private readonly lineCounter: LineCounter,
  ) {}

  position(documentPath: DocumentPath, target: Target = 'value'): Position {
    return locate(this.doc, this.lineCounter, documentPath, target)
  }

  problem(documentPath: DocumentPath, message: string, target: Target = 'value'): PlanProblem {
    return {
      file: this.file,
      ...this.position(documentPath, target),
      path: formatPath(documentPath),
      message,
    }
  }

  /** The value's text as written, e.g. `0.10` where the value is the number 0.1. */
  sourceText(documentPath: DocumentPath): string | undefined {
    return sourceText(this.doc, this.text, documentPath)
  }
}

/**
 * How every file is parsed. intAsBigInt keeps YAML integers exact and tells them apart from floats
 * (`100` vs `100.0`); prettyErrors would build a code frame per error, slow on pathological input;
 * uniqueKeys compares each key with every earlier one (quadratic): keyProblems checks in one pass.
 */
export const PARSE_OPTIONS = { intAsBigInt: true, prettyErrors: false, uniqueKeys: false } as const

export type YamlRead = { yaml: YamlFile; problems: [] } | { yaml?: undefined; problems: PlanProblem[] }

export interface ReadOptions {
  /** metrics.yaml and customers.yaml may be empty (no entries); a plan file must say something. */
  emptyIsMapping?: boolean
  /** The largest file read, MAX_FILE_BYTES unless said otherwise. */
  maxBytes?: number
}

/** Reads `file` as one YAML document whose top level is a mapping. */
export async function readYamlFile(file: string, options: ReadOptions = {}): Promise<YamlRead> {
  const read = await readTextFile(file, options.maxBytes ?? MAX_FILE_BYTES)
  return read.text === undefined ? read : parseYamlText(file, read.text, options)
}

export type TextRead = { text: string; problems: [] } | { text?: undefined; problems: PlanProblem[] }

/** The text of `file`, or one problem if it cannot be read or has more than `maxBytes` bytes. */
export async function readTextFile(file: string, maxBytes: number): Promise<TextRead> {
  const fileProblem = (message: string): TextRead => ({
    problems: [{ file, line: 1, col: 1, path: '', message }],
  })
  let bytes: Buffer
  try {
    const { size } = await stat(file)
    if (size > maxBytes) return fileProblem(tooLarge(size, maxBytes))
    bytes = await readFile(file)
  } catch (error) {
    return fileProblem(`could not read the file: ${error instanceof Error ? error.message : String(error)}`)
  }
  // The file may have grown since stat.
  if (bytes.length > maxBytes) return fileProblem(tooLarge(bytes.length, maxBytes))
  return { text: bytes.toString('utf8'), problems: [] }
}

/** Parses the text of `file` as one YAML document whose top level is a mapping. */
export function parseYamlText(
  file: string,
  text: string,
  options: Pick<ReadOptions, 'emptyIsMapping'> = {},
): YamlRead {
  const lineCounter = new LineCounter()
  const problemAt = (offset: number, message: string): PlanProblem => ({
    file,
    ...lineCounter.linePos(offset),
    path: '',
    message,
  })
  const fileProblem = (at: Position | undefined, message: string): YamlRead => ({
    problems: [{ file, ...(at ?? { line: 1, col: 1 }), path: '', message }],
  })

  const doc = parseDocument(text, { ...PARSE_OPTIONS, lineCounter })
  const keys = keyProblems(doc, text, lineCounter)
  if (doc.errors.length > 0 || keys.duplicates.length > 0) {
    return {
      problems: syntaxProblems(doc, keys.duplicates).map(({ offset, message }) => problemAt(offset, message)),
    }
  }
  const top = topLevelProblem(doc, lineCounter, options.emptyIsMapping ?? false)
  if (top) return fileProblem(top.at, top.message)
  if (keys.reserved.length > 0) {
    const offsets = keys.reserved.sort((a, b) => a - b)
    return { problems: offsets.map((offset) => problemAt(offset, 'the key __proto__ is reserved')) }
  }
  const read = documentValue(doc, lineCounter)
  if ('problem' in read) return fileProblem(read.problem.at, read.problem.message)
  return { yaml: new YamlFile(file, text, read.value, doc, lineCounter), problems: [] }
}

type Located = { at?: Position; message: string }

/** The parser's errors and the duplicate keys, in the order of the text. */
function syntaxProblems(doc: Document.Parsed, duplicates: { offset: number; message: string }[]) {
  const syntax = doc.errors.map((error) => ({ offset: error.pos[0], message: syntaxMessage(error.message) }))
  const problems = [...syntax, ...duplicates].sort((a, b) => a.offset - b.offset)
  // Runaway nesting is reported once per level the parser unwinds; once is enough.
  const firstTooDeep = problems.findIndex((p) => p.message === TOO_DEEP)
  return problems.filter((p, i) => p.message !== TOO_DEEP || i === firstTooDeep)
}

/** What is wrong with the top level: null for a mapping (or an empty file where that is allowed). */
function topLevelProblem(
  doc: Document.Parsed,
  lineCounter: LineCounter,
  emptyIsMapping: boolean,
): Located | null {
  const expected = 'expected a mapping at the top level (`key: value` lines)'
  if (doc.contents === null || doc.contents === undefined) {
    return emptyIsMapping ? null : { message: `${expected}, got an empty file` }
  }
  if (isMap(doc.contents)) return null
  return { at: locate(doc, lineCounter, []), message: `${expected}, got ${describeNode(doc.contents)}` }
}

/** The document as plain values; an alias bomb is refused at its first alias. */
function documentValue(
  doc: Document.Parsed,
  lineCounter: LineCounter,
): { value: unknown } | { problem: Located } {
  try {
    return { value: doc.contents ? doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) : {} }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    if (!(error instanceof ReferenceError))
      return { problem: { message: `could not read the document: ${reason}` } }
    // toJS refuses to expand an alias bomb with a ReferenceError; point at the first alias.
    let firstAlias: Position = { line: 1, col: 1 }
    visit(doc, {
      Alias(_, node) {
        if (node.range) firstAlias = lineCounter.linePos(node.range[0])
        return visit.BREAK
      },
    })
    const message = `aliases expand to too many nodes (at most ${MAX_ALIAS_COUNT}): ${reason}`
    return { problem: { at: firstAlias, message } }
  }
}

function tooLarge(bytes: number, maxBytes: number): string {
  const limit = `${maxBytes / (1024 * 1024)} MB (${maxBytes} bytes)`
  const rule = maxBytes === MAX_FILE_BYTES ? 'files in a plans folder are' : 'this file is'
  return `the file has ${bytes} bytes; ${rule} limited to ${limit}`
}

interface KeyProblems {
  /** Each key of a mapping that an earlier key of the same mapping already names, at that key. */
  duplicates: { offset: number; message: string }[]
  /** Where the key `__proto__` is written. */
  reserved: number[]
}

/**
 * One pass over every mapping of the document, with a set of its keys: a key written twice is
 * reported at the second one, and `__proto__`, which JS objects would drop or turn into a
 * prototype, wherever it is. Iterative, so that no nesting the parser accepted can overflow it.
 */
export function keyProblems(doc: Document, text: string, lineCounter: LineCounter): KeyProblems {
  const found: KeyProblems = { duplicates: [], reserved: [] }
  const pending: unknown[] = [doc.contents]
  while (pending.length > 0) {
    const node = pending.pop()
    if (isMap(node)) {
      // Keys as the plain JS object has them: `42` and "42" are one property, so they are one key.
      const seen = new Map<string, Scalar>()
      for (const pair of node.items) {
        visitPair(pair, pending, found)
        if (!isScalar(pair.key)) continue
        const name = pair.key.value === null ? '' : String(pair.key.value)
        const first = seen.get(name)
        if (first === undefined) seen.set(name, pair.key)
        else found.duplicates.push(duplicateKey(first, pair.key, text, lineCounter))
      }
    } else if (isSeq(node)) {
      for (const item of node.items) {
        if (isPair(item)) visitPair(item, pending, found)
        else pending.push(item)
      }
    }
  }
  return found
}

function visitPair(pair: Pair, pending: unknown[], found: KeyProblems): void {
  if (isScalar(pair.key) && pair.key.value === '__proto__') found.reserved.push(pair.key.range?.[0] ?? 0)
  pending.push(pair.key, pair.value)
}

function duplicateKey(first: Scalar, again: Scalar, text: string, lineCounter: LineCounter) {
  const offset = again.range?.[0] ?? 0
  // The message of the parser's own check (uniqueKeys), for a key written the same way twice.
  if (first.value === again.value) return { offset, message: 'YAML syntax: Map keys must be unique' }
  const written = (key: Scalar) => (key.range ? text.slice(key.range[0], key.range[1]) : String(key.value))
  const { line, col } = lineCounter.linePos(first.range?.[0] ?? 0)
  const message = `Map keys must be unique: ${written(again)} is the same key as ${written(first)} at ${line}:${col}`
  return { offset, message }
}

const TOO_DEEP = 'YAML syntax: the document nests too deeply'

function syntaxMessage(message: string): string {
  // The parser reports runaway nesting as a stack overflow; say what it means for the file.
  if (message.startsWith('Maximum call stack size exceeded')) return TOO_DEEP
  return `YAML syntax: ${message}`
}

function describeNode(node: unknown): string {
  if (isAlias(node)) return 'an alias'
  if (isSeq(node)) return 'a list'
  return 'a single value'
}
