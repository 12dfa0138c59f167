// Reading rows back in tests: one query with bound parameters, its rows as objects.
import type { Store } from '../../src/store/store.js'

export function queryRows<T>(
  store: Store,
  query: string,
  params: Record<string, unknown> = {},
): Promise<T[]> {
  return store.rows<T>(query, { params })
}
