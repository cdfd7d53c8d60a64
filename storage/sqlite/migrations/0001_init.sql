-- crmio schema, version 1: records with their match and sort keys, and the
-- import history (jobs and their journal).

-- Every record of every module. id is the record's id (its decimal form);
-- AUTOINCREMENT keeps ids from being reused after the newest is deleted,
-- so id order is creation order. vals is a JSON object: field name → the
-- crmio.Value JSON form ({"text":"Ada"}, {"number":"1.50"}, null …).
CREATE TABLE crmio_records (
	id     INTEGER PRIMARY KEY AUTOINCREMENT,
	module TEXT NOT NULL,
	vals   TEXT NOT NULL
);
CREATE INDEX crmio_records_module ON crmio_records (module, id);

-- One row per value of a field (per item of a list): its crmio.MatchKey
-- (key) and storage.SortKey (sort, NULL when the value has no order), both
-- computed in Go when the record is written, so that SQL filters and
-- orders with exactly the semantics of storage.Filter.Match and
-- storage.Query.Compare (text compares bytewise under SQLite's BINARY
-- collation, as Go compares strings).
CREATE TABLE crmio_items (
	record_id INTEGER NOT NULL,
	field     TEXT NOT NULL,
	pos       INTEGER NOT NULL,
	module    TEXT NOT NULL,
	key       TEXT NOT NULL,
	sort      TEXT,
	PRIMARY KEY (record_id, field, pos)
) WITHOUT ROWID;
-- Lookup and = filters: module, field, key → record ids.
CREATE INDEX crmio_items_key ON crmio_items (module, field, key);

-- Import jobs. job is the storage.Job as JSON (without its id and detail);
-- detail keeps Job.Detail byte for byte; created_s and created_ns order
-- jobs by Job.Created (Unix seconds, then the nanosecond).
CREATE TABLE crmio_jobs (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	module     TEXT NOT NULL,
	status     TEXT NOT NULL,
	created_s  INTEGER NOT NULL,
	created_ns INTEGER NOT NULL,
	job        TEXT NOT NULL,
	detail     BLOB
);
CREATE INDEX crmio_jobs_created ON crmio_jobs (created_s, created_ns, id);

-- What each job wrote, in order: before and after are crmio.Record JSON.
CREATE TABLE crmio_journal (
	seq       INTEGER PRIMARY KEY AUTOINCREMENT,
	job_id    INTEGER NOT NULL,
	op        TEXT NOT NULL,
	module    TEXT NOT NULL,
	record_id TEXT NOT NULL,
	before    TEXT,
	after     TEXT
);
CREATE INDEX crmio_journal_job ON crmio_journal (job_id, seq);
