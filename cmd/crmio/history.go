package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/storage"
)

var historyFlags struct {
	json  bool
	limit int
}

var historyCmd = &command{
	name:    "history",
	args:    "[--limit N] [--json]",
	summary: "list the import jobs, newest first",
	help: `History lists the import jobs the store keeps, newest first: each job's id,
status, module, file and counts. A running job whose process died shows as
interrupted. --json prints an array of jobs as the store keeps them.`,
	flags: func(fs *flag.FlagSet) {
		fs.BoolVar(&historyFlags.json, "json", false, "print JSON")
		fs.IntVar(&historyFlags.limit, "limit", 20, "list at most `N` jobs (0: all)")
	},
	run: runHistory,
}

var statusFlags struct {
	json  bool
	watch bool
}

var statusCmd = &command{
	name:    "status",
	args:    "JOB [--json] [--watch]",
	summary: "show an import job: its state, counts and first errors",
	help: `Status shows one import job: its state (queued, running, completed,
failed, cancelled, interrupted, rolled_back), its counts, its checkpoint
and its problems, grouped by column and reason. A job whose process died
(killed, a crash) is interrupted as soon as that is known: at once on the
same machine, after its heartbeat lease (30s) from another.
It works from any process that opens the same store, so it can follow a
long import running elsewhere: --watch shows its progress until it ends.
--json prints the job as the store keeps it.`,
	positional: 1,
	flags: func(fs *flag.FlagSet) {
		fs.BoolVar(&statusFlags.json, "json", false, "print JSON")
		fs.BoolVar(&statusFlags.watch, "watch", false, "follow a running job until it ends")
	},
	run: runStatus,
}

var rollbackFlags struct {
	force bool
}

var rollbackCmd = &command{
	name:    "rollback",
	args:    "JOB [--force]",
	summary: "undo an import job",
	help: `Rollback undoes import job JOB: it deletes the records the job created
(references it created too) and restores the records it updated as they
were. When records changed after the import, or records outside the job
reference records it created (people naming an account it auto-created),
it refuses and changes nothing (exit status 1); --force undoes the import
all the same, losing those changes and clearing those references.
Rolling back twice is safe.`,
	positional: 1,
	flags: func(fs *flag.FlagSet) {
		fs.BoolVar(&rollbackFlags.force, "force", false, "roll back even over records changed since the import, clearing references to the records it created")
	},
	run: runRollback,
}

var cancelCmd = &command{
	name:    "cancel",
	args:    "JOB",
	summary: "stop an import job",
	help: `Cancel stops an import job, whichever process runs it: a running job stops
after the batch in hand, keeping the batches written; a queued job, or one
whose process died, is cancelled at once. Finish it later with 'crmio
resume JOB', or undo it with 'crmio rollback JOB'.`,
	positional: 1,
	run:        runCancel,
}

// newImporter opens the store and returns an importer over it.
func (e *env) newImporter(ctx context.Context) (*importer.Importer, error) {
	schema, err := e.loadSchema()
	if err != nil {
		return nil, err
	}
	store, err := e.openStore(ctx)
	if err != nil {
		return nil, err
	}
	return importer.New(store, schema, nil)
}

// jobArg returns the JOB argument.
func jobArg(cmd string, args []string) (string, error) {
	if len(args) == 0 || strings.TrimSpace(args[0]) == "" {
		return "", usagef("which job? crmio %s JOB ('crmio history' lists them)", cmd)
	}
	return args[0], nil
}

// jobError explains a job that cannot be found.
func jobError(e *env, id string, err error) error {
	if errors.Is(err, crmio.ErrNotFound) {
		if e.inMemory() {
			return fmt.Errorf("no job %s: the memory: store forgets its jobs when a command ends; use --db sqlite:PATH", id)
		}
		return fmt.Errorf("no job %s in the store's history ('crmio history' lists the jobs)", id)
	}
	if errors.Is(err, crmio.ErrNotSupported) {
		return errors.New("this store keeps no import history")
	}
	return err
}

