// The tables as the schema lays them out (see migrations.ts: version 3, and version 4's key), and how
// a transaction id becomes the key of its event. Kept apart from the migrations so that the layout
// reads in one place.

/**
 * The transaction id in the key. A canonical UUID (lowercase, 8-4-4-4-12) is stored as its 16 bytes
 * and its text is not kept (it is exactly `toString(tx_key)`); any other id keeps its text, and its
 * key is the text's sipHash128. The key then sorts and compares as a number, the text decides only
 * between ids whose hashes collide, and one event is still one (customer, transaction_id).
 */
export const CANONICAL_UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'

/** The key of a transaction id given as text (migrations; ingest sends UUIDs already as bytes). */
export const TX_KEY_SQL = (id: string) =>
  `if(match(${id}, '${CANONICAL_UUID}'), toUUID(${id}), reinterpretAsUUID(sipHash128(${id})))`
export const TX_TEXT_SQL = (id: string) => `if(match(${id}, '${CANONICAL_UUID}'), '', ${id})`
/** The key from the text a staging row carries ('' when it carried the UUID's bytes). */
export const TX_KEY_OF_STAGING_SQL = (uuid: string, text: string) =>
  `if(${text} = '', ${uuid}, reinterpretAsUUID(sipHash128(${text})))`
/** The transaction id as it was sent, from a stored row. */
export const TRANSACTION_ID_SQL = `if(transaction_id = '', toString(tx_key), transaction_id)`

/**
 * Events. One partition a month of event time, so that a period's invoice reads its own months and
 * nothing else. Within a partition, ReplacingMergeTree keeps one row per key, the highest version;
 * a copy that lands in another partition or under another code is retired there by a tombstone
 * (is_deleted), see copies.ts. `version` orders copies, see event-versions.ts.
 *
 * The key starts with the code (version 4; version 3 started with the customer): the rows of one code
 * lie together, so that the increments of a weighted_sum code before a period are read on their own
 * instead of one granule of other codes' rows around each customer's few (at 100M events over 10
 * months: 9x less time for the largest customers' carry-in), and a page of customers is still one
 * range per code.
 */
const eventsTable = (key: string) => (db: string, table: string) => `CREATE TABLE IF NOT EXISTS ${db}.${table}
(
    customer       LowCardinality(String) CODEC(ZSTD(1)),
    code           LowCardinality(String) CODEC(ZSTD(1)),
    tx_key         UUID CODEC(ZSTD(1)),
    transaction_id String CODEC(ZSTD(1)),
    timestamp      DateTime64(3, 'UTC') CODEC(T64, ZSTD(1)),
    properties     Map(String, String) CODEC(ZSTD(1)),
    version        UInt64 CODEC(T64, ZSTD(1)),
    is_deleted     UInt8 DEFAULT 0,
    ingested_at    DateTime64(3, 'UTC') DEFAULT now64(3) CODEC(Delta, ZSTD(1)),
    INDEX versions version TYPE minmax GRANULARITY 1
)
ENGINE = ReplacingMergeTree(version, is_deleted)
PARTITION BY toYYYYMM(timestamp)
ORDER BY (${key})
SETTINGS vertical_merge_algorithm_min_columns_to_activate = 1, max_compress_block_size = 262144`

export const EVENTS_V3 = eventsTable('customer, code, tx_key, transaction_id')
export const EVENTS_KEY = 'code, customer, tx_key, transaction_id'
export const EVENTS_V4 = eventsTable(EVENTS_KEY)

/** Ingest and load-test runs: what each read and stored, and the versions its rows carry. */
export const INGEST_RUNS_V3 = (db: string, table: string) => `CREATE TABLE IF NOT EXISTS ${db}.${table}
(
    run_id        UInt64,
    started_at    DateTime64(3, 'UTC'),
    finished_at   Nullable(DateTime64(3, 'UTC')),
    sources       Array(String),
    lines         UInt64,
    accepted      UInt64,
    rejected      UInt64,
    status        LowCardinality(String),
    first_version UInt64,
    last_version  UInt64
)
ENGINE = ReplacingMergeTree
ORDER BY run_id`

/**
 * The tables of the newest schema, as a new store gets them (the migrations bring older ones here).
 * `events` comes last: a store that has it has every other table in its newest layout, so a process
 * that finds it (another one creating the same new store meanwhile) has nothing to rebuild.
 */
export const NEWEST_TABLES = (db: string): string[] => [
  INGEST_RUNS_V3(db, 'ingest_runs'),
  EVENTS_V4(db, 'events'),
]
