// Reading rows back: one query with bound parameters, its JSONEachRow rows as objects.
import type { Store } from './connect.js'

export async function queryRows<T>(
  store: Pick<Store, 'client'>,
  query: string,
  params: Record<string, unknown> = {},
): Promise<T[]> {
  const rs = await store.client.query({ query, query_params: params, format: 'JSONEachRow' })
  return (await rs.json()) as T[]
}
