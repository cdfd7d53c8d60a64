// Package importer is crmio's import pipeline: it takes a CSV, XLSX or XLS
// file and puts its rows into a module of a CRM, finding duplicates and
// references on the way, and keeps a history that can be polled and rolled
// back.
//
// # Using it
//
//	im, err := importer.New(store, schema, nil)
//	preview, err := im.Preview(ctx, importer.Source{Path: "contacts.csv"}, "people", 20)
//	// show preview.Suggestions; let the user accept, change or clear each one
//	sum, err := im.Run(ctx, importer.Source{Path: "contacts.csv"}, importer.Plan{
//		Module:     "people",
//		Mapping:    &preview.Mapping,
//		Duplicates: dedupe.Update,
//		Merge:      dedupe.FillEmpty,
//		AutoCreateReferences: true,
//	})
//
// # The pipeline
//
// Rows stream through in batches (Plan.BatchSize, default 1,000): one
// goroutine reads them, a pool of workers (one per core) maps them, and one
// writer resolves references, matches duplicates, merges and writes the
// batches in file order, so the stages overlap on every core and memory is
// bounded by a few batches, never by the file. The writer is the one
// serial stage, so the workers do every part of a row's work that needs no
// store: besides mapping, they set the references an earlier batch already
// resolved, compute the match keys of a dedupe.KeyedMatcher, and hash the
// row's journal fingerprint. They map new rows into the record maps of
// batches already written: a store keeps copies, and matchers and mergers
// keep no record (see their docs). For each batch the
// store sees one call per operation: a Lookup per match field and per
// reference field, one Get of the records to update, one Insert, one
// Update, one AppendJournal. Where the store is a storage.Transactor, each
// batch commits whole or not at all, so a cancelled or failed import leaves
// whole batches only.
//
// # Modes
//
// Start picks a mode from the estimated row count (read ahead from the
// sample, never by reading the file twice): Instant up to 5,000 rows and
// Streaming up to 50,000 run before Start returns, Streaming calling
// Plan.Progress at a steady rate; Background, beyond, returns a Job at once.
// A background job's status is in the store's history, so another process
// can poll it (Status) and ask it to stop (Cancel). Plan.Mode forces a
// mode; Run waits whatever the mode.
//
// # Results
//
// Every row read is counted once in the Summary: created, updated, skipped
// or failed. Failed rows carry crmio.RowErrors with the row number the user
// sees in their spreadsheet; Summary.WriteFailedRows writes them back as a
// CSV, with an Error column, to fix and import again. Warnings (an
// unresolved optional reference, a phone number that is not valid) do not
// keep a row out. A problem of the system (the store fails) stops the
// import with an error and the job's status failed; the batches written
// before stay, and can be rolled back.
//
// # History and rollback
//
// When the store implements storage.History, every import that is not a
// dry run is a job with its counts, and a journal of what it created and
// the before-images of what it updated. Rollback deletes what the job
// created (auto-created references too) and restores what it updated; it
// refuses when a record changed since, unless forced, and is safe to run
// twice.
package importer
