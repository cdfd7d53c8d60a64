-- crmio schema, version 5: the hashes of the lookup fields' match keys in
-- a narrow side table under a B-tree, instead of a GIN index on
-- crmio_records.hkeys. Run with search_path set to the store's schema.
--
-- The GIN index made inserting a record with a lookup field cost about
-- three times what the primary key alone costs, and its lookup grew
-- slower as the table grew. crmio_lookup_keys holds one row per hash of
-- a record (hash of module, field and match key; see keys.go keyHash):
-- a Lookup finds the ids by the B-tree on (h, id), then reads the
-- records by their primary key and settles a collision with their exact
-- keys, as before. The writers add a record's rows in the same
-- transaction as the record; an update or a delete removes the rows of
-- the hashes the record held (still kept in hkeys, without an index),
-- so the table holds exactly the hashes the records hold.
CREATE TABLE crmio_lookup_keys (
	h  bigint NOT NULL,
	id bigint NOT NULL,
	PRIMARY KEY (h, id)
);

-- Every earlier version kept the same hashes in hkeys (version 1 too):
-- they move over as they are, so no record is rewritten.
INSERT INTO crmio_lookup_keys (h, id)
	SELECT DISTINCT u.h, r.id FROM crmio_records r, unnest(r.hkeys) u(h) WHERE r.hkeys <> '{}';

DROP INDEX crmio_records_hkeys;

-- The journal: the entries of one AppendJournal call (an import's batch)
-- in one row, packed (see history.go packJournal) in entries, rather than
-- a row and an index entry each: the journal's COPY was 13% of the
-- server's time of an import. Such a row has op, module and record_id
-- empty; the rows written before, one entry each, stay as they are and
-- read as before, in the same order (seq).
ALTER TABLE crmio_journal ADD COLUMN entries bytea;
