import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { lineChunks, type ChunkOrRejection, type LineChunk } from '../../src/ingest/line-chunks.js'
import type { LineRejection } from '../../src/ingest/validate-chunk.js'

const BOM = Buffer.from([0xef, 0xbb, 0xbf])

/** The input as a stream of pieces whose sizes cycle through `sizes`, each its own copy. */
async function* pieces(input: Buffer, sizes: number[]): AsyncGenerator<Buffer> {
  for (let i = 0, k = 0; i < input.length; k++) {
    const n = sizes[k % sizes.length]!
    yield Buffer.from(input.subarray(i, i + n))
    i += n
  }
}

async function collect(input: Buffer, sizes: number[], chunkBytes: number, maxLineBytes: number) {
  const items: ChunkOrRejection[] = []
  for await (const item of lineChunks(pieces(input, sizes), { chunkBytes, maxLineBytes })) {
    items.push(item)
    // Every item stands for at least one byte of input: more items than bytes means a runaway loop.
    if (items.length > input.length + 1) throw new Error(`runaway: more than ${input.length + 1} items`)
  }
  const chunks = items.flatMap((x) => ('chunk' in x ? [x.chunk] : []))
  const rejections = items.flatMap((x) => ('rejection' in x ? [x.rejection] : []))
  return { items, chunks, rejections, text: Buffer.concat(chunks.map((c) => c.bytes)).toString('latin1') }
}

const newlines = (b: Buffer) => b.toString('latin1').split('\n').length - 1

/** Walks the items in order: each chunk starts at the line after everything before it. */
function checkNumbering(items: ChunkOrRejection[]): number {
  let next = 1
  for (const item of items) {
    if ('rejection' in item) {
      expect(item.rejection.line).toBe(next)
      next++
      continue
    }
    const c: LineChunk = item.chunk
    expect(c.firstLine).toBe(next)
    const n = newlines(c.bytes)
    expect(c.lines).toBe(c.bytes.at(-1) === 0x0a ? n : n + 1)
    next += c.lines
  }
  return next - 1
}

const SMALL_PIECES = [1, 7, 3, 2, 5, 4, 6]

