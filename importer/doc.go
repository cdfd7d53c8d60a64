// Package importer is crmio's import pipeline: it takes a CSV, XLSX or XLS
// file and puts its rows into a module of a CRM, finding duplicates and
// references on the way, and keeps a history of jobs that can be polled,
// cancelled, resumed and rolled back from any process.
//
// # Using it
//
//	im, err := importer.New(store, schema, nil)
//	preview, err := im.Preview(ctx, importer.Source{Path: "contacts.csv"}, "people", 20)
//	// show preview.Suggestions; let the user accept, change or clear each one
//	sum, err := im.Run(ctx, importer.Source{Path: "contacts.csv"}, importer.Plan{
//		Module:               "people",
//		Mapping:              &preview.Mapping,
//		Duplicates:           dedupe.Update,
//		Merge:                dedupe.FillEmpty,
//		AutoCreateReferences: true,
//	}, nil)
//
// The formats it reads are those registered with package formats: import
// github.com/crmio/crmio/formats/all (or the format packages you want) in
// your program.
//
// # Plan and Hooks
//
// A Plan is the policy of an import, everything that can be written down:
// the mapping, static values, the duplicate strategy and merge, match
// fields, references, the caller's Scope, the batch size, the mode. A job
// keeps its Plan in the history (with how its file is read), so that a
// resume, or a worker in another process, runs it exactly as it began.
// Hooks are the code side, given to each run: a Matcher, Merger or
// ReferenceResolver of your own, the CRM's rules (a ColumnHook that cleans
// a cell before coercion, a RowHook that checks or changes a mapped
// record, a BatchHook that checks a batch against the CRM's own data in
// the batch's transaction), and the observers Progress and FailedRows.
//
// # Modes
//
// The mode comes from the estimated row count (the reader's own estimate,
// and a read-ahead of up to Options.InstantMax+1 rows where that cannot
// rule out a small file), or from Plan.Mode:
//
//   - Instant (up to 5,000 rows): the whole file in one transaction where
//     the store is a storage.Transactor: all of it, or nothing.
//   - Streaming (up to 50,000): batch by batch, each batch committed with
//     the job's counts and checkpoint, progress at a steady rate.
//   - Background (beyond): as Streaming, run by a Runner. Start hands it to
//     Options.Runner when one is set (a durable queue whose workers may run
//     in other processes), else runs it in a goroutine of this process.
//
// Run runs an import in the caller's goroutine whatever its mode; Start is
// the asynchronous form and returns a Handle. Both honour their context:
// cancelled, or past its deadline, an import stops after the batch in hand
// and its job ends cancelled.
//
// # The pipeline
//
// Rows stream through in batches (Plan.BatchSize, default 1,000): one
// goroutine reads them, a pool of workers (one per core) maps them, and one
// writer resolves references, matches duplicates, merges and writes the
// batches in file order, so the stages overlap on every core and memory is
// bounded by a few batches, never by the file. The writer is the one
// serial stage, so the workers do every part of a row's work that needs no
// store: besides mapping (and the column and row hooks), they set the
// references an earlier batch already resolved, compute the match keys of
// a dedupe.KeyedMatcher, and hash the row's journal fingerprint. They map
// new rows into the record maps of batches already written: a store keeps
// copies, and matchers and mergers keep no record (see their docs). For
// each batch the store sees one call per operation: a Lookup per match
// field and per reference field, one Get of the records to update, one
// Insert, one Update, one AppendJournal, one UpdateJob. What a batch does
// to its rows is decided without I/O, from its rows, what the matcher
// found and the records they match.
//
// # Jobs: an honest status, resume, liveness
//
// When the store implements storage.History, every import that is not a
// dry run is a job (storage.Job). Each batch commits with the job's counts
// and its checkpoint, the rows of the file consumed so far, in the batch's
// transaction: after any crash the history's counts are the store's. The
// job records the file it reads (name, size, SHA-256) and its plan.
//
// A job ends in exactly one of completed (every row was read), failed,
// cancelled or interrupted: a reader that stopped for any reason but the
// end of its file never completes one. Importer.Resume continues a failed,
// cancelled or interrupted job from its checkpoint, and ends exactly where
// a run without the interruption ends: the same records, the same counts,
// no row twice. It refuses a file that is not the job's. A durable
// Runner's worker that shuts down hands its job back instead: cancelled
// with the cause ErrRequeued, a run stops after the batch in hand and
// leaves the job queued, for another worker to resume.
//
// A running job names its runner: its machine, boot, process and start
// time. A job whose process is gone is seen as interrupted as soon as that
// can be known: at once by a reader on the same machine, after the
// heartbeat lease (Options.StaleAfter, 30s by default) by any other.
// Status and History record what they conclude, so that every reader sees
// the same. Cancel from any process asks a running job to stop (it stops
// after the batch in hand) and ends a queued job, or one whose process
// died, at once. Jobs are written under optimistic concurrency
// (storage.History.UpdateJob checks a version), so a runner that was taken
// for dead and resumed elsewhere learns it at its next batch and stops
// without writing it.
//
// # Results
//
// Every row read is counted once in the Summary: created, updated, skipped
// or failed. Failed rows carry crmio.RowErrors with the row number the user
// sees in their spreadsheet; Summary.WriteFailedRows writes them back as a
// CSV, with an Error column, to fix and import again. Warnings (an
// unresolved optional reference, a phone number that is not valid) do not
// keep a row out. Summary.Problems groups errors and warnings by column
// and reason, with counts and the first rows, for the person reading a
// large file's summary. A problem of the system (the store fails) stops
// the import with an error and the job's status failed; the batches
// committed before stay, and can be resumed or rolled back.
//
// # Scope
//
// Plan.Scope is the importing caller's visibility rule (storage.Scope,
// compared exactly): the import matches, merges into, updates and resolves
// references among the records inside it only, and never reveals or
// touches one outside; the records it creates take the scope's = values.
//
// # Rollback
//
// Rollback deletes what a job created (auto-created references too) and
// restores what it updated. It refuses, changing nothing, when a record
// changed since, or when records outside the job reference records it
// created (they would name a deleted record); RollbackOptions.Force then
// undoes it anyway, clearing those references first, journaled. It is safe
// to run twice.
package importer
