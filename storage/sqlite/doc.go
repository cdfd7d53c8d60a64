// Package sqlite is a storage.Store kept in one SQLite database file: the
// embedded, persistent store. It is pure Go (modernc.org/sqlite, no cgo),
// and implements the whole contract of package storage, including
// storage.Transactor, storage.History and storage.Uploads.
//
//	store, err := sqlite.Open(ctx, "crm.db", nil)
//	if err != nil { … }
//	defer store.Close()
//	ids, err := store.Insert(ctx, "people", records)
//
// # Opening
//
// Open takes the path of a database file (created when missing), not a
// DSN; any file name works, "?" and "#" included. ":memory:" is refused,
// as an in-memory database is not shared between the store's connections:
// use storage/memory for a store that lives in memory. Options (nil for
// the defaults) set the busy timeout, the number of read connections and
// whether commits wait for the disk (FullSync).
//
// A Store uses one connection for every write, in WAL mode, and a pool of
// read connections: reads never wait for writes, and see only committed
// data. Several Stores, in one process or several, may open the same
// file: writes take SQLite's write lock in turn (BEGIN IMMEDIATE), waiting
// up to the busy timeout for another's.
//
// # Schema and migrations
//
// The schema is created and upgraded by versioned migrations embedded in
// the package (migrations/NNNN_name.sql), which Open runs: each applied
// version is a row of crmio_schema_migrations, and a migration commits
// with its row, under SQLite's write lock, so that Opens of the same file
// at once apply it once. Opening a database whose schema a newer version
// of this package wrote fails with ErrSchemaTooNew. SchemaVersion returns
// the version this package writes. Versions may leave gaps (changes
// written in parallel take their numbers as they are written): Open
// applies every version the database lacks, in order, also one below the
// newest it has.
//
// The tables:
//
//   - crmio_records (module, id, vals): every record of every module,
//     clustered by module and id. vals is the record's values in the
//     named binary encoding of storage/internal/bincodec (a BLOB: field
//     names in order, then the values), which keeps every kind exactly (a
//     field set to the null Value is kept as null, apart from an absent
//     one). Rows written before schema version 6 hold a JSON object of
//     crmio.Value JSON forms (TEXT) until they are next written, and read
//     as before (see migrations/0006_binary_values.sql).
//   - crmio_items (record_id, field, pos, key, sort): one row per value
//     (per item of a list) of each key field of the record's module (see
//     below), with its crmio.MatchKey and storage.SortKey, computed in Go
//     when the record is written.
//   - crmio_key_fields: the key fields of each module.
//   - crmio_lookup_fields (id, module, field) and crmio_keys (key,
//     field_id, record_id): the lookup fields (below), each numbered, and
//     the index of their match keys, each key once per record and field,
//     ordered by the key first: every search gives both key and field,
//     and a comparison settled by the first column is cheaper than one
//     that goes through a field equal in nearly every row (schema version
//     7; see migrations/0007_keys_by_key.sql). The field is named by its
//     number (version 9): the module and field as text were 11 bytes of a
//     contact's 45-byte email key row, to bind, write and compare (a
//     500,000-row import, five runs alternating: 6.0 to 7.4 s, mean 6.5,
//     against 6.3 to 7.6 s, mean 7.0; 19.8 µs of CPU a row against 20.8).
//   - crmio_jobs and crmio_journal: the history (below). A journal row
//     is one entry, or a span of created records: consecutive ids of one
//     module without images, the first id, their number and their
//     fingerprints in one row (schema version 5; see
//     migrations/0005_journal_spans.sql), so that an import's journal is
//     a row per batch rather than a row per record.
//   - crmio_uploads and crmio_upload_chunks: the uploads (storage.Uploads),
//     in chunks of 512 KiB, each written by a statement of its own so
//     that a large or slow upload holds no lock and no transaction for
//     long; an upload is visible once its last chunk is in.
//   - crmio_sequences: the counter ids come from.
//
// Ids are decimal integers, from one counter for every module: id order
// is creation order, and an id is never reused, not even the newest after
// its deletion.
//
// # What runs in SQLite
//
// Scan runs the Query as one SELECT (after making the fields it filters
// and orders on key fields, see below): filters and the Scope are
// conditions on the items of a record (=, != and contains on match keys;
// <, <=, >, >= on sort keys, within the value's class), the order sorts by
// the sort key of each order field's first value (records without one
// last, in both directions, then id order), and the limit is a LIMIT. So
// the semantics are exactly those of storage.Filter.Match and
// storage.Query.Compare, keys compared bytewise as Go compares strings,
// and a record outside the scope never leaves the database. A field
// selection is applied as each record's JSON is decoded: in the process,
// reading fewer bytes saves nothing, and building the selected fields'
// JSON in SQL measured slower than decoding all of it.
//
// # Key fields and lookup fields
//
// A record has items for the fields that queries use, not for every
// field: items nobody queries would cost every write (with every field
// keyed, as schema version 1 did, a 15-field contact wrote about 15 items
// rows besides its own row) and serve nothing.
//
// A field becomes a key field of its module on the first Scan that
// filters or orders on it (a Scope's filters included), which first
// writes the items of the records already there (one pass over the
// module, in one write transaction), and from then on every write adds
// them; KeyFields does the same ahead of time. A field becomes a lookup
// field on its first Lookup: the match keys of its values then go into
// crmio_keys, the index Lookup answers from (those of the records already
// there too), and = filters on it use that index; IndexFields does the
// same ahead of time. A lookup field is not a key field unless a Scan or
// KeyFields made it one: an import's dedupe and reference fields need the
// index only, and their items were a row per record that no query read
// (a 200,000-row import: 15% less CPU without them). The keys of a lookup
// field without items are deleted, when its record is updated or
// deleted, by the keys of the values the record held. Writers read a
// module's key and lookup fields in their own write transaction, under
// SQLite's write lock, which adding a field holds too: no record is
// written without the items or keys of a field added meanwhile. Fields
// nobody filters, orders on or looks up cost no items and no index
// entries.
//
// Up to schema version 4, a lookup field was always made a key field too;
// a database keeps the key fields it has (crmio_key_fields lists them),
// so that nothing is rewritten: only what a field becomes from now on
// changed.
//
// A database upgraded from version 1 keeps the items its records have:
// those of a field that becomes a key field are already right, and
// filling the field in skips the records that have some (see
// migrations/0002_key_fields.sql).
//
// # Durability and transactions
//
// Each Insert, Update, Delete and AppendJournal is one transaction: a
// batch is written whole or not at all, also when the process is killed
// in the middle. Commits survive a crash of the process; with the default
// synchronous=NORMAL the last commits may be lost on a power failure (the
// database stays consistent), which FullSync prevents at the cost of a
// disk flush per commit.
//
// Atomic runs a function in one transaction on the writer connection: its
// writes commit together, and none does when it returns an error, panics
// or its context is done. Other writers wait meanwhile; readers see the
// database as it was. The function must use the tx it is given, never the
// Store, whose writes would wait for it. Each write call through tx runs
// in a savepoint, so a call that fails changes nothing, and tx.Atomic
// nests as a savepoint.
// Savepoints keep the pages they change in memory (temp_store=MEMORY),
// not in a temporary file: at most the pages of one call, and never
// needed after a crash, which rolls back the whole uncommitted
// transaction (the WAL holds no uncommitted frame a reader would use).
//
// The history (jobs and the journal of what each wrote, with the records'
// before and after images as JSON) is in the same file: journal entries
// written through Atomic's tx commit with the records they describe, and
// a job outlives the process, so that another process can poll it and
// rollback works after a restart.
//
// # Settings
//
// The connections are set for loads of many batches:
//
//   - journal_mode=WAL: a commit appends its pages to the WAL, and readers
//     go on reading the last committed state meanwhile.
//   - synchronous=NORMAL (FULL with Options.FullSync): a commit does not
//     wait for the disk. In WAL mode this is the standard setting, and it
//     keeps the guarantee imports rely on: a committed batch, with its
//     journal and checkpoint, survives kill -9 of the process, and the
//     database is consistent after a power failure too, which may only
//     lose the last commits.
//   - cache_size=24 MiB of pages per connection: enough for the key
//     index's inserts (a 500,000-row import ran as fast as with 64 MiB);
//     each cached page costs about twice its size in memory, so this is
//     most of the store's footprint (an import of 500,000 rows peaks near
//     130 MB of RSS, with the importer's own memory, against 220 MB with
//     64 MiB).
//   - temp_store=MEMORY: savepoints (see above) keep their pages in memory.
//
// # Cost
//
// Inserts are multi-row INSERT statements within one transaction per
// batch; the statements of writes and lookups stay prepared (the writer's
// from Open on), as preparing a multi-row INSERT cost about as much as
// running it. On the 2-core machine crmio is developed on, 1,000-record
// batches of 8-field contacts insert at about 100,000 records a second
// when no field is a key field (schema version 1, which wrote items for
// every field: 35,000 to 40,000), about 30,000 with email and phone
// indexed, and 8,000 with all eight (each lookup field's keys are random
// writes into the index; see BenchmarkInsert). A write sorts its batch's
// keys before inserting them, so that they go into the index in its
// order, page after page, not a random page each (an import of 200,000
// contacts: 7.2 s to 5.6 s). Making a field a key field
// writes the items of the module's records, about 80,000 a second: call
// KeyFields ahead of the first query rather than let a user wait on it.
// Scan yields about 200,000 records a second (its own JSON decoder reads
// the stored form several times faster than encoding/json would).
// ScanChunks (storage.ChunkScanner, what the exporter reads) decodes each
// record straight into its row of a chunk, on a goroutine per core: the
// CSV export of the 476,294 records of a 500,000-row import takes 2.0 to
// 2.3 s, against 3.0 to 3.4 s for a bare SELECT of the file's rows
// through csv.Writer (internal/ceiling's BenchmarkCeilingExport).
//
// An import (package importer, deduplicating on email, creating account
// references) costs about 45 to 50 µs of CPU a row in all with schema
// version 2, against 66 to 85 µs with version 1. With version 5 and the
// changes that came with it (savepoints in memory, keys sorted, lookup
// fields without items, a journal row per batch), 200,000 rows of
// BenchmarkImportSQLite cost 29 to 34 µs a row, against 41 µs just before
// them in the same run (a loaded machine), and two rows per record are
// written (the record and its email key) rather than four: the index
// entries of the lookup fields, the records' JSON and the commit's writes
// to the WAL are now most of the store's part. With version 7 (keys by
// the key first), a 500,000-row import (internal/ceiling's
// BenchmarkCeilingImport) took 8.1 to 8.3 s and 23 µs of CPU a row,
// against 9.7 to 10.3 s and 27 to 28 µs with version 6, alternating;
// an Insert of 200 records or more encodes them on a goroutine of its
// own while this one runs the statements (7.5 s against 7.8, mean of
// five runs).
//
// Inside Atomic, a module with no record when the transaction first came
// to it holds only the keys the transaction wrote, as SQLite lets no
// other writer in meanwhile: the transaction keeps a Bloom filter of each
// field's keys, and its Lookups leave out the keys the filter has never
// seen (an import into an empty module, in one transaction: its lookups
// find nothing but its own earlier batches' keys). The 500,000-row import
// made 952,588 lookups of keys; with the filters its Lookups took 0.57 s
// of the writer's time rather than 1.25 s, and the import 7.25 to 8.34 s
// against 7.78 to 8.86 s, alternating.
package sqlite