func runHistory(ctx context.Context, e *env, _ []string) error {
	if historyFlags.limit < 0 {
		return usagef("--limit must be 0 or more")
	}
	im, err := e.newImporter(ctx)
	if err != nil {
		return err
	}
	jobs, err := im.History(ctx, historyFlags.limit)
	if err != nil {
		return jobError(e, "", err)
	}
	if historyFlags.json {
		if jobs == nil {
			jobs = []storage.Job{}
		}
		return writeJSON(e.stdout, jobs)
	}
	if len(jobs) == 0 {
		fmt.Fprintln(e.stdout, "No imports yet.")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "job\tstatus\tmodule\tfile\tstarted\tread\tcreated\tupdated\tskipped\tfailed\trefs")
	for _, j := range jobs {
		c := j.Counts
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\n", j.ID, j.Status, j.Module, clip(j.File, 30),
			formatTime(j.Created), c.Read, c.Created, c.Updated, c.Skipped, c.Failed, c.ReferencesCreated)
	}
	return tw.Flush()
}

// openJob returns the importer over the store and the job the JOB
// argument of cmd names, as Status sees it.
func (e *env) openJob(ctx context.Context, cmd string, args []string) (*importer.Importer, storage.Job, error) {
	id, err := jobArg(cmd, args)
	if err != nil {
		return nil, storage.Job{}, err
	}
	im, err := e.newImporter(ctx)
	if err != nil {
		return nil, storage.Job{}, err
	}
	job, err := im.Status(ctx, id)
	if err != nil {
		return nil, job, jobError(e, id, err)
	}
	return im, job, nil
}

func runStatus(ctx context.Context, e *env, args []string) error {
	im, job, err := e.openJob(ctx, "status", args)
	if err != nil {
		return err
	}
	if statusFlags.watch && running(job) {
		if job, err = watchJob(ctx, e, im, job); err != nil {
			return err
		}
	}
	if statusFlags.json {
		return writeJSON(e.stdout, job)
	}
	writeJob(e.stdout, job)
	return nil
}

// watchJob polls a running job until it ends, with a progress bar on a
// terminal.
func watchJob(ctx context.Context, e *env, im *importer.Importer, job storage.Job) (storage.Job, error) {
	var bar *progressBar
	if e.errTTY {
		bar = newProgressBar(e.stderr, job.File)
		defer bar.clear()
	}
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for running(job) {
		if bar != nil {
			bar.update(importer.Progress{Counts: job.Counts, Elapsed: time.Since(job.Started)})
		}
		select {
		case <-ctx.Done():
			return job, ctx.Err()
		case <-tick.C:
		}
		var err error
		if job, err = im.Status(ctx, job.ID); err != nil {
			return job, err
		}
	}
	return job, nil
}

// running reports whether a job may still change by itself.
func running(j storage.Job) bool { return j.Status.Active() }

func writeJob(w io.Writer, j storage.Job) {
	fmt.Fprintf(w, "Job %s: %s\n", j.ID, j.Status)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "  module\t%s\n", j.Module)
	if j.File != "" {
		fmt.Fprintf(tw, "  file\t%s\n", j.File)
	}
	if j.Mode != "" {
		fmt.Fprintf(tw, "  mode\t%s\n", j.Mode)
	}
	started := formatTime(j.Created)
	if j.StartedBy != "" {
		started += " by " + j.StartedBy
	}
	fmt.Fprintf(tw, "  started\t%s\n", started)
	if !j.Finished.IsZero() {
		fmt.Fprintf(tw, "  finished\t%s\n", formatTime(j.Finished))
	} else if !j.Heartbeat.IsZero() {
		fmt.Fprintf(tw, "  last heard of\t%s\n", formatTime(j.Heartbeat))
	}
	c := j.Counts
	rows := fmt.Sprintf("%d read", c.Read)
	if c.Estimated > c.Read && !j.Status.Done() {
		rows += fmt.Sprintf(" of about %d", c.Estimated)
	}
	fmt.Fprintf(tw, "  rows\t%s: %d created, %d updated, %d skipped, %d failed; %d references created\n",
		rows, c.Created, c.Updated, c.Skipped, c.Failed, c.ReferencesCreated)
	if j.Checkpoint.Rows > 0 && j.Status.Resumable() {
		fmt.Fprintf(tw, "  checkpoint\t%d rows committed, up to row %d: 'crmio resume %s' goes on from there\n", j.Checkpoint.Rows, j.Checkpoint.Row, j.ID)
	}
	if j.Runner != nil && j.Status == storage.JobRunning {
		fmt.Fprintf(tw, "  running in\tpid %d on %s\n", j.Runner.PID, j.Runner.Host)
	}
	if j.CancelRequested {
		fmt.Fprintf(tw, "  cancel\trequested\n")
	}
	if j.Error != "" {
		fmt.Fprintf(tw, "  error\t%s\n", plain(j.Error))
	}
	tw.Flush()
	sum := importer.SummaryOf(j)
	if len(sum.Problems) > 0 {
		fmt.Fprintf(w, "Problems:\n")
		for i, p := range sum.Problems {
			if i == maxListed {
				fmt.Fprintf(w, "  … and %d more\n", len(sum.Problems)-maxListed)
				break
			}
			fmt.Fprintf(w, "  %s: %s\n", p.Severity, p)
		}
	}
}

