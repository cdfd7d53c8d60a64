-- crmio schema, version 1: records with their match and sort keys, the
-- index of lookup fields, and the import history (jobs and their journal).

-- Counters: "records" hands out record ids. Ids are never reused, so id
-- order is creation order.
CREATE TABLE crmio_sequences (
	name TEXT PRIMARY KEY,
	last INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO crmio_sequences (name, last) VALUES ('records', 0);

-- Every record of every module, clustered by module and id (a Scan in id
-- order reads the table in order). vals is a JSON object: field name →
-- the crmio.Value JSON form ({"text":"Ada"}, {"number":"1.50"}, null …).
CREATE TABLE crmio_records (
	module TEXT NOT NULL,
	id     INTEGER NOT NULL,
	vals   TEXT NOT NULL,
	PRIMARY KEY (module, id)
) WITHOUT ROWID;

-- One row per value of a field (per item of a list): its crmio.MatchKey
-- (key) and storage.SortKey (sort, NULL when the value has no order), both
-- computed in Go when the record is written, so that SQL filters and
-- orders with exactly the semantics of storage.Filter.Match and
-- storage.Query.Compare (text compares bytewise under SQLite's BINARY
-- collation, as Go compares strings). Clustered by record: filters and
-- the order read the few rows of one record.
CREATE TABLE crmio_items (
	record_id INTEGER NOT NULL,
	field     TEXT NOT NULL,
	pos       INTEGER NOT NULL,
	key       TEXT NOT NULL,
	sort      TEXT,
	PRIMARY KEY (record_id, field, pos)
) WITHOUT ROWID;

-- The fields whose match keys are indexed in crmio_keys: those Lookup has
-- been asked about (or Store.IndexFields named). The first Lookup of a
-- field adds it and indexes the records already there; fields nobody
-- looks up cost no index entries on writes.
CREATE TABLE crmio_lookup_fields (
	module TEXT NOT NULL,
	field  TEXT NOT NULL,
	PRIMARY KEY (module, field)
) WITHOUT ROWID;

-- The match keys of the values of lookup fields: Lookup and = filters.
CREATE TABLE crmio_keys (
	module    TEXT NOT NULL,
	field     TEXT NOT NULL,
	key       TEXT NOT NULL,
	record_id INTEGER NOT NULL,
	PRIMARY KEY (module, field, key, record_id)
) WITHOUT ROWID;

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

-- What each job wrote, in order: before and after are crmio.Record JSON;
-- fingerprint is crmio.Record.Fingerprint of the record as the job left it.
CREATE TABLE crmio_journal (
	seq         INTEGER PRIMARY KEY AUTOINCREMENT,
	job_id      INTEGER NOT NULL,
	op          TEXT NOT NULL,
	module      TEXT NOT NULL,
	record_id   TEXT NOT NULL,
	before      TEXT,
	after       TEXT,
	fingerprint TEXT NOT NULL DEFAULT ''
);
CREATE INDEX crmio_journal_job ON crmio_journal (job_id, seq);
