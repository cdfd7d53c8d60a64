-- crmio schema, version 2: match and sort keys only for the fields that
-- need them, values kept as text, and a journal without a per-row
-- foreign-key check. Each makes a batch of writes cheaper for the server,
-- which on an import is most of the cost. Run with search_path set to the
-- store's schema.

-- Version 1 kept in keys and sorts an element for every value of every
-- field, so that any Scan could filter and order in SQL; those arrays were
-- half of each row, and most of them served no query. From version 2, a
-- record's keys and sorts hold the elements of its module's key fields
-- only: the fields listed here. A field becomes one the first time a Scan
-- filters or orders on it, or a Lookup looks it up (a lookup field is
-- always a key field: Lookup settles hash collisions with the exact keys).
-- Adding one fills in the elements of the records already there, under
-- the module's advisory lock, as adding a lookup field does (see
-- crmio_lookup_fields): writers read this table under the shared lock,
-- so no record is written without the elements of a field added
-- meanwhile.
--
-- Records written by version 1 keep their elements for every field: an
-- element of a field that is no key field is never consulted, and those
-- of a field that becomes one are already right, so the upgrade rewrites
-- no record. Filling in a field skips a record that already holds
-- elements of it.
CREATE TABLE crmio_key_fields (
	module text COLLATE "C" NOT NULL,
	field  text COLLATE "C" NOT NULL,
	PRIMARY KEY (module, field)
);
INSERT INTO crmio_key_fields (module, field) SELECT module, field FROM crmio_lookup_fields;

-- vals becomes text: the same JSON object, byte for byte (json kept it as
-- written too), without the check of its syntax that json makes on every
-- write, which was more than half of what writing a contact's row cost
-- the server, besides its index entries. Only this package writes the
-- values, as valid JSON; a Scan with a field selection reads them as
-- json. PostgreSQL rewrites the table once for this.
ALTER TABLE crmio_records ALTER COLUMN vals TYPE text;

-- The journal is read by job, in order: (job_id, seq) becomes its key, and
-- the index on seq alone, which no query used, goes: one index entry less
-- for every entry written.
ALTER TABLE crmio_journal DROP CONSTRAINT crmio_journal_pkey;
DROP INDEX crmio_journal_job;
ALTER TABLE crmio_journal ADD PRIMARY KEY (job_id, seq);

-- The journal's foreign key checked the job once per entry, a trigger per
-- row that cost the server more than writing the entry itself.
-- AppendJournal checks the job once per call instead. crmio never deletes
-- a job; one deleted by hand still takes its journal with it, through a
-- trigger on crmio_jobs that costs the journal's writes nothing. The
-- trigger's function names the journal with its schema, so that it finds
-- it whatever the search_path of the session deleting the job.
ALTER TABLE crmio_journal DROP CONSTRAINT crmio_journal_job_id_fkey;
DO $migration$
BEGIN
	EXECUTE format($fn$
		CREATE FUNCTION %1$I.crmio_jobs_delete_journal() RETURNS trigger LANGUAGE plpgsql AS $body$
		BEGIN
			DELETE FROM %1$I.crmio_journal j USING old_jobs o WHERE j.job_id = o.id;
			RETURN NULL;
		END
		$body$
	$fn$, current_schema());
END
$migration$;
CREATE TRIGGER crmio_jobs_delete_journal AFTER DELETE ON crmio_jobs
	REFERENCING OLD TABLE AS old_jobs FOR EACH STATEMENT EXECUTE FUNCTION crmio_jobs_delete_journal();
