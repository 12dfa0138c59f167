// The retry policy of server mode (src/store/retry.ts): which failures are retried, how long each wait
// is, and when it gives up. Pure: a fake clock and fake sleeps, no server.
import { parseError } from '@clickhouse/client'
import fc from 'fast-check'
import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import {
  backoffMs,
  classifyFailure,
  describeError,
  RetryError,
  withRetries,
  type RetryPolicy,
} from '../../src/store/retry.js'

const policy: RetryPolicy = { attempts: 5, initialDelayMs: 100, maxDelayMs: 1000, maxElapsedMs: 60_000 }

/** What a server sends for an error, as the client turns it into an error. */
const serverError = (code: number, type: string) =>
  parseError(`Code: ${code}. DB::Exception: something about ${type}. (${type}) (version 24.8.1.1)`)
const withCode = (message: string, code: string) => Object.assign(new Error(message), { code })

describe('backoff: exponential, with equal jitter', () => {
  it('waits between half and all of each doubling step, up to the cap', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(policy, n, 0))).toEqual([50, 100, 200, 400, 500])
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(policy, n, 0.999999))).toEqual(
      [100, 200, 400, 800, 1000].map((ms) => expect.closeTo(ms, 2)),
    )
  })
})

describe('which failures are retried', () => {
  it('retries a refused connection, as Node reports it', async () => {
    const refused = await new Promise<Error>((resolve) => connect(1, '127.0.0.1').on('error', resolve))
    expect(classifyFailure(refused)).toMatchObject({ transient: true })
  })

  it.each([
    ['reset', withCode('read ECONNRESET', 'ECONNRESET')],
    ['broken pipe', withCode('write EPIPE', 'EPIPE')],
    ['socket hang up', withCode('socket hang up', 'ECONNRESET')],
    ["the client's request timeout", new Error('Timeout error.')],
    ['a refusal from every address (empty message)', new AggregateError([withCode('', 'ECONNREFUSED')], '')],
  ])('retries %s', (_, error) => {
    expect(classifyFailure(error).transient).toBe(true)
  })

  it.each([500, 502, 503, 504])('retries HTTP %d with a body that is not a ClickHouse error', (status) => {
    expect(classifyFailure(new Error('<html>Bad Gateway</html>'), status).transient).toBe(true)
  })

  it.each([
    [241, 'MEMORY_LIMIT_EXCEEDED'],
    [202, 'TOO_MANY_SIMULTANEOUS_QUERIES'],
    [210, 'NETWORK_ERROR'],
    [209, 'SOCKET_TIMEOUT'],
    [242, 'TABLE_IS_READ_ONLY'],
    [252, 'TOO_MANY_PARTS'],
  ])('retries ClickHouse error %d %s', (code, type) => {
    expect(classifyFailure(serverError(code, type), 500).transient).toBe(true)
    expect(classifyFailure(serverError(code, type)).transient).toBe(true)
  })

  it.each([
    [62, 'SYNTAX_ERROR'],
    [60, 'UNKNOWN_TABLE'],
    [47, 'UNKNOWN_IDENTIFIER'],
    [16, 'NO_SUCH_COLUMN_IN_TABLE'],
    [53, 'TYPE_MISMATCH'],
    [43, 'ILLEGAL_TYPE_OF_ARGUMENT'],
    [27, 'CANNOT_PARSE_INPUT_ASSERTION_FAILED'],
    [457, 'BAD_QUERY_PARAMETER'],
    [516, 'AUTHENTICATION_FAILED'],
  ])('never retries ClickHouse error %d %s, even with a 5xx status', (code, type) => {
    expect(classifyFailure(serverError(code, type), 500)).toMatchObject({ transient: false })
    expect(classifyFailure(serverError(code, type))).toMatchObject({ transient: false })
  })

  it.each([400, 401, 403, 404, 408, 413, 429])('never retries HTTP %d', (status) => {
    expect(classifyFailure(new Error('no'), status).transient).toBe(false)
    expect(classifyFailure(serverError(241, 'MEMORY_LIMIT_EXCEEDED'), status).transient).toBe(false)
  })

  it('never retries what is not a failure of the network or the server', () => {
    expect(
      classifyFailure(new TypeError("Cannot read properties of undefined (reading 'x')")).transient,
    ).toBe(false)
    expect(classifyFailure(new Error('The user aborted a request.')).transient).toBe(false)
    expect(classifyFailure(withCode('getaddrinfo ENOTFOUND nowhere.invalid', 'ENOTFOUND')).transient).toBe(
      false,
    )
  })
})

