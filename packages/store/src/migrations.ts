import type { ColumnTypes } from './sql-database.ts';

/** One versioned change of the store's schema: shared SQL with the dialect's column types. */
export interface Migration {
  /** Strictly increasing, never reused. */
  readonly version: number;
  readonly name: string;
  /** The SQL script, given the dialect's column types. */
  script(types: ColumnTypes): string;
}

/**
 * Every migration, oldest first. Never edit a released migration: append a new one.
 * Statements are plain CREATE (no IF NOT EXISTS) so that applying one twice would fail loudly.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'catalog, snapshots, runs and step journal',
    script: (t) => `
CREATE TABLE domains (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  description TEXT,
  spec ${t.json} NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE products (
  address TEXT PRIMARY KEY,
  domain TEXT NOT NULL,
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  description TEXT,
  owner TEXT,
  inputs ${t.json} NOT NULL,
  spec ${t.json} NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX products_by_domain ON products (domain);
CREATE TABLE ports (
  address TEXT PRIMARY KEY,
  domain TEXT NOT NULL,
  product TEXT NOT NULL,
  name TEXT NOT NULL,
  contract_id TEXT NOT NULL,
  contract_version TEXT NOT NULL,
  columns ${t.json} NOT NULL,
  contract ${t.json} NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX ports_by_product ON ports (domain, product);
CREATE TABLE catalog_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  apply_id TEXT,
  applied_at ${t.timestamp}
);
INSERT INTO catalog_head (id) VALUES (1);
CREATE TABLE applies (
  id TEXT PRIMARY KEY,
  applied_by TEXT NOT NULL,
  applied_at ${t.timestamp} NOT NULL,
  created INTEGER NOT NULL,
  updated INTEGER NOT NULL,
  removed INTEGER NOT NULL,
  unchanged INTEGER NOT NULL
);
CREATE TABLE port_heads (
  port TEXT PRIMARY KEY,
  version INTEGER NOT NULL
);
CREATE TABLE snapshots (
  port TEXT NOT NULL,
  version INTEGER NOT NULL,
  schema_hash TEXT NOT NULL,
  columns ${t.json} NOT NULL,
  row_count ${t.bigint} NOT NULL,
  quarantined_rows ${t.bigint} NOT NULL,
  input_versions ${t.json} NOT NULL,
  run_id TEXT NOT NULL,
  created_at ${t.timestamp} NOT NULL,
  storage_path TEXT NOT NULL,
  bytes ${t.bigint} NOT NULL,
  PRIMARY KEY (port, version)
);
CREATE INDEX snapshots_by_run ON snapshots (run_id);
CREATE TABLE runs (
  ordinal ${t.serialKey},
  id TEXT NOT NULL UNIQUE,
  product TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('running', 'succeeded', 'failed', 'blocked', 'cancelled')),
  triggered_by TEXT NOT NULL,
  started_at ${t.timestamp} NOT NULL,
  ended_at ${t.timestamp},
  error ${t.json},
  result ${t.json},
  last_seq INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX runs_by_product ON runs (product, ordinal);
CREATE TABLE step_events (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  step TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('started', 'succeeded', 'failed')),
  at ${t.timestamp} NOT NULL,
  data ${t.json},
  PRIMARY KEY (run_id, seq)
);
`,
  },
  {
    version: 3,
    name: 'access audit log',
    script: (t) => `
CREATE TABLE audit_events (
  seq ${t.serialKey},
  id TEXT NOT NULL UNIQUE,
  at ${t.timestamp} NOT NULL,
  principal TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  statement TEXT NOT NULL,
  decision TEXT NOT NULL CHECK (decision IN ('allow', 'deny', 'error')),
  reason TEXT,
  policies ${t.json} NOT NULL,
  ports ${t.json} NOT NULL,
  columns ${t.json} NOT NULL,
  rows_returned ${t.bigint},
  duration_ms DOUBLE PRECISION NOT NULL
);
CREATE INDEX audit_events_by_principal ON audit_events (principal, seq);
CREATE INDEX audit_events_by_time ON audit_events (at);
`,
  },
  {
    version: 2,
    name: 'quality reports and profiles per snapshot',
    script: (t) => `
CREATE TABLE quality_reports (
  run_id TEXT NOT NULL,
  port TEXT NOT NULL,
  version INTEGER,
  checked_at ${t.timestamp} NOT NULL,
  is_blocking INTEGER NOT NULL,
  enforced INTEGER NOT NULL,
  total INTEGER NOT NULL,
  report ${t.json} NOT NULL,
  PRIMARY KEY (run_id, port)
);
CREATE INDEX quality_reports_by_port ON quality_reports (port, version);
CREATE TABLE profiles (
  port TEXT NOT NULL,
  version INTEGER NOT NULL,
  profile ${t.json} NOT NULL,
  PRIMARY KEY (port, version)
);
`,
  },
  {
    version: 5,
    name: 'tokens, access requests and grants',
    script: (t) => `
CREATE TABLE access_tokens (
  id TEXT PRIMARY KEY,
  principal TEXT NOT NULL,
  name TEXT NOT NULL,
  salt TEXT NOT NULL,
  hash TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at ${t.timestamp} NOT NULL,
  expires_at ${t.timestamp},
  revoked_at ${t.timestamp}
);
CREATE INDEX access_tokens_by_principal ON access_tokens (principal);
CREATE TABLE access_requests (
  seq ${t.serialKey},
  id TEXT NOT NULL UNIQUE,
  principal TEXT NOT NULL,
  port TEXT NOT NULL,
  purpose TEXT NOT NULL,
  duration_days INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'denied')),
  requested_at ${t.timestamp} NOT NULL,
  decided_by TEXT,
  decided_at ${t.timestamp},
  note TEXT
);
CREATE INDEX access_requests_by_port ON access_requests (port, state);
CREATE TABLE access_grants (
  seq ${t.serialKey},
  id TEXT NOT NULL UNIQUE,
  request_id TEXT NOT NULL REFERENCES access_requests (id),
  principal TEXT NOT NULL,
  port TEXT NOT NULL,
  granted_by TEXT NOT NULL,
  granted_at ${t.timestamp} NOT NULL,
  expires_at ${t.timestamp} NOT NULL,
  revoked_at ${t.timestamp}
);
CREATE INDEX access_grants_by_principal ON access_grants (principal, expires_at);
`,
  },
  {
    version: 4,
    name: 'run queue with leases, replayable step journal, one snapshot per run and port, lineage events',
    script: (t) => `
CREATE TABLE run_queue (
  run_id TEXT PRIMARY KEY,
  product TEXT NOT NULL,
  request ${t.json} NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'leased', 'done')),
  enqueued_at ${t.timestamp} NOT NULL,
  worker TEXT,
  lease_token INTEGER NOT NULL DEFAULT 0,
  lease_expires_at ${t.timestamp},
  cancel_requested INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX run_queue_by_status ON run_queue (status, enqueued_at);
ALTER TABLE step_events ADD COLUMN path TEXT;
ALTER TABLE step_events ADD COLUMN replay ${t.json};
ALTER TABLE step_events ADD COLUMN worker TEXT;
ALTER TABLE step_events ADD COLUMN attempt INTEGER;
ALTER TABLE step_events ADD COLUMN duration_ms DOUBLE PRECISION;
CREATE UNIQUE INDEX snapshots_once_per_run ON snapshots (run_id, port);
CREATE TABLE lineage_events (
  seq ${t.serialKey},
  run_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  event_time ${t.timestamp} NOT NULL,
  event ${t.json} NOT NULL
);
CREATE INDEX lineage_events_by_run ON lineage_events (run_id, seq);
`,
  },
  {
    version: 6,
    name: 'incidents grouping change findings by root cause',
    script: (t) => `
CREATE TABLE incidents (
  id TEXT PRIMARY KEY,
  root_port TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
  severity TEXT NOT NULL,
  title TEXT NOT NULL,
  ports ${t.json} NOT NULL,
  findings ${t.json} NOT NULL,
  opened_at ${t.timestamp} NOT NULL,
  updated_at ${t.timestamp} NOT NULL,
  resolved_at ${t.timestamp},
  note TEXT
);
CREATE INDEX incidents_by_state ON incidents (state, updated_at);
CREATE INDEX incidents_by_root ON incidents (root_port, state);
`,
  },
  {
    version: 7,
    name: 'file watermarks (ingested files per product and source) and trigger evaluations',
    script: (t) => `
CREATE TABLE ingested_files (
  product TEXT NOT NULL,
  source TEXT NOT NULL,
  path TEXT NOT NULL,
  size ${t.bigint} NOT NULL,
  mtime_ms DOUBLE PRECISION NOT NULL,
  content_hash TEXT NOT NULL,
  run_id TEXT NOT NULL,
  claimed_at ${t.timestamp} NOT NULL,
  PRIMARY KEY (product, source, path, size, mtime_ms, content_hash)
);
CREATE INDEX ingested_files_by_run ON ingested_files (run_id);
CREATE TABLE trigger_evaluations (
  seq ${t.serialKey},
  product TEXT NOT NULL,
  trigger_name TEXT NOT NULL,
  evaluated_at ${t.timestamp} NOT NULL,
  decision TEXT NOT NULL CHECK (decision IN ('run', 'wait', 'skip')),
  reason TEXT NOT NULL,
  run_id TEXT,
  details ${t.json}
);
CREATE INDEX trigger_evaluations_by_product ON trigger_evaluations (product, seq);
`,
  },
  {
    version: 8,
    name: 'domain data keys, wrapped under the master key',
    script: (t) => `
CREATE TABLE domain_keys (
  domain TEXT PRIMARY KEY,
  key_id TEXT NOT NULL,
  wrapped_key TEXT NOT NULL,
  master_key_id TEXT NOT NULL,
  created_at ${t.timestamp} NOT NULL
);
`,
  },
  {
    version: 13,
    name: 'trigger evaluations count the unchanged verdicts they stand for',
    script: (t) => `
ALTER TABLE trigger_evaluations ADD COLUMN repeats INTEGER NOT NULL DEFAULT 1;
ALTER TABLE trigger_evaluations ADD COLUMN last_evaluated_at ${t.timestamp};
`,
  },
  {
    version: 11,
    name: 'the trigger scheduler lease: one scheduler evaluates triggers at a time',
    script: (t) => `
CREATE TABLE scheduler_lease (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at ${t.timestamp} NOT NULL
);
`,
  },
  {
    version: 9,
    name: 'who revoked a grant and why; browser sessions opened with a token',
    script: (t) => `
ALTER TABLE access_grants ADD COLUMN revoked_by TEXT;
ALTER TABLE access_grants ADD COLUMN revoke_reason TEXT;
CREATE TABLE access_sessions (
  id_hash TEXT PRIMARY KEY,
  token_id TEXT NOT NULL REFERENCES access_tokens (id),
  principal TEXT NOT NULL,
  created_at ${t.timestamp} NOT NULL,
  expires_at ${t.timestamp} NOT NULL
);
CREATE INDEX access_sessions_by_token ON access_sessions (token_id);
CREATE INDEX access_sessions_by_expiry ON access_sessions (expires_at);
`,
  },
  {
    version: 12,
    name: 'what a snapshot appended to, and the transform that computed it (incremental SQL, ADR 018)',
    script: (t) => `
ALTER TABLE snapshots ADD COLUMN appended_to ${t.json};
ALTER TABLE snapshots ADD COLUMN transform_hash TEXT;
`,
  },
];
