// Brings a database up to the newest schema: creates it on first use and applies, in order, the
// migrations it has not seen, recording each version as it lands.
import type { Store } from './connect.js'
import { MIGRATIONS } from './migrations.js'
import { queryRows } from './query-rows.js'

export async function migrate(store: Pick<Store, 'client' | 'db'>): Promise<number> {
  const { client, db } = store
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}` })
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS ${db}.schema_migrations
(
    version     UInt32,
    description String,
    applied_at  DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
ORDER BY version`,
  })
  const [row] = await queryRows<{ v: number | string }>(
    store,
    `SELECT max(version) AS v FROM ${db}.schema_migrations`,
  )
  const current = Number(row?.v ?? 0)
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue
    for (const statement of m.statements(db)) await client.command({ query: statement })
    await client.command({
      query: `INSERT INTO ${db}.schema_migrations (version, description) SELECT {version:UInt32}, {description:String}`,
      query_params: { version: m.version, description: m.description },
    })
  }
  return MIGRATIONS.at(-1)!.version
}
