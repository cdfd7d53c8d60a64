-- crmio schema, version 9: a lookup field gets a number (the id of its
-- row in crmio_lookup_fields), and crmio_keys names the field by it:
-- (key, field_id, record_id) instead of (key, module, field, record_id).
-- Run inside the migration's transaction.
--
-- Each row of crmio_keys repeated its module and field as text, 11 of
-- its 45 bytes for a contact's email keys, and each insert and lookup
-- bound and compared them. Measured with a 500,000-row import
-- (internal/ceiling's BenchmarkCeilingImport): see storage/sqlite's doc.
CREATE TABLE crmio_lookup_fields_v9 (
	id     INTEGER PRIMARY KEY,
	module TEXT NOT NULL,
	field  TEXT NOT NULL,
	UNIQUE (module, field)
);
INSERT INTO crmio_lookup_fields_v9 (module, field)
	SELECT module, field FROM crmio_lookup_fields ORDER BY module, field;
-- A key of a field crmio_lookup_fields lost (none should be) keeps its
-- field rather than being dropped.
INSERT OR IGNORE INTO crmio_lookup_fields_v9 (module, field)
	SELECT DISTINCT module, field FROM crmio_keys ORDER BY module, field;
CREATE TABLE crmio_keys_v9 (
	key       TEXT NOT NULL,
	field_id  INTEGER NOT NULL,
	record_id INTEGER NOT NULL,
	PRIMARY KEY (key, field_id, record_id)
) WITHOUT ROWID;
INSERT INTO crmio_keys_v9 (key, field_id, record_id)
	SELECT k.key, f.id, k.record_id FROM crmio_keys k
	JOIN crmio_lookup_fields_v9 f ON f.module = k.module AND f.field = k.field
	ORDER BY 1, 2, 3;
DROP TABLE crmio_keys;
DROP TABLE crmio_lookup_fields;
ALTER TABLE crmio_lookup_fields_v9 RENAME TO crmio_lookup_fields;
ALTER TABLE crmio_keys_v9 RENAME TO crmio_keys;
