package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/storage"
)

var resumeFlags struct {
	output runOutput
}

var resumeCmd = &command{
	name:    "resume",
	args:    "JOB [FILE] [--errors OUT.csv] [--json] [--quiet]",
	summary: "finish an import job that was interrupted, cancelled or failed",
	help: `Resume goes on with import job JOB from its last committed batch, to
exactly where the import would have ended had it not stopped: the same
records, the same counts, no row imported twice. Use it after a crash, a
kill, a deploy, Ctrl-C, 'crmio cancel', or a failure of the store once it is
fixed. The job keeps its whole plan (mapping, duplicates, references,
scope, how the file is read); FILE is the file it read, by default the path
the job recorded. Resume refuses a file whose size or content is not the
job's, and a job still running in a live process.

Output and exit status as for 'crmio import'; the counts are the whole
job's.`,
	positional: 2,
	flags: func(fs *flag.FlagSet) {
		resumeFlags.output.declare(fs)
	},
	run: runResume,
}

func runResume(ctx context.Context, e *env, args []string) error {
	im, job, err := e.openJob(ctx, "resume", args)
	if err != nil {
		return err
	}
	id := job.ID
	var src importer.Source
	switch {
	case len(args) > 1 && args[1] == "-":
		src = importer.Source{Reader: os.Stdin, Name: job.File}
	case len(args) > 1:
		if _, err := os.Stat(args[1]); err != nil {
			return err
		}
		src = importer.Source{Path: args[1], Name: filepath.Base(args[1])}
	case job.Source.Upload != "" && !fileThere(job.Source.Path):
		// A background job's file, kept in the store.
		rc, err := openUpload(ctx, e, job.Source.Upload)
		if err != nil {
			return fmt.Errorf("job %s: its file, kept in the store: %w: give the file, 'crmio resume %s FILE'", id, err, id)
		}
		defer rc.Close()
		src = importer.Source{Reader: rc, Name: job.File}
	case job.Source.Path != "":
		if _, err := os.Stat(job.Source.Path); err != nil {
			return fmt.Errorf("job %s read %s, which is not there any more (%v): give the file, 'crmio resume %s FILE'", id, job.Source.Path, errors.Unwrap(err), id)
		}
	}
	name := job.File
	if src.Name != "" {
		name = src.Name
	}
	err = runAndReport(e, &resumeFlags.output, name, func(hooks *importer.Hooks) (*importer.Summary, error) {
		return im.Resume(ctx, id, src, hooks)
	})
	switch {
	case errors.Is(err, importer.ErrSourceChanged):
		return fmt.Errorf("%s\n(give the file job %s read: 'crmio resume %s FILE')", plain(err.Error()), id, id)
	case errors.Is(err, importer.ErrNotResumable):
		return fmt.Errorf("job %s is %s: there is nothing to resume", id, job.Status)
	case errors.Is(err, importer.ErrJobRunning):
		return fmt.Errorf("job %s is still running: wait for it to end, or stop it with 'crmio cancel %s'", id, id)
	}
	return err
}

func fileThere(path string) bool {
	_, err := os.Stat(path)
	return path != "" && err == nil
}

// openUpload opens a file the store keeps (storage.Uploads).
func openUpload(ctx context.Context, e *env, id string) (io.ReadCloser, error) {
	store, err := e.openStore(ctx)
	if err != nil {
		return nil, err
	}
	up, ok := store.(storage.Uploads)
	if !ok {
		return nil, errors.New("the store keeps no files")
	}
	_, rc, err := up.OpenUpload(ctx, id)
	return rc, err
}