describe('lineChunks', () => {
  it('gives back every line, in order, in numbered chunks of at most chunkBytes (random inputs and pieces)', async () => {
    const max = 60
    const lineArb = fc.oneof(
      { weight: 5, arbitrary: fc.record({ len: fc.integer({ min: 0, max }), crlf: fc.boolean() }) },
      {
        weight: 1,
        arbitrary: fc.record({ len: fc.integer({ min: max + 1, max: 400 }), crlf: fc.constant(false) }),
      },
    )
    const sizesArb = fc.oneof(
      fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 20 }),
      fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 5 }),
    )
    await fc.assert(
      fc.asyncProperty(
        fc.array(lineArb, { minLength: 1, maxLength: 60 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 16, max: 300 }),
        sizesArb,
        async (lines, bom, finalNewline, chunkBytes, sizes) => {
          const texts = lines.map((l, i) => {
            const last = i === lines.length - 1
            const len = l.len
            const body = `${i}:`.padEnd(len, String.fromCharCode(97 + (i % 26))).slice(0, len)
            return { len, crlf: l.crlf, text: body + (last && !finalNewline ? '' : l.crlf ? '\r\n' : '\n') }
          })
          if (texts.at(-1)!.text === '') texts.pop() // an empty last line without a newline is no line
          const input = Buffer.concat([
            bom ? BOM : Buffer.alloc(0),
            Buffer.from(texts.map((t) => t.text).join('')),
          ])
          const got = await collect(input, sizes, chunkBytes, max)

          // Each line comes out whole in a chunk, or as a rejection (only when over the limit).
          const out: (string | LineRejection)[] = []
          for (const item of got.items) {
            if ('rejection' in item) out.push(item.rejection)
            else out.push(...(item.chunk.bytes.toString('latin1').match(/[^\n]*\n|[^\n]+$/g) ?? []))
          }
          expect(out).toHaveLength(texts.length)
          const biggestPiece = Math.max(...sizes)
          for (const [i, t] of texts.entries()) {
            const o = out[i]!
            if (typeof o === 'string') {
              expect(o).toBe(t.text)
              expect(t.len > max + 1 + biggestPiece).toBe(false) // it cannot have streamed by unseen
            } else {
              expect(t.len).toBeGreaterThan(max)
              expect([o.line, o.reason]).toEqual([
                i + 1,
                `line is ${t.len} bytes, over the ${max}-byte limit`,
              ])
            }
          }
          expect(checkNumbering(got.items)).toBe(texts.length)
          for (const [k, c] of got.chunks.entries()) {
            expect(c.bytes.length).toBeGreaterThan(0)
            if (c.bytes.length > chunkBytes) expect(c.lines).toBe(1)
            if (k < got.chunks.length - 1) expect(c.bytes.at(-1)).toBe(0x0a)
            expect(c.bytes.byteOffset).toBe(0)
            expect(c.bytes.buffer.byteLength).toBe(c.bytes.length)
          }
        },
      ),
      { numRuns: 400 },
    )
  })

  it('skips a 1 MB line with maxLineBytes 64 KiB as one rejection; the lines around it survive', async () => {
    const before = ['{"a":1}', '', '{"b":2}']
    const after = ['{"c":3}', '{"d":4}']
    const huge = `{"blob":"${'x'.repeat((1 << 20) - 11)}"}`
    expect(huge.length).toBe(1 << 20)
    const input = Buffer.from([...before, huge, ...after].join('\n') + '\n')
    for (const sizes of [SMALL_PIECES, [4096, 1, 65535], [1 << 20]]) {
      const got = await collect(input, sizes, 16, 64 << 10)
      expect(got.text).toBe([...before, ...after].join('\n') + '\n')
      expect(got.rejections).toEqual([
        {
          line: 4,
          field: null,
          reason: 'line is 1048576 bytes, over the 65536-byte limit',
          excerpt: `${huge.slice(0, 200)}…`,
        },
      ])
      expect(checkNumbering(got.items)).toBe(6)
      const afterChunks = got.chunks.filter((c) => c.firstLine > 4)
      expect(afterChunks[0]?.firstLine).toBe(5)
    }
  })

  it('rejects over-long lines first, last (without a newline) and back to back', async () => {
    const long = 'L'.repeat(100)
    const input = Buffer.from(`${long}\nok1\n${long}x\n${long}xy\nok2\n${long}`)
    const got = await collect(input, SMALL_PIECES, 8, 50)
    expect(got.text).toBe('ok1\nok2\n')
    expect(got.rejections.map((r) => [r.line, r.reason])).toEqual([
      [1, 'line is 100 bytes, over the 50-byte limit'],
      [3, 'line is 101 bytes, over the 50-byte limit'],
      [4, 'line is 102 bytes, over the 50-byte limit'],
      [6, 'line is 100 bytes, over the 50-byte limit'],
    ])
    expect(checkNumbering(got.items)).toBe(6)
  })

  it('yields earlier lines before the rejection of a later over-long line', async () => {
    const input = Buffer.from(`a\nb\n${'L'.repeat(100)}\nc\n`)
    const got = await collect(input, [3], 1 << 20, 50)
    expect(
      got.items.map((x) => ('chunk' in x ? x.chunk.bytes.toString() : `reject ${x.rejection.line}`)),
    ).toEqual(['a\nb\n', 'reject 3', 'c\n'])
  })

  it('skips a BOM only at the very start of the input', async () => {
    const input = Buffer.concat([BOM, Buffer.from('a\n'), BOM, Buffer.from('b\n')])
    const got = await collect(input, [4, 1], 1 << 20, 100)
    expect(Buffer.concat(got.chunks.map((c) => c.bytes))).toEqual(input.subarray(3))
  })

  it('yields nothing for an empty input or a lone BOM', async () => {
    expect((await collect(Buffer.alloc(0), [1], 10, 10)).items).toEqual([])
    expect((await collect(BOM, [3], 10, 10)).items).toEqual([])
  })

  it('passes lines that fit through untouched, however the pieces fall', async () => {
    const input = Buffer.from('x'.repeat(50) + '\r\n' + 'é'.repeat(25) + '\n')
    for (const sizes of [[1], [2], [51], [52], [53], [input.length]]) {
      const got = await collect(input, sizes, 1 << 20, 52)
      expect(Buffer.concat(got.chunks.map((c) => c.bytes))).toEqual(input)
      expect(got.rejections).toEqual([])
    }
  })

  it('skips a BOM that arrives split over the first pieces', async () => {
    const input = Buffer.concat([BOM, Buffer.from('{"a":1}\n')])
    const got = await collect(input, [1], 1 << 20, 100)
    expect(got.text).toBe('{"a":1}\n')
  })

  it('a line of exactly maxLineBytes with CRLF is kept when a piece ends between CR and LF', async () => {
    const line = 'x'.repeat(10)
    const got = await collect(Buffer.from(`${line}\r\nok\n`), [11, 4], 1 << 20, 10)
    expect(got.rejections).toEqual([])
    expect(got.text).toBe(`${line}\r\nok\n`)
  })

  it('no chunk exceeds chunkBytes + one line when the input arrives in large pieces', async () => {
    const line = '{"transaction_id":"t","customer":"c","code":"x","timestamp":1}\n'
    const input = Buffer.from(line.repeat(1000))
    const got = await collect(input, [input.length], 4096, 1000)
    for (const c of got.chunks) expect(c.bytes.length).toBeLessThanOrEqual(4096 + line.length)
  })

  it('a last line without a newline, longer than chunkBytes, comes out once', async () => {
    const input = Buffer.from(`short\n${'x'.repeat(5000)}`)
    const got = await collect(input, [input.length], 4096, 64 << 10)
    expect(got.chunks.map((c) => [c.firstLine, c.bytes.length])).toEqual([
      [1, 6],
      [2, 5000],
    ])
  })

  it('an over-long CRLF line is measured without its CR, however the pieces fall', async () => {
    const input = Buffer.from(`${'x'.repeat(100)}\r\nok\n`)
    const cutBetweenCrAndLf: string[] = []
    // Pieces of every size, in turn with pieces of one byte, of 7, or the rest at once. A line that
    // arrives whole in one piece goes out in a chunk (the worker measures it); one that streams over
    // pieces is skipped here, and measured without its CR however the pieces fall: also when the CR
    // ends the piece that starts the skipping (101, …) or a later one (94, 7).
    for (let first = 1; first < input.length; first++) {
      for (const rest of [1, 7, 1000]) {
        const got = await collect(input, [first, rest], 1000, 50)
        if (got.rejections.length === 0) {
          expect(got.text, `pieces ${first}, ${rest}`).toBe(input.toString('latin1'))
          continue
        }
        expect(
          got.rejections.map((r) => r.reason),
          `pieces ${first}, ${rest}`,
        ).toEqual(['line is 100 bytes, over the 50-byte limit'])
        expect(got.text).toBe('ok\n')
        // The pieces' sizes cycle (first, rest, first, …): is one cut between the CR and the LF?
        let at = 0
        for (let k = 0; at < 101; k++) at += k % 2 === 0 ? first : rest
        if (at === 101) cutBetweenCrAndLf.push(`${first}, ${rest}`)
      }
    }
    expect(cutBetweenCrAndLf).toEqual(expect.arrayContaining(['101, 1000', '94, 7', '1, 1']))
  })
})
