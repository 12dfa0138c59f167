// The HTTP status of the answer to each request, by query id: the client's errors do not carry it,
// and it tells a 4xx (never retried) from a 5xx. Node publishes every HTTP response on this channel.
import { subscribe } from 'node:diagnostics_channel'
import type { ClientRequest, IncomingMessage } from 'node:http'

const statuses = new Map<string, number>()
const LIMIT = 1000
let watching = false

export function watchHttpStatuses(): void {
  if (watching) return
  watching = true
  subscribe('http.client.response.finish', (message) => {
    const { request, response } = message as { request: ClientRequest; response: IncomingMessage }
    const id = new URLSearchParams(request.path.split('?')[1] ?? '').get('query_id')
    if (id === null || response.statusCode === undefined) return
    statuses.set(id, response.statusCode)
    // Kept only for the attempt that may ask next; the oldest go first.
    if (statuses.size > LIMIT) statuses.delete(statuses.keys().next().value!)
  })
}

/** The status the server answered to this query id, if an answer arrived; forgotten once asked. */
export function httpStatusOf(queryId: string): number | undefined {
  const status = statuses.get(queryId)
  statuses.delete(queryId)
  return status
}
