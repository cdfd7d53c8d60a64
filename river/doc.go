// Package river runs crmio imports as durable River jobs
// (github.com/riverqueue/river), in the database the CRM's store already
// uses: PostgreSQL (River's riverpgxv5 driver, on the store's pgx pool,
// its tables in the store's schema) or SQLite (riversqlite, on the
// store's writer). Any number of worker processes, on any number of
// machines, take the jobs; a job survives the crash, kill or deploy of the
// process that runs it, and goes on from its last committed batch.
//
// Import it under a name of your own beside River's:
//
//	import crmioriver "github.com/crmio/crmio/river"
//
// # Running it beside a CRM
//
// The process that starts imports (a web request handler) hands them to a
// Runner; the workers, in that process or any other over the same
// database, run them:
//
//	store, err := postgres.Open(ctx, dsn, nil)       // or sqlite.Open
//	runner, err := crmioriver.New(ctx, store, nil)   // runs River's migrations
//	im, err := importer.New(store, schema, &importer.Options{Runner: runner})
//
//	// In a request: Background imports (over 50,000 rows, or
//	// Plan.Mode = importer.Background) are recorded queued and enqueued
//	// in one transaction; the call returns at once.
//	h, err := im.Start(ctx, importer.Source{Path: upload}, plan, nil)
//	// h.JobID: poll im.Status, or follow h.Progress, from any process.
//
//	// In each worker process (or the same one):
//	err = runner.Start(ctx, im)
//	<-ctx.Done()                                     // SIGTERM
//	err = runner.Stop(context.Background())          // drains
//
// The crmio command line has the same: 'crmio import FILE --background'
// and 'crmio worker'. A multi-machine deployment needs nothing but the
// database: the workers share no disk (the file is kept in the database,
// see Uploads), no network between them and no coordinator; run as many
// as the load needs.
//
// River's tables are in the store's schema. A CRM that runs River for
// jobs of its own keeps crmio's queue in a schema apart (Config.Schema):
// River's clients of one schema share their maintenance, whose leader
// discards the running jobs of kinds it does not know.
//
// On PostgreSQL, River shares the store's pool and keeps one connection
// of it for LISTEN; each running import uses one for its batch and one
// for its heartbeat: size the pool (pool_max_conns) at two per import of
// Config.Concurrency, and two more.
//
// On SQLite the processes take turns at the database's one writer lock,
// which a worker's batch holds for its transaction: give every process
// that writes the file (the workers, and the one that submits) a
// sqlite.Options.BusyTimeout longer than a batch takes. PostgreSQL has no
// such limit: it is the database for workers on several machines.
//
// # The job
//
// The River job's arguments are the crmio job's id (ImportArgs): the
// plan, the file and the progress are in crmio's history (importer,
// storage.History), written in the same transaction as the enqueue. A
// worker reads the job, opens its file and runs it, or resumes it from
// its checkpoint, with importer.Importer.Resume and the hooks of its own
// configuration (Config.Hooks): a job keeps no code.
//
// A job never runs on two workers at once. The fence is crmio's own:
// every batch commits with the job's counts and checkpoint under the
// history's version check, in the batch's transaction. A second attempt
// at a job that a live worker holds (River's rescuer, an operator, a
// retry) finds it running and snoozes without writing anything; a worker
// that was taken for dead (no heartbeat for StaleAfter) and replaced
// learns it at its next batch, which it does not commit, and stops.
//
// River's rescuer leaves running imports alone (they have no timeout: a
// file of millions of rows takes what it takes). A dead worker is found
// by crmio's lease instead: at once by a worker on the same machine (its
// process is gone), after Config.StaleAfter by any other (its heartbeat
// stopped); each worker looks every Config.RescueInterval, and queues
// the job again (a rescuing River job, unique to the one it replaces),
// which resumes it from its last committed batch: within about 36
// seconds with the defaults.
//
// # Stopping, cancelling, failing
//
// Stop (SIGTERM for 'crmio worker') lets each running import finish the
// batch in hand and hands its job back, queued (importer.ErrRequeued), so
// that another worker, or this one restarted, resumes it at once. Cancel a
// job from any process with importer.Importer.Cancel ('crmio cancel'): a
// queued one ends at once and no worker runs it; a running one stops after
// its batch. A failure that may pass (the database went away) is retried
// by River from the checkpoint, up to Config.MaxAttempts; one that will
// not (the file is not the job's, too many failed rows) ends the job
// failed.
//
// # Uploads and failed rows
//
// Submit keeps the job's file in the uploads store (storage.Uploads: the
// store's, in the database, chunked, unless Config.Uploads names a CRM's
// own object store), so that every worker can read it. The failed rows of
// a job workers run are written there too, as CSV after each committed
// batch; FailedRows returns them as one file, from any process. Both are
// removed Config.Retention (7 days) after the job ends.
//
// # Operations
//
// Workers log with log/slog (Config.Logger): each job's start, hand-back,
// rescue and end, with its counts. Config.Events is told of each job's
// lifecycle (queued, started, batch committed, requeued, rescued,
// finished): wire it to webhooks or metrics.
package river
