-- crmio schema, version 3: the mappings imports ran with, remembered per
-- module and header fingerprint (storage.MappingMemory), so that the next
-- file with the same header is mapped the same way. The mapping is the
-- importer's JSON, kept as text (byte for byte, and never read by the
-- store). Run with search_path set to the store's schema.
CREATE TABLE crmio_mappings (
	module      text COLLATE "C" NOT NULL,
	fingerprint text COLLATE "C" NOT NULL,
	mapping     text NOT NULL,
	job_id      text NOT NULL DEFAULT '',
	remembered  timestamptz NOT NULL,
	PRIMARY KEY (module, fingerprint)
);
