// The HTTP side of the test server (clickhouse-http.ts): what a ClickHouse server reads from a
// request and how it shapes its answers, independent of the engine behind it.
import type { IncomingMessage } from 'node:http'

/** URL parameters that belong to the HTTP layer; every other one (not `param_*`) is a setting. */
const HTTP_PARAMS = new Set(
  `query database default_format query_id session_id session_timeout session_check user password quota_key
   role compress decompress buffer_size wait_end_of_query stacktrace enable_http_compression
   send_progress_in_http_headers`.split(/\s+/),
)

export function isSetting(name: string): boolean {
  return !HTTP_PARAMS.has(name) && !name.startsWith('param_') && !name.startsWith('http_')
}

/** ClickHouse's own mapping (src/Server/HTTP/exceptionCodeToHTTPStatus.cpp), by error name. */
const STATUS_BY_ERROR: [number, string][] = [
  [403, 'UNKNOWN_USER WRONG_PASSWORD AUTHENTICATION_FAILED SET_NON_GRANTED_ROLE ACCESS_DENIED READONLY'],
  [
    400,
    `BAD_ARGUMENTS CANNOT_COMPILE_REGEXP CANNOT_PARSE_TEXT CANNOT_PARSE_ESCAPE_SEQUENCE CANNOT_PARSE_QUOTED_STRING
     CANNOT_PARSE_DATE CANNOT_PARSE_DATETIME CANNOT_PARSE_NUMBER CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING CANNOT_PARSE_IPV4
     CANNOT_PARSE_IPV6 CANNOT_PARSE_INPUT_ASSERTION_FAILED CANNOT_PARSE_UUID DUPLICATE_COLUMN ILLEGAL_COLUMN
     UNKNOWN_ELEMENT_IN_AST UNKNOWN_TYPE_OF_AST_NODE THERE_IS_NO_COLUMN TOO_DEEP_AST TOO_BIG_AST
     UNEXPECTED_AST_STRUCTURE SYNTAX_ERROR INCORRECT_DATA TYPE_MISMATCH VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE`,
  ],
  [
    404,
    `UNKNOWN_TABLE UNKNOWN_FUNCTION UNKNOWN_IDENTIFIER UNKNOWN_TYPE UNKNOWN_STORAGE UNKNOWN_DATABASE UNKNOWN_SETTING
     UNKNOWN_DIRECTION_OF_SORTING UNKNOWN_AGGREGATE_FUNCTION UNKNOWN_FORMAT UNKNOWN_DATABASE_ENGINE
     UNKNOWN_TYPE_OF_QUERY UNKNOWN_ROLE`,
  ],
  [401, 'REQUIRED_PASSWORD'],
  [413, 'QUERY_IS_TOO_LARGE'],
  [501, 'NOT_IMPLEMENTED'],
  [503, 'SOCKET_TIMEOUT CANNOT_OPEN_FILE CANNOT_SCHEDULE_TASK'],
  [411, 'HTTP_LENGTH_REQUIRED'],
  [408, 'TIMEOUT_EXCEEDED'],
  [415, 'UNSUPPORTED_MEDIA_TYPE'],
]

/** An engine error as a server sends it: status, `X-ClickHouse-Exception-Code` and the body. */
export function errorResponse(e: unknown, version: string): { status: number; code: string; body: string } {
  const raw = e instanceof Error ? e.message : String(e)
  const message = /^Code: \d+\./.test(raw) ? raw : `Code: 1001. DB::Exception: ${raw}. (STD_EXCEPTION)`
  const code = /^Code: (\d+)/.exec(message)![1]!
  const name = [...message.matchAll(/\(([A-Z0-9_]{3,})\)/g)].at(-1)?.[1] ?? ''
  const status = STATUS_BY_ERROR.find(([, names]) => names.split(/\s+/).includes(name))?.[0] ?? 500
  const versioned = /\(version [^)]*\)\s*$/.test(message) ? message : `${message} (version ${version})`
  return { status, code, body: `${versioned}\n` }
}

export function clickhouseError(code: number, name: string, message: string): Error {
  return new Error(`Code: ${code}. DB::Exception: ${message}. (${name})`)
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

/** The named parts of a multipart/form-data body (the client's `use_multipart_params`). */
export function parseMultipart(body: Buffer, boundary: string): [string, string][] {
  const parts: [string, string][] = []
  for (const part of body.toString('utf8').split(`--${boundary}`)) {
    const m = /name="([^"]+)"\r\n(?:[^\r\n]+\r\n)*\r\n([\s\S]*)\r\n$/.exec(part)
    if (m) parts.push([m[1]!, m[2]!])
  }
  return parts
}

/** Settings as the engine takes them: numbers as numbers, the rest as strings. */
export function settingValues(settings: Record<string, string>): Record<string, string | number> {
  const out: Record<string, string | number> = {}
  for (const [k, v] of Object.entries(settings)) {
    if (!/^[A-Za-z_]\w*$/.test(k)) throw clickhouseError(115, 'UNKNOWN_SETTING', `Unknown setting '${k}'`)
    out[k] = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v
  }
  return out
}

export function sqlString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

/** Whether the SQL holds more than one statement (outside strings, identifiers and comments). */
export function hasSeveralStatements(sql: string): boolean {
  const bare = sql.replace(
    /'(?:[^'\\]|\\[\s\S]|'')*'|"(?:[^"\\]|\\[\s\S])*"|`[^`]*`|--[^\n]*|\/\*[\s\S]*?\*\//g,
    ' ',
  )
  return /;\s*\S/.test(bare)
}

export function contentType(format: string): string {
  if (/^JSON/.test(format)) return 'application/json; charset=UTF-8'
  if (/^(TSV|TabSeparated)/.test(format)) return 'text/tab-separated-values; charset=UTF-8'
  if (/^CSV/.test(format)) return 'text/csv; charset=UTF-8; header=absent'
  return 'text/plain; charset=UTF-8'
}

export interface Summary {
  read_rows: number
  read_bytes: number
  written_rows: number
  written_bytes: number
  result_rows: number
  result_bytes: number
  /** Seconds. */
  elapsed: number
}

export const NO_ROWS: Summary = {
  read_rows: 0,
  read_bytes: 0,
  written_rows: 0,
  written_bytes: 0,
  result_rows: 0,
  result_bytes: 0,
  elapsed: 0,
}

/** The `X-ClickHouse-Summary` header: counts as strings, as a server sends them. */
export function summaryHeader({ elapsed, ...counts }: Summary): string {
  const text = Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, String(v)]))
  return JSON.stringify({ ...text, total_rows_to_read: '0', elapsed_ns: String(Math.round(elapsed * 1e9)) })
}

/** Rows in a result, for the summary (line-per-row formats only). */
export function countRows(body: Uint8Array, format: string): number {
  if (!/EachRow$|^(TSV|TabSeparated|CSV)$/.test(format)) return 0
  return Buffer.from(body)
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '').length
}
