// The schema, in order. Each migration runs once per database and is recorded with its version;
// never edit one that has shipped: add the next.

export interface Migration {
  version: number
  description: string
  /** Statements to run, given the quoted database name. */
  statements(db: string): string[]
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'raw events, one row per (customer, transaction_id) after de-duplication; ingest runs',
    statements: (db) => [
      // ReplacingMergeTree keeps the row with the highest version per sorting key; queries read
      // with FINAL, so a copy is never counted twice even before a background merge.
      `CREATE TABLE IF NOT EXISTS ${db}.events
(
    customer       String,
    transaction_id String,
    code           LowCardinality(String),
    timestamp      DateTime64(3, 'UTC'),
    properties     Map(String, String),
    version        UInt64,
    ingested_at    DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (customer, transaction_id)`,
      `CREATE TABLE IF NOT EXISTS ${db}.ingest_runs
(
    run_id      UInt32,
    started_at  DateTime64(3, 'UTC'),
    finished_at Nullable(DateTime64(3, 'UTC')),
    sources     Array(String),
    lines       UInt64,
    accepted    UInt64,
    rejected    UInt64,
    status      LowCardinality(String)
)
ENGINE = ReplacingMergeTree
ORDER BY run_id`,
    ],
  },
]

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version
