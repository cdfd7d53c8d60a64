package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/crmio/crmio/importer"
	crmioriver "github.com/crmio/crmio/river"
	"github.com/crmio/crmio/storage"
)

var workerFlags struct {
	concurrency int
	queue       string
}

var workerCmd = &command{
	name:    "worker",
	args:    "[--concurrency N] [--queue NAME]",
	summary: "run background imports from the store's job queue until SIGTERM",
	help: `Worker runs the background imports queued in --db ('crmio import FILE
--background', or a CRM's importer with a River runner): it takes each job
from the queue, reads its file from the store, and runs it, or resumes it
from its last committed batch. Run as many workers as you like, on any
machines that reach the database: a job runs on one worker at a time, and
when a worker dies (killed, a crash, a deploy) another resumes its job.

On SIGTERM or SIGINT the worker finishes the batch in hand of each import,
hands the job back to the queue (queued, for the next worker to resume) and
exits with status 0. It logs each job's start, end and counts on stderr.

--db must be sqlite:PATH or postgres://...: the queue (River's tables) and
the files live in that database.`,
	flags: func(fs *flag.FlagSet) {
		fs.IntVar(&workerFlags.concurrency, "concurrency", 1, "run up to `N` imports at once (each uses every core)")
		fs.StringVar(&workerFlags.queue, "queue", crmioriver.DefaultQueue, "take jobs from the queue `NAME`")
	},
	run: runWorker,
}

func runWorker(ctx context.Context, e *env, _ []string) error {
	if workerFlags.concurrency < 1 {
		return usagef("--concurrency must be 1 or more")
	}
	if e.inMemory() {
		return usagef("--db memory: keeps no queue: a worker needs sqlite:PATH or postgres://...")
	}
	schema, err := e.loadSchema()
	if err != nil {
		return err
	}
	store, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	runner, err := newRunner(ctx, store, &crmioriver.Config{Queue: workerFlags.queue, Concurrency: workerFlags.concurrency, Logger: log})
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	im, err := importer.New(store, schema, &importer.Options{Runner: runner, Worker: fmt.Sprintf("crmio worker %d on %s", os.Getpid(), host)})
	if err != nil {
		return err
	}
	if err := runner.Start(ctx, im); err != nil {
		return err
	}
	<-ctx.Done()
	log.Info("crmio worker stopping: finishing the batches in hand")
	return runner.Stop(context.Background())
}

// newRunner returns the River runner over store, or a usage error for a
// store that keeps no queue.
func newRunner(ctx context.Context, store storage.Store, cfg *crmioriver.Config) (*crmioriver.Runner, error) {
	r, err := crmioriver.New(ctx, store, cfg)
	if err != nil {
		return nil, fmt.Errorf("the job queue: %w", err)
	}
	return r, nil
}

// queueImport is 'crmio import --background': the file is kept in the
// store and the job queued for a worker; it prints the job and returns.
func queueImport(ctx context.Context, e *env, src importer.Source, plan importer.Plan, asJSON bool) error {
	if e.inMemory() {
		return usagef("--background needs a store that keeps a queue: --db sqlite:PATH or postgres://...")
	}
	store, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	runner, err := newRunner(ctx, store, &crmioriver.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	im, err := importer.New(store, e.schema, &importer.Options{Runner: runner})
	if err != nil {
		return err
	}
	plan.Mode = importer.Background
	h, err := im.Start(ctx, src, plan, nil)
	if err != nil {
		return err
	}
	job, err := im.Status(ctx, h.JobID)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(e.stdout, struct {
			Job storage.Job `json:"job"`
		}{job})
	}
	fmt.Fprintf(e.stdout, "Queued job %s: %s into %s, for a worker ('crmio worker' on the same --db).\n", job.ID, job.File, job.Module)
	fmt.Fprintf(e.stdout, "Follow it with 'crmio status %s --watch'; stop it with 'crmio cancel %s'.\n", job.ID, job.ID)
	return nil
}
