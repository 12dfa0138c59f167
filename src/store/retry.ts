// Retrying statements sent to a ClickHouse server: which failures are worth another attempt, how long
// to wait before it, and when to give up. Pure: the clock, the sleep and the dice are passed in.
// Re-sending is safe because every statement the store issues is idempotent (see write-events.ts).

export interface RetryPolicy {
  /** Attempts in all, the first one included: 1 never retries. */
  attempts: number
  /** The backoff before the first retry; it doubles for each next one, up to maxDelayMs. */
  initialDelayMs: number
  maxDelayMs: number
  /** No retry starts later than this after the first attempt began. */
  maxElapsedMs: number
}

/** Rides out a few seconds of a server or a proxy failing over: 5 retries within about 4 to 8 s. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 6,
  initialDelayMs: 250,
  maxDelayMs: 8_000,
  maxElapsedMs: 120_000,
}

/**
 * The wait before retry number `retry` (1-based), with "equal jitter": half of the exponential step
 * is fixed and half random, so clients that failed together spread out, yet none retries at once.
 */
export function backoffMs(policy: RetryPolicy, retry: number, random: number): number {
  const step = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (retry - 1))
  return step / 2 + (step / 2) * random
}

export interface FailureClass {
  transient: boolean
  reason: string
}

/** Errors of the network or of a request timeout: the server may never have seen the statement. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
])
const NETWORK_MESSAGE = /socket hang up|^Timeout error|other side closed|ECONNRESET|ECONNREFUSED|EPIPE/i

/**
 * ClickHouse errors that say the statement itself is wrong (or not allowed): the same statement
 * fails the same way every time. Among them are all those a server answers with a 4xx status.
 */
const PERMANENT_TYPES = new Set([
  'SYNTAX_ERROR',
  'TYPE_MISMATCH',
  'THERE_IS_NO_COLUMN',
  'BAD_ARGUMENTS',
  'BAD_QUERY_PARAMETER',
  'INCORRECT_DATA',
  'INCORRECT_QUERY',
  'DUPLICATE_COLUMN',
  'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE',
  'NUMBER_OF_ARGUMENTS_DOESNT_MATCH',
  'FUNCTION_THROW_IF_VALUE_IS_NON_ZERO',
  'TOO_DEEP_AST',
  'TOO_BIG_AST',
  'UNEXPECTED_AST_STRUCTURE',
  'QUERY_IS_TOO_LARGE',
  'NOT_IMPLEMENTED',
  'TIMEOUT_EXCEEDED',
  'READONLY',
  'ACCESS_DENIED',
  'AUTHENTICATION_FAILED',
  'WRONG_PASSWORD',
  'REQUIRED_PASSWORD',
  'SET_NON_GRANTED_ROLE',
  'TABLE_ALREADY_EXISTS',
  'DATABASE_ALREADY_EXISTS',
])
const PERMANENT_PREFIX = /^(UNKNOWN_|CANNOT_PARSE_|ILLEGAL_|NO_SUCH_|NOT_FOUND_)/

/** Whether another attempt may succeed, given the error and, when known, the HTTP status of the answer. */
export function classifyFailure(error: unknown, httpStatus?: number): FailureClass {
  if (httpStatus !== undefined && httpStatus >= 400 && httpStatus < 500) {
    return { transient: false, reason: `HTTP ${httpStatus}: the server refused the request itself` }
  }
  const e = error as { code?: unknown; type?: unknown }
  if (typeof e?.type === 'string' && typeof e.code === 'string' && /^\d+$/.test(e.code)) {
    const permanent = PERMANENT_TYPES.has(e.type) || PERMANENT_PREFIX.test(e.type)
    return permanent
      ? { transient: false, reason: `ClickHouse error ${e.type}: the statement fails the same way again` }
      : { transient: true, reason: `ClickHouse error ${e.type} may pass` }
  }
  if (httpStatus !== undefined && httpStatus >= 500) {
    return { transient: true, reason: `HTTP ${httpStatus} from the server or a proxy in front of it` }
  }
  if (isNetworkError(error)) return { transient: true, reason: 'the connection failed or timed out' }
  return { transient: false, reason: 'not a failure of the network or of the server' }
}

function isNetworkError(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.some(isNetworkError)
  const code = (error as { code?: unknown })?.code
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true
  return error instanceof Error && NETWORK_MESSAGE.test(error.message)
}

/** An error's text for people: Node's connection errors may have an empty message and a code. */
export function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return [...new Set(error.errors.map(describeError))].join('; ')
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    // Server messages often end with a line break; the text goes into one line of a longer message.
    return error.message.trim() || (typeof code === 'string' ? code : error.name)
  }
  return String(error)
}

export class RetryError extends Error {
  constructor(
    readonly attempts: number,
    readonly elapsedMs: number,
    readonly lastError: unknown,
    exhausted: boolean,
  ) {
    const seconds = (elapsedMs / 1000).toFixed(1)
    const what = exhausted ? 'gave up' : 'failed'
    const times = `${attempts} attempt${attempts === 1 ? '' : 's'}`
    super(`${what} after ${times} over ${seconds} s: ${describeError(lastError)}`, { cause: lastError })
  }
}

export interface RetryHooks {
  sleep(ms: number): Promise<void>
  now(): number
  /** A number in [0, 1). */
  random(): number
  /** Told before each wait. */
  onRetry?(retry: { attempt: number; delayMs: number; error: unknown; reason: string }): void
}

/**
 * Runs `operation` until it succeeds, a failure is permanent, or the policy's attempts or time run
 * out. A permanent failure of the first attempt is thrown as it is; otherwise a RetryError says how
 * many attempts were made over how long, and what the last error was.
 */
export async function withRetries<T>(
  operation: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  classify: (error: unknown) => FailureClass,
  hooks: RetryHooks,
): Promise<T> {
  const started = hooks.now()
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt)
    } catch (error) {
      const failure = classify(error)
      const elapsed = hooks.now() - started
      if (!failure.transient) {
        if (attempt === 1) throw error
        throw new RetryError(attempt, elapsed, error, false)
      }
      const delayMs = backoffMs(policy, attempt, hooks.random())
      if (attempt >= policy.attempts || elapsed + delayMs > policy.maxElapsedMs) {
        throw new RetryError(attempt, elapsed, error, true)
      }
      hooks.onRetry?.({ attempt, delayMs, error, reason: failure.reason })
      await hooks.sleep(delayMs)
    }
  }
}