/** A fake clock: sleeping moves it; each attempt may take some time too. */
function fakeTime(attemptMs = 0) {
  let now = 0
  const waits: number[] = []
  return {
    waits,
    hooks: {
      now: () => now,
      sleep: async (ms: number) => {
        waits.push(ms)
        now += ms
      },
      random: () => 0.5,
    },
    tick: () => (now += attemptMs),
  }
}

describe('retrying an operation', () => {
  const transient = () => withCode('connect ECONNREFUSED 127.0.0.1:8123', 'ECONNREFUSED')

  it('returns the result once an attempt succeeds, after backing off', async () => {
    const time = fakeTime()
    let calls = 0
    const result = await withRetries(
      async (attempt) => {
        calls++
        if (attempt < 3) throw transient()
        return 'stored'
      },
      policy,
      (e) => classifyFailure(e),
      time.hooks,
    )
    expect(result).toBe('stored')
    expect(calls).toBe(3)
    expect(time.waits).toEqual([75, 150])
  })

  it('gives up after the last attempt, saying how many over how long and the last error', async () => {
    const time = fakeTime()
    const error = await withRetries(
      async () => Promise.reject(transient()),
      policy,
      (e) => classifyFailure(e),
      time.hooks,
    ).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RetryError)
    expect((error as RetryError).attempts).toBe(5)
    expect(time.waits).toEqual([75, 150, 300, 600])
    expect((error as Error).message).toBe(
      'gave up after 5 attempts over 1.1 s: connect ECONNREFUSED 127.0.0.1:8123',
    )
  })

  it('starts no retry past the time limit', async () => {
    const time = fakeTime(20_000)
    const error = await withRetries(
      async () => {
        time.tick()
        throw transient()
      },
      { ...policy, attempts: 100, maxElapsedMs: 30_000 },
      (e) => classifyFailure(e),
      time.hooks,
    ).catch((e: RetryError) => e)
    expect(error.attempts).toBe(2)
    expect(error.message).toMatch(/^gave up after 2 attempts over 40\.1 s: connect ECONNREFUSED/)
  })

  it('throws a permanent error of the first attempt as it is, without retrying', async () => {
    const time = fakeTime()
    const syntax = serverError(62, 'SYNTAX_ERROR')
    let calls = 0
    const error = await withRetries(
      async () => {
        calls++
        throw syntax
      },
      policy,
      (e) => classifyFailure(e),
      time.hooks,
    ).catch((e: unknown) => e)
    expect(error).toBe(syntax)
    expect(calls).toBe(1)
  })

  it('says how many attempts preceded a permanent error', async () => {
    const error = await withRetries(
      async (attempt) => Promise.reject(attempt === 1 ? transient() : serverError(60, 'UNKNOWN_TABLE')),
      policy,
      (e) => classifyFailure(e),
      fakeTime().hooks,
    ).catch((e: Error) => e)
    expect(error.message).toMatch(/^failed after 2 attempts over 0\.1 s: something about UNKNOWN_TABLE/)
  })

  it('never attempts more than the policy allows, nor waits outside its bounds', async () => {
    const policies = fc.record({
      attempts: fc.integer({ min: 1, max: 8 }),
      initialDelayMs: fc.integer({ min: 1, max: 1000 }),
      maxDelayMs: fc.integer({ min: 1, max: 5000 }),
      maxElapsedMs: fc.integer({ min: 0, max: 20_000 }),
    })
    await fc.assert(
      fc.asyncProperty(policies, fc.array(fc.boolean(), { maxLength: 10 }), async (p, failures) => {
        const time = fakeTime()
        let calls = 0
        await withRetries(
          async () => {
            if (failures[calls++]) throw transient()
          },
          p,
          (e) => classifyFailure(e),
          time.hooks,
        ).catch(() => {})
        expect(calls).toBeLessThanOrEqual(p.attempts)
        expect(time.waits.length).toBe(calls - 1)
        time.waits.forEach((ms, i) => {
          const step = Math.min(p.maxDelayMs, p.initialDelayMs * 2 ** i)
          expect(ms).toBeGreaterThanOrEqual(step / 2)
          expect(ms).toBeLessThanOrEqual(step)
        })
        expect(time.waits.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(p.maxElapsedMs)
      }),
    )
  })
})

describe('error text', () => {
  it('keeps the last error on one line', () => {
    expect(new RetryError(3, 1500, new Error('injected fault: HTTP 503\n'), true).message).toBe(
      'gave up after 3 attempts over 1.5 s: injected fault: HTTP 503',
    )
  })

  it("names the code of Node's connection errors that have no message", () => {
    expect(
      describeError(new AggregateError([withCode('', 'ECONNREFUSED'), withCode('', 'ECONNREFUSED')])),
    ).toBe('ECONNREFUSED')
  })
})
