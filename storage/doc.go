// Package storage defines where crmio keeps records: the Store interface,
// the Query a Scan runs, the Scope that limits what a caller sees, and the
// optional capabilities a store may add.
//
// crmio ships three stores: storage/memory (the embedded default for tests
// and examples), storage/sqlite (embedded and persistent, pure Go) and
// storage/postgres. To keep records in your own database, write an adapter.
//
// # Writing an adapter
//
// Like database/sql/driver, the core is small and the rest is optional,
// found by type assertion. An adapter must implement Store:
//
//   - Insert, Update, Delete and Get work on whole batches: do one round
//     trip per call. Ids are yours to assign; Insert refuses records that
//     already carry one. Update replaces a record's whole Values map and
//     fails with an error wrapping crmio.ErrNotFound, changing nothing, when
//     an id is missing. Delete ignores missing ids. Get omits them.
//   - Lookup finds records by match key. Compute crmio.MatchKeys for every
//     value you store (one per item of a list) and index them, so that a
//     lookup costs O(keys), not O(records). The importer calls it once per
//     batch to find duplicates and resolve references.
//   - Scan runs a Query: filters, field selection, order, limit and Scope.
//     Push them down to your database where you can; the semantics are
//     those of Filter.Match, Query.Compare and SortKey in this package,
//     which an adapter that filters in Go can simply call. Apply the Scope
//     inside the store, so that records outside it are never read out.
//   - Keep Values exactly: every Kind, non-ASCII text, the digits of a
//     number, a field present but empty versus absent. A Value's JSON form
//     (crmio.Value.MarshalJSON) round-trips exactly, which is the simplest
//     way for a SQL store to keep one.
//   - Honour the context: a cancelled ctx stops the call with ctx.Err().
//   - Be safe for concurrent use.
//
// An adapter may also implement:
//
//   - Transactor, atomic batches. With it, each import batch commits
//     whole or not at all, and a cancelled or failed import leaves no half
//     batch. Without it, a failure mid-batch can leave part of a batch
//     written; the journal still lists it, so rollback removes it.
//   - History, the job history and its journal. With it, every import
//     that is not a dry run is a job the caller can list, poll from another
//     process and roll back. Without it, imports still run and return their
//     summary, but importer.Rollback and job polling report
//     crmio.ErrNotSupported.
//   - ChunkScanner, a scan read as chunks (Chunk): the values of the
//     selected fields, record by record, with no map per record. A store
//     that decodes its records from bytes (the SQL stores) decodes each
//     straight into its row; the exporter reads through it, and reads
//     another store through Scan.
//
// # Checking an adapter
//
// Package storage/storetest checks the whole contract, in the spirit of
// testing/fstest.TestFS: call storetest.Run(t, newStore) from your
// adapter's tests. It checks the optional capabilities only where your
// store implements them, and reports every failure it finds, not only the
// first.
package storage
