// Synthetic NDJSON event files for the ingest benchmark: realistic traffic with a known answer.
import { randomUUID } from 'node:crypto'
import { createWriteStream, type WriteStream } from 'node:fs'

export interface EventFileSpec {
  events: number
  /** `realistic`: ~200-byte lines, UUIDs, 2-4 properties. `small`: ~120-byte lines. */
  shape: 'realistic' | 'small'
  /** Share of lines that repeat an earlier event (same customer and transaction id). */
  duplicateRate: number
  /** Share of lines that are bad (the ingest must reject them). */
  badRate: number
  seed?: number
  /** Start of the month of timestamps (default: October 2026). */
  monthStartMs?: number
}

export interface EventFileFacts {
  lines: number
  bytes: number
  bad: number
  duplicates: number
  /** Distinct good events: what the store must hold after ingesting the file. */
  distinct: number
}

const CODES = ['api_calls', 'seat_activity', 'storage', 'connections', 'payment']
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude', 'llama']
const REGIONS = ['eu-west-1', 'us-east-1', 'ap-south-1']
const BAD_LINES = [
  '{"transaction_id":"bad","customer":"c1","code":"api_calls"', // truncated
  '{"transaction_id":"bad","customer":"c1","code":"api_calls","timestamp":"2026-13-01T00:00:00Z"}',
  '{"transaction_id":"bad","code":"api_calls","timestamp":"2026-10-01T00:00:00Z"}',
  '{"transaction_id":"bad","customer":"c1","code":"api_calls","timestamp":"2026-10-01T00:00:00Z","properties":{"x":{"y":1}}}',
  'not json at all',
]

/**
 * Writes the file, and at `cleanPath` the same file without its bad lines: the engine's own JSON
 * reader cannot step over a truncated object, so the engine-limit run reads that one.
 */
export async function writeEventFile(
  path: string,
  cleanPath: string,
  spec: EventFileSpec,
): Promise<EventFileFacts> {
  const random = prng(spec.seed ?? 7)
  const out = createWriteStream(path)
  const clean = createWriteStream(cleanPath)
  let cleanBuffer: string[] = []
  const facts: EventFileFacts = { lines: 0, bytes: 0, bad: 0, duplicates: 0, distinct: 0 }
  const recent: string[] = []
  const start = spec.monthStartMs ?? Date.UTC(2026, 9, 1)
  let buffer: string[] = []
  for (let i = 0; i < spec.events; i++) {
    let line: string
    const r = random()
    if (r < spec.badRate) {
      line = BAD_LINES[i % BAD_LINES.length]!
      facts.bad++
    } else if (r < spec.badRate + spec.duplicateRate && recent.length > 0) {
      line = recent[Math.floor(random() * recent.length)]!
      facts.duplicates++
    } else {
      line = spec.shape === 'realistic' ? realistic(i, random, start) : small(i, random, start)
      facts.distinct++
      if (recent.length < 1000) recent.push(line)
      else recent[i % 1000] = line
    }
    buffer.push(line)
    if (r >= spec.badRate) cleanBuffer.push(line)
    facts.bytes += Buffer.byteLength(line) + 1
    if (buffer.length === 10_000) {
      await write(out, buffer)
      await write(clean, cleanBuffer)
      buffer = []
      cleanBuffer = []
    }
  }
  await write(out, buffer)
  await write(clean, cleanBuffer)
  facts.lines = spec.events
  await Promise.all([out, clean].map(close))
  return facts
}

async function write(stream: WriteStream, lines: string[]): Promise<void> {
  if (lines.length === 0) return
  if (!stream.write(`${lines.join('\n')}\n`))
    await new Promise<void>((resolve) => stream.once('drain', () => resolve()))
}

function close(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => stream.end((e?: Error | null) => (e ? reject(e) : resolve())))
}

/** mulberry32: a small, well-mixed PRNG, so runs with the same seed write the same file. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function realistic(i: number, random: () => number, start: number): string {
  const code = CODES[i % CODES.length]!
  const customer = `cust_${Math.floor(random() * 5000)}`
  const ts = new Date(start + Math.floor(random() * 30 * 86_400_000)).toISOString()
  const props: string[] = [`"region":"${REGIONS[i % 3]}"`]
  if (code === 'api_calls')
    props.push(`"tokens":${Math.floor(random() * 5000)}`, `"model":"${MODELS[i % 4]}"`)
  else if (code === 'seat_activity') props.push(`"user_id":"user_${Math.floor(random() * 300)}"`)
  else if (code === 'storage') props.push(`"gb":${(random() * 10 - 2).toFixed(3)}`)
  else if (code === 'connections') props.push(`"conns":${Math.floor(random() * 500)}`, `"pool":"p${i % 8}"`)
  else props.push(`"amount":"${(random() * 900).toFixed(2)}"`, `"currency":"EUR"`, `"method":"card"`)
  return `{"transaction_id":"${randomUUID()}","customer":"${customer}","code":"${code}","timestamp":"${ts}","properties":{${props.join(',')}}}`
}

function small(i: number, random: () => number, start: number): string {
  const seconds = Math.floor((start + random() * 30 * 86_400_000) / 1000)
  return `{"transaction_id":"t${i.toString(36).padStart(8, '0')}","customer":"c${Math.floor(random() * 5000)}","code":"api_calls","timestamp":${seconds},"properties":{"tokens":${i % 1000}}}`
}
