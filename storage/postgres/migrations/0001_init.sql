-- crmio schema, version 1: records with their match and sort keys, and the
-- import history (jobs and their journal). Run with search_path set to the
-- store's schema.

-- Ids come from one sequence for every module: id order is creation order,
-- and an id is never reused.
CREATE SEQUENCE crmio_record_ids;

-- Every record of every module. Module names compare bytewise (COLLATE
-- "C"): cheaper, and no locale decides what a name is. vals is a JSON object: field name → the
-- crmio.Value JSON form ({"text":"Ada"}, {"number":"1.50"}, null …). It is
-- json, not jsonb: json keeps the text as written, which jsonb cannot for
-- text holding U+0000, and costs less to write.
--
-- keys, sorts and hkeys are computed in Go when the record is written
-- (storage/postgres keys.go): keys holds the field-prefixed
-- crmio.MatchKey of every value (every item of a list), sorts their
-- storage.SortKey in the same order, hkeys a 64-bit hash of module, field
-- and match key of the values of the module's lookup fields (below),
-- GIN-indexed, for Lookup and = filters.
CREATE TABLE crmio_records (
	id     bigint  NOT NULL DEFAULT nextval('crmio_record_ids'),
	module text COLLATE "C" NOT NULL,
	vals   json    NOT NULL,
	keys   bytea[] NOT NULL,
	sorts  bytea[] NOT NULL,
	hkeys  bigint[] NOT NULL,
	PRIMARY KEY (module, id)
);
ALTER SEQUENCE crmio_record_ids OWNED BY crmio_records.id;
-- Partial: a record with no value in a lookup field costs no index entry.
-- Queries repeat the predicate (hkeys <> '{}') so that the planner can use
-- the index. fastupdate is off: with it, inserts queue in a pending list
-- that every lookup scans once per key, and a 1,000-key batch lookup took
-- 475 ms at 20k records instead of 8 ms.
CREATE INDEX crmio_records_hkeys ON crmio_records USING gin (hkeys) WITH (fastupdate = off) WHERE hkeys <> '{}';

-- The fields whose match keys are in hkeys: those Lookup has been asked
-- about (or Store.IndexFields named). The first Lookup of a field adds it
-- and fills in the hashes of the records already there; fields nobody
-- looks up cost no index entries on writes. Writers read this table under
-- a shared advisory lock of the module, which adding a field takes
-- exclusively, so no record is written without the hashes of a field
-- added meanwhile.
CREATE TABLE crmio_lookup_fields (
	module text COLLATE "C" NOT NULL,
	field  text COLLATE "C" NOT NULL,
	PRIMARY KEY (module, field)
);

-- Import jobs. job is the storage.Job as JSON (without its id and detail);
-- detail keeps Job.Detail byte for byte; created_s and created_ns order
-- jobs by Job.Created (Unix seconds, then the nanosecond).
CREATE TABLE crmio_jobs (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	module     text   NOT NULL,
	status     text   NOT NULL,
	created_s  bigint NOT NULL,
	created_ns int    NOT NULL,
	job        json   NOT NULL,
	detail     bytea
);
CREATE INDEX crmio_jobs_created ON crmio_jobs (created_s, created_ns, id);

-- What each job wrote, in order: before and after are crmio.Record JSON;
-- fingerprint is crmio.Record.Fingerprint of the record as the job left it.
CREATE TABLE crmio_journal (
	seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	job_id      bigint NOT NULL REFERENCES crmio_jobs (id) ON DELETE CASCADE,
	op          text   NOT NULL,
	module      text   NOT NULL,
	record_id   text   NOT NULL,
	before      json,
	after       json,
	fingerprint text   NOT NULL DEFAULT ''
);
CREATE INDEX crmio_journal_job ON crmio_journal (job_id, seq);
