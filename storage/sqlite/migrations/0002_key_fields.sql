-- crmio schema, version 2: items only for the fields that queries use.

-- Version 1 wrote a row of crmio_items for every value of every field, so
-- that any Scan could filter and order in SQL. Those rows, and their
-- primary-key entries, were most of what an import wrote (a 15-field
-- contact: one records row and about 15 items rows), and most of them
-- served no query. From version 2, a record has items for its module's
-- key fields only: the fields listed here. A field becomes one the first
-- time a Scan filters or orders on it (a Scope's filters included), or a
-- Lookup looks it up (a lookup field is always a key field: its index,
-- crmio_keys, is filled in from the items), or Store.KeyFields names it.
-- Adding one writes the items of the records already there, in the write
-- transaction that adds the row here: writers read this table in their
-- own write transaction, under SQLite's write lock, so no record is
-- written without the items of a field added meanwhile.
CREATE TABLE crmio_key_fields (
	module TEXT NOT NULL,
	field  TEXT NOT NULL,
	PRIMARY KEY (module, field)
) WITHOUT ROWID;

-- The lookup fields stay key fields.
INSERT INTO crmio_key_fields (module, field) SELECT module, field FROM crmio_lookup_fields;

-- Records written by version 1 keep their items for every field, and the
-- upgrade rewrites nothing (it stays as quick as this file on a database
-- of any size): the items of a field that is no key field are never read,
-- and go with the record's other items when it is updated or deleted;
-- those of a field that becomes a key field are already right, so adding
-- the field skips the records that have some.
