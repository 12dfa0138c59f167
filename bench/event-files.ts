// Synthetic NDJSON event files for the ingest benchmark: realistic traffic with a known answer.
import { randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'

export interface EventFileSpec {
  events: number
  /** `realistic`: ~200-byte lines, UUIDs, 2-4 properties. `small`: ~120-byte lines. */
  shape: 'realistic' | 'small'
  /** Share of lines that repeat an earlier event (same customer and transaction id). */
  duplicateRate: number
  /** Share of lines that are bad (the ingest must reject them). */
  badRate: number
  seed?: number
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

export async function writeEventFile(path: string, spec: EventFileSpec): Promise<EventFileFacts> {
  let seed = spec.seed ?? 7
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
  const out = createWriteStream(path)
  const facts: EventFileFacts = { lines: 0, bytes: 0, bad: 0, duplicates: 0, distinct: 0 }
  const recent: string[] = []
  const start = Date.UTC(2026, 9, 1)
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
    facts.bytes += Buffer.byteLength(line) + 1
    if (buffer.length === 10_000) {
      if (!out.write(`${buffer.join('\n')}\n`))
        await new Promise<void>((resolve) => out.once('drain', () => resolve()))
      buffer = []
    }
  }
  if (buffer.length > 0) out.write(`${buffer.join('\n')}\n`)
  facts.lines = spec.events
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())))
  return facts
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
