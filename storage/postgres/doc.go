// Package postgres is a storage.Store kept in a PostgreSQL database (pgx
// and pgxpool), for stores that outgrow one file or that several services
// share. It implements the whole contract of package storage, including
// storage.Transactor, storage.History and storage.Uploads.
//
//	store, err := postgres.Open(ctx, "postgres://crm:secret@db:5432/crm?sslmode=require", &postgres.Options{Schema: "crmio"})
//	if err != nil { … }
//	defer store.Close()
//	ids, err := store.Insert(ctx, "people", records)
//
// # Opening
//
// Open takes a DSN: a URL ("postgres://user:password@host:5432/db?…") or
// key=value pairs, with every setting pgxpool.ParseConfig knows
// (pool_max_conns, sslmode, …). New takes a pool you already have, and
// leaves it open on Close. Options.Schema names the PostgreSQL schema that
// holds the tables (created when missing; empty means the connection's
// default, usually public): one per tenant, or one per test run.
//
// # Schema and migrations
//
// The schema is created and upgraded by versioned migrations embedded in
// the package (migrations/NNNN_name.sql), which Open and New run in one
// transaction under an advisory lock of the schema, so that processes
// opening it at once apply each migration once. Each applied version is a
// row of crmio_schema_migrations. A schema a newer version of this package
// wrote fails with ErrSchemaTooNew. Versions may leave gaps (changes
// written in parallel take their numbers as they are written): every
// version the schema lacks is applied, in order, also one below the
// newest it has.
//
// The tables:
//
//   - crmio_records (id, module, vals, keys, sorts, hkeys): every record of
//     every module. vals (bytea) is the record's values in the named
//     binary encoding of storage/internal/bincodec, field names in order,
//     about half the bytes of the JSON object of crmio.Value JSON forms
//     that schema versions 1 to 5 kept (as text); rows written before
//     version 6 hold that JSON until they are next written, and read as
//     before (see migrations/0006_binary_values.sql). A field selection
//     is projected by the client. keys and sorts (bytea[]) hold the crmio.MatchKey and
//     storage.SortKey of every value (every item of a list) of the
//     module's key fields (below), computed in Go and prefixed by the
//     field; bytea compares bytewise, as Go compares strings (what COLLATE
//     "C" would do for text, and also for text that is not valid UTF-8).
//     hkeys holds 64-bit hashes of the match keys of the lookup fields
//     (below), without an index: it says which rows of crmio_lookup_keys
//     are the record's.
//   - crmio_lookup_keys (h, id): one row per hash in a record's hkeys,
//     under a hash index on h, written in the same transaction as the
//     record and removed when it is updated or deleted. (Before schema
//     version 5, a GIN index on hkeys served instead: it made an insert
//     cost about three times what the primary key alone costs, and its
//     lookup slowed as the table grew; see
//     migrations/0005_lookup_keys.sql. Versions 5 and 6 kept the rows
//     under a B-tree primary key on (h, id), whose random inserts cost
//     the server about 1.6 times what the hash index's do, and its
//     Lookup about 1.5 times; see migrations/0007_lookup_keys_hash.sql.)
//     The table has no primary key: a record's hashes are distinct, and
//     the writers add its rows once and remove them with it.
//   - crmio_key_fields and crmio_lookup_fields: the key fields and the
//     lookup fields of each module.
//   - crmio_jobs and crmio_journal: the history (below). From schema
//     version 5, a row of crmio_journal holds the entries of one
//     AppendJournal call (an import's batch), packed in its entries
//     column; rows written before hold one entry each, and read as
//     before.
//   - crmio_uploads and crmio_upload_chunks: the uploads (storage.Uploads),
//     in chunks of 512 KiB, each written by a statement of its own so
//     that a large or slow upload holds no lock and no transaction for
//     long; an upload is visible once its last chunk is in.
//
// Ids are decimal integers from one sequence for every module: id order
// is creation order, and an id is never reused.
//
// # What runs in PostgreSQL
//
// Scan runs the whole Query as one SELECT: filters and the Scope are
// conditions on the key arrays (=, != and contains on match keys, = on a
// lookup field through crmio_lookup_keys; <, <=, >, >= on sort keys, within
// the value's class), the order sorts by the sort key of each order
// field's first value (records without one last, in both directions, then
// id order), the limit is a LIMIT, and a field selection builds the JSON
// of the selected fields only (a record holding U+0000, which
// PostgreSQL's JSON functions refuse, comes whole and is projected in
// Go). The semantics are exactly those of storage.Filter.Match and
// storage.Query.Compare, and a record outside the scope never leaves the
// database. Outside Atomic, rows stream from one pooled connection as the
// caller iterates; inside, a cursor fetches them a page at a time.
//
// # Key fields and lookup fields
//
// A record's arrays hold the keys of the fields that queries use, not of
// every field: elements nobody queries would cost every write (with every
// field keyed, the arrays were 40% of a contact's row) and serve nothing.
//
// A field becomes a key field of its module on the first Scan that
// filters or orders on it (a Scope's filters included), which first adds
// its match and sort keys to the records already there (one pass over the
// module), and from then on every write adds them; KeyFields does the
// same ahead of time. A field becomes a lookup field, and a key field, on
// its first Lookup: the match keys of its values are then also hashed
// into hkeys and crmio_lookup_keys, and Lookup finds candidates through
// the hash index of crmio_lookup_keys (a bitmap scan), reads them by
// their primary key and settles them with the exact keys, in one query;
// IndexFields does the same ahead of time. Writers read a module's key and lookup fields under
// a shared advisory lock of the module, which adding a field takes
// exclusively, so no write misses a field added meanwhile. Fields nobody
// filters, orders on or looks up cost no keys and no index entries, which
// keeps inserts close to a bare COPY.
//
// A schema upgraded from version 1, which keyed every field, keeps the
// keys its records have: those of a field that becomes a key field are
// already right, and filling the field in skips the records that have
// them (see migrations/0002_key_fields.sql).
//
// # Writes, durability and transactions
//
// Insert takes the module's lookup fields and the new ids (from the
// sequence) in one round trip, then sends the batch in one binary COPY,
// encoded as PostgreSQL reads it, then the rows of crmio_lookup_keys in
// one INSERT: one transaction per batch, whose BEGIN (or SAVEPOINT,
// inside Atomic) travels with the first round trip and whose COMMIT (or
// RELEASE) with the last, so that a batch costs three round trips. The values
// are written in the shared format of the SQL stores
// (storage/internal/valuecodec) by an encoder of this package that sorts
// and quotes a batch's field names once rather than for every record. Update sends
// small batches as pipelined UPDATEs and larger ones through COPY into a
// temporary staging table, then one UPDATE … FROM, in three round trips. Every write call is
// one transaction, so a killed process leaves only whole batches, and a
// commit is as durable as the server makes it.
//
// Atomic runs a function in one transaction (READ COMMITTED) on one
// connection: its writes commit together, and none does when it returns
// an error, panics or its context is done. Each write call through tx
// runs in a savepoint, so a call that fails changes nothing, and
// tx.Atomic nests as a savepoint. The history (jobs, and the journal of
// what each wrote with the records' before and after images as JSON) is
// in the same database: journal entries written through Atomic's tx
// commit with the records they describe, and another process can poll a
// job and roll it back after a restart. AppendJournal writes a call's
// entries as one row, in one statement that also checks the job, once
// per call rather than through a foreign key, whose check per entry cost
// more than the entry; a row and an index entry per journal entry cost
// an import 13% of the server's time. A job deleted by hand still takes
// its journal with it (a trigger on crmio_jobs).
//
// # Cost
//
// On the 2-core machine crmio is developed on, with the server on
// loopback, 1,000-record batches of 8-field contacts insert at 100,000 to
// 115,000 records a second when no field is a key or lookup field, about
// 90% of the rate of a bare pgx CopyFrom of the same JSON into a table
// without keys or indexes; 50,000 to 60,000 a second with email and phone
// indexed, and 27,000 with all eight (see BenchmarkInsert and
// BenchmarkCopyBare; measured with schema version 4, whose GIN index was
// most of what a lookup field cost).
// Making a field a key field rewrites the module's records that have it,
// about 27,000 a second (BenchmarkKeyFields): call KeyFields ahead of the
// first query rather than let a user wait on it. Scan yields 120,000 to
// 180,000 records a second on loopback (its own JSON decoder reads the
// stored form several times faster than encoding/json would); a field
// selection costs the server more CPU than it saves there, and pays off
// when the network is slower than loopback or the records wide.
//
// An import (package importer, deduplicating on email) cost the server
// about 21 to 29 µs of CPU a record with schema version 2, against 34 µs
// with version 1, and ran at 28,000 to 33,000 records a second: the two
// GIN index operations on the email hashes (the batch's Lookup of 1,000
// hashes, about 5 ms, and the index entries of its Insert) and the COPY
// of the records (about 9 ms a batch) were most of it; the journal's COPY
// about 2.5 ms. With version 5, a Lookup of 1,000 hashes through
// crmio_lookup_keys costs the server about 1.5 ms against 8 ms through
// the GIN index (300,000 records); the hashes' index entries cost about
// what the GIN index's did (about 3 µs each: a batch's random hashes
// touch B-tree pages all over the index, and sorting them first gains
// nothing). A 200,000-row import (importer's BenchmarkImportPostgres)
// costs the server about 4.2 s of CPU against 4.6 to 6 s with version 4
// and the writes of before, measured side by side: the journal's packed
// row (0.7 ms a batch against 3 ms for its COPY), the Lookup and the
// round trips saved (7 a batch instead of 10 in that import) are the
// difference.
// What remains is the COPY of the records (about 36% of the server's
// time), the rows of crmio_lookup_keys (31%) and the Lookup (20%).
// Version 7's hash index on crmio_lookup_keys cut those two, in a
// 500,000-row import (internal/ceiling's BenchmarkCeilingImport), from
// 3.4–3.9 s to 2.0–2.3 s (the rows' INSERTs) and from 2.2–2.4 s to
// 1.4–1.6 s (the Lookups), and the import from 12.4–13.7 s to 9.7–10.4 s
// (in a later run, the two schemas alternating three times each on a
// quiet machine: 9.7–10.2 s against 10.4–12.1 s); the records' COPY
// (2.8–3.0 s) is now the largest cost.
//
// A scan in chunks (storage.ChunkScanner, what the exporter reads) decodes
// each record's values straight into its row of a chunk, on a goroutine
// per core, with no map per record: the CSV export of the 476,294
// records of a 500,000-row import went from 3.5 s to 2.2–2.3 s with it,
// the exporter's CSV rows encoded on its workers and the statistics the
// end of the import leaves (below) included. A job that wrote 10,000
// records or more ends by analyzing crmio_records' module column:
// without it, right after the load (autovacuum comes a minute or more
// later), the planner counted a module of 476,000 records as 6,500 and
// scanned it with a bitmap and an external sort of 128 MB on disk, 0.7 s
// before the first row; with it, in the primary key's order.
//
// A rollback of a 500,000-row import deletes its 486,000 records (people
// and the accounts they reference) in 90 to 132 s, against 319 s before
// 2026-12-08: a deletion removes its records' rows of crmio_lookup_keys
// through the hash index, 100 records a statement (dropLookupKeysSQL).
// Most of what remains is the reference field made a lookup field on the
// rollback's first Lookup of who references the accounts, which rewrites
// the keys of every record of the module once, and the rows of a
// reference's hash, which every record naming the same account shares.
//
// # Tests
//
// The tests run against the server named by the environment variable
// CRMIO_POSTGRES_DSN, each in a fresh schema dropped at the end, and are
// skipped without it:
//
//	CRMIO_POSTGRES_DSN='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' go test ./storage/postgres
package postgres
