// Maps a path inside a YAML document (as zod reports it) back to a line and column of the source.
import {
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
  type Document,
  type LineCounter,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml'
import type { DocumentPath } from './problems.js'

export interface Position {
  line: number
  col: number
}

/** Point at the value under the path (the default), or at its key (for an unknown key). */
export type Target = 'value' | 'key'

/**
 * The node that best shows where `path` is: the value itself, its key when asked, or, for a key that
 * is missing, the mapping that lacks it. An alias is followed to the anchored node it stands for.
 */
export function nodeAt(doc: Document, documentPath: DocumentPath, target: Target = 'value'): Node | null {
  let node: Node | null = isNode(doc.contents) ? doc.contents : null
  for (const [index, segment] of documentPath.entries()) {
    const collection = isAlias(node) ? node.resolve(doc) : node
    let child: unknown
    if (isMap(collection)) {
      const pair = pairByKey(collection, String(segment))
      if (!pair) return node
      const last = index === documentPath.length - 1
      // An empty value (`up_to:`) has no text of its own: its key shows where it is.
      child = (last && target === 'key') || !hasText(pair.value) ? pair.key : pair.value
    } else if (isSeq(collection) && typeof segment === 'number') {
      child = collection.items[segment]
    }
    if (!isNode(child)) return node
    node = child
  }
  return node
}

/** 1-based line and column of the path's node (see `nodeAt`); 1:1 for an empty document. */
export function locate(
  doc: Document,
  lineCounter: LineCounter,
  documentPath: DocumentPath,
  target: Target = 'value',
): Position {
  const offset = nodeAt(doc, documentPath, target)?.range?.[0] ?? 0
  return lineCounter.linePos(offset)
}

/** The source text of the path's node, e.g. `0.10` for `unit_price: 0.10`; undefined if it is missing. */
export function sourceText(doc: Document, text: string, documentPath: DocumentPath): string | undefined {
  const node = nodeAt(doc, documentPath)
  if (!isScalar(node) || !node.range || documentPath.length === 0) return undefined
  // nodeAt falls back to the parent for a missing key; only an exact hit is the value asked for.
  const parent = nodeAt(doc, documentPath.slice(0, -1))
  if (parent === node) return undefined
  return text.slice(node.range[0], node.range[1])
}

// A file may have a problem per entry (every customer of a renamed plan): finding each one's key by a
// search of its mapping would be quadratic, so each mapping searched is indexed once.
const pairIndexes = new WeakMap<YAMLMap, Map<string, Pair>>()

/** The first pair of `map` whose key reads as `key`. */
function pairByKey(map: YAMLMap, key: string): Pair | undefined {
  let index = pairIndexes.get(map)
  if (!index) {
    index = new Map()
    for (const pair of map.items) {
      const text = keyText(pair.key)
      if (text !== undefined && !index.has(text)) index.set(text, pair)
    }
    pairIndexes.set(map, index)
  }
  return index.get(key)
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value)
  return typeof key === 'string' ? key : undefined
}

function hasText(node: unknown): boolean {
  if (!isNode(node) || !node.range) return false
  return !(isScalar(node) && node.value === null && node.range[0] === node.range[1])
}
