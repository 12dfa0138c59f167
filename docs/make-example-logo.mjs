#!/usr/bin/env node
// Draws the made-up logo of the example seller (plans/billing.yaml): a blue rounded square with three
// white waves, anti-aliased, written as an RGBA PNG with nothing but node:zlib.
// Run: node docs/make-example-logo.mjs plans/logo.png
import { writeFileSync } from 'node:fs'
import { deflateSync } from 'node:zlib'

const SIZE = 144
const SAMPLES = 4
const BLUE = [0x24, 0x40, 0x6b]
const WHITE = [0xff, 0xff, 0xff]

/** Inside the rounded square of corner radius r. */
function inSquare(x, y, r = 30) {
  const cx = Math.min(Math.max(x, r), SIZE - r)
  const cy = Math.min(Math.max(y, r), SIZE - r)
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r
}

/** On one of three waves, stroke 11 px: distance to the curve along its normal. */
function onWave(x, y) {
  for (const [base, phase] of [
    [46, 0],
    [74, 0.9],
    [102, 1.8],
  ]) {
    const k = (2 * Math.PI) / 72
    const f = base + 9 * Math.sin(k * x + phase)
    const slope = 9 * k * Math.cos(k * x + phase)
    if (x > 22 && x < SIZE - 22 && Math.abs(y - f) / Math.sqrt(1 + slope * slope) <= 5.5) return true
  }
  return false
}

function pixel(px, py) {
  let square = 0
  let wave = 0
  for (let i = 0; i < SAMPLES; i++)
    for (let j = 0; j < SAMPLES; j++) {
      const x = px + (i + 0.5) / SAMPLES
      const y = py + (j + 0.5) / SAMPLES
      if (!inSquare(x, y)) continue
      square++
      if (onWave(x, y)) wave++
    }
  const n = SAMPLES * SAMPLES
  if (square === 0) return [0, 0, 0, 0]
  const w = wave / square
  const rgb = BLUE.map((b, c) => Math.round(b * (1 - w) + WHITE[c] * w))
  return [...rgb, Math.round((255 * square) / n)]
}

function crc32(bytes) {
  let c = ~0
  for (const b of bytes) {
    c ^= b
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1))
  }
  return ~c >>> 0
}

function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const out = Buffer.alloc(8 + data.length + 4)
  out.writeUInt32BE(data.length, 0)
  body.copy(out, 4)
  out.writeUInt32BE(crc32(body), 8 + data.length)
  return out
}

const rows = []
for (let y = 0; y < SIZE; y++) {
  const row = Buffer.alloc(1 + SIZE * 4)
  for (let x = 0; x < SIZE; x++) Buffer.from(pixel(x, y)).copy(row, 1 + x * 4)
  rows.push(row)
}
const header = Buffer.alloc(13)
header.writeUInt32BE(SIZE, 0)
header.writeUInt32BE(SIZE, 4)
header.set([8, 6, 0, 0, 0], 8) // 8 bits, RGBA, deflate, no filter, no interlace
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
])
writeFileSync(process.argv[2] ?? 'plans/logo.png', png)