func runRollback(ctx context.Context, e *env, args []string) error {
	id, err := jobArg("rollback", args)
	if err != nil {
		return err
	}
	im, err := e.newImporter(ctx)
	if err != nil {
		return err
	}
	res, err := im.Rollback(ctx, id, &importer.RollbackOptions{Force: rollbackFlags.force})
	var conflict *importer.ConflictError
	var referenced *importer.ReferencedError
	switch {
	case errors.As(err, &referenced):
		fmt.Fprintf(e.stderr, "crmio rollback: %d records outside job %s reference records it created:\n", referenced.N, id)
		for _, r := range referenced.Refs {
			more := ""
			if r.Count > len(r.IDs) {
				more = fmt.Sprintf(" and %d more", r.Count-len(r.IDs))
			}
			fmt.Fprintf(e.stderr, "  %d %s records name, in their field %s, %s records the job created (%s%s)\n", r.Count, r.Module, r.Field, r.Target, strings.Join(r.IDs, ", "), more)
		}
		fmt.Fprintf(e.stderr, "Nothing was rolled back: deleting those records would leave the references dangling.\n"+
			"Run 'crmio rollback %s --force' to roll back anyway and clear those references.\n", id)
		return exitStatus(exitRowsFailed)
	case errors.As(err, &conflict):
		more := ""
		if conflict.N > len(conflict.IDs) {
			more = fmt.Sprintf(" and %d more", conflict.N-len(conflict.IDs))
		}
		fmt.Fprintf(e.stderr, "crmio rollback: %d records changed since job %s imported them (%s%s).\n"+
			"Nothing was rolled back. Run 'crmio rollback %s --force' to undo the import anyway, losing those changes.\n",
			conflict.N, id, strings.Join(conflict.IDs, ", "), more, id)
		return exitStatus(exitRowsFailed)
	case errors.Is(err, importer.ErrJobRunning):
		return fmt.Errorf("job %s is still running: wait for it to end, or stop it with 'crmio cancel %s'", id, id)
	case err != nil:
		return jobError(e, id, err)
	}
	fmt.Fprintf(e.stdout, "Rolled back job %s: %d records deleted, %d restored", id, res.Deleted, res.Restored)
	if res.Cleared > 0 {
		fmt.Fprintf(e.stdout, ", %d references to them cleared in other records", res.Cleared)
	}
	if res.Already > 0 {
		fmt.Fprintf(e.stdout, " (%d already as they were)", res.Already)
	}
	fmt.Fprintln(e.stdout, ".")
	return nil
}

func runCancel(ctx context.Context, e *env, args []string) error {
	im, before, err := e.openJob(ctx, "cancel", args)
	if err != nil {
		return err
	}
	id := before.ID
	if before.Status.Done() && before.Status != storage.JobInterrupted {
		fmt.Fprintf(e.stdout, "Job %s is %s already.\n", id, before.Status)
		return nil
	}
	if err := im.Cancel(ctx, id); err != nil {
		return jobError(e, id, err)
	}
	after, err := im.Status(ctx, id)
	if err != nil {
		return jobError(e, id, err)
	}
	if after.Status == storage.JobCancelled {
		fmt.Fprintf(e.stdout, "Job %s is cancelled.\n", id)
	} else {
		fmt.Fprintf(e.stdout, "Asked job %s to stop: it stops after the batch in hand.\n", id)
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}
