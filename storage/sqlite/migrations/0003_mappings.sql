-- crmio schema, version 3: the mappings imports ran with, remembered per
-- module and header fingerprint (storage.MappingMemory), so that the next
-- file with the same header is mapped the same way. The mapping is the
-- importer's JSON, kept as text and never read by the store; the time is
-- split into seconds and nanoseconds as the jobs' times are.
CREATE TABLE crmio_mappings (
	module        TEXT    NOT NULL,
	fingerprint   TEXT    NOT NULL,
	mapping       TEXT    NOT NULL,
	job_id        TEXT    NOT NULL DEFAULT '',
	remembered_s  INTEGER NOT NULL,
	remembered_ns INTEGER NOT NULL,
	PRIMARY KEY (module, fingerprint)
) WITHOUT ROWID;
