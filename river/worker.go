package river

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/storage"
	rq "github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// importWorker runs the crmio job a River job names.
type importWorker struct {
	rq.WorkerDefaults[ImportArgs]
	r *Runner
}

// Timeout is none: an import runs as long as its file takes, and stops
// on Stop, on a cancel, or when it finds it was taken over.
func (w *importWorker) Timeout(*rq.Job[ImportArgs]) time.Duration { return -1 }

// NextRetry backs off from 1s, doubling, to a minute: a failure that may
// pass (the store was unreachable) is retried soon.
func (w *importWorker) NextRetry(j *rq.Job[ImportArgs]) time.Time {
	return time.Now().Add(time.Second << min(max(j.Attempt-1, 0), 6))
}

// self names this worker process in events.
var self = func() string {
	host, _ := os.Hostname()
	return host + ":" + strconv.Itoa(os.Getpid())
}()

// Work runs the job: it decides from the history whether there is
// anything to run (a job another worker runs, or that ended, is not run
// again), opens its file and runs or resumes it from its checkpoint. The
// history's version check, in every batch's transaction, is the fence:
// a second attempt at a job a live worker holds is refused before it
// writes anything (importer.ErrJobRunning), and a worker that was taken
// for dead and replaced stops at its next batch without writing it
// (importer.ErrTakenOver).
func (w *importWorker) Work(ctx context.Context, rj *rq.Job[ImportArgs]) error {
	r := w.r
	im := r.importer()
	drain := r.draining()
	jobID := rj.Args.JobID
	log := r.log.With("job", jobID, "river_job", rj.ID, "attempt", rj.Attempt)
	select {
	case <-drain:
		return rq.JobSnooze(0) // stopping: leave it to the next worker
	default:
	}
	job, err := im.Status(ctx, jobID)
	if errors.Is(err, crmio.ErrNotFound) {
		log.WarnContext(ctx, "crmio import: no such job in the history; dropping its River job")
		return rq.JobCancel(err)
	}
	if err != nil {
		return err
	}
	switch {
	case job.Status == storage.JobCompleted, job.Status == storage.JobRolledBack:
		r.dropRescued(ctx, rj)
		return nil
	case job.Status == storage.JobRunning:
		// A live worker holds it (Status takes a dead one's job as
		// interrupted): a second attempt, after a rescue, waits and looks
		// again, and never runs it beside the first.
		log.InfoContext(ctx, "crmio import runs in another worker; looking again later", runnerAttr(job.Runner))
		return rq.JobSnooze(r.cfg.StaleAfter)
	case job.Status == storage.JobCancelled && job.Finished.After(rj.CreatedAt):
		// Cancelled since it was queued: the cancel stands.
		r.finished(ctx, rj, job, nil)
		return rq.JobCancel(fmt.Errorf("%w: job %s was cancelled", importer.ErrCancelled, jobID))
	}
	// Queued, interrupted, failed (a retry), or cancelled before this
	// River job was made (Enqueue): run it from its checkpoint.
	src, closer, err := r.openFile(ctx, job)
	if err != nil {
		if errors.Is(err, crmio.ErrNotFound) || rj.Attempt >= rj.MaxAttempts {
			return r.giveUp(ctx, rj, err)
		}
		return err // the store may be back soon
	}
	defer closer.Close()

	runCtx, stop := context.WithCancelCause(context.WithoutCancel(ctx))
	defer stop(nil)
	go func() {
		select {
		case <-drain:
			stop(importer.ErrRequeued)
		case <-ctx.Done():
			if errors.Is(context.Cause(ctx), rivertype.ErrJobCancelledRemotely) {
				stop(fmt.Errorf("%w: its River job was cancelled", importer.ErrCancelled))
			} else {
				stop(importer.ErrRequeued) // River stops hard
			}
		case <-runCtx.Done():
		}
	}()
	// EventStarted goes out once the run holds the job: at its first
	// committed batch, or its end (a second attempt that finds the job
	// held never reports it).
	var started sync.Once
	start := func() {
		started.Do(func() {
			r.emit(Event{Kind: EventStarted, JobID: jobID, Status: storage.JobRunning, Counts: job.Counts, Worker: self, RiverJob: rj.ID})
		})
	}
	hooks, sink := r.hooksFor(runCtx, job, rj, start)
	log.InfoContext(ctx, "crmio import started", "status", job.Status, "from_row", job.Checkpoint.Rows, "file", job.File)
	sum, err := im.Resume(runCtx, jobID, src, hooks)
	sink.flush(context.WithoutCancel(ctx), final(sum))
	if sum != nil {
		start()
		r.dropRescued(ctx, rj)
	}
	switch {
	case errors.Is(context.Cause(runCtx), importer.ErrRequeued) && (errors.Is(err, importer.ErrRequeued) || sum == nil):
		log.InfoContext(ctx, "crmio import handed back to the queue", "read", readOf(sum))
		r.emit(Event{Kind: EventRequeued, JobID: jobID, Status: storage.JobQueued, Counts: countsOf(sum, job), Worker: self, RiverJob: rj.ID})
		return rq.JobSnooze(0)
	case err == nil:
		final, _ := r.history.Job(context.WithoutCancel(ctx), jobID)
		r.finished(ctx, rj, final, nil)
		return nil
	case errors.Is(err, importer.ErrTakenOver), errors.Is(err, importer.ErrJobRunning):
		if errors.Is(context.Cause(ctx), rivertype.ErrJobCancelledRemotely) {
			// The attempt that took the job over dropped this one.
			log.InfoContext(ctx, "crmio import runs in another worker; this attempt was dropped", "reason", err)
			return rq.JobCancel(err)
		}
		log.InfoContext(ctx, "crmio import runs in another worker; looking again later", "reason", err)
		return rq.JobSnooze(r.cfg.StaleAfter)
	case errors.Is(err, importer.ErrNotResumable):
		return nil
	case errors.Is(err, importer.ErrCancelled):
		final, _ := r.history.Job(context.WithoutCancel(ctx), jobID)
		r.finished(ctx, rj, final, err)
		return rq.JobCancel(err)
	case sum == nil:
		// It failed before it began: the file, the plan, or the store.
		if permanent(err) || rj.Attempt >= rj.MaxAttempts {
			return r.giveUp(ctx, rj, err)
		}
		log.WarnContext(ctx, "crmio import could not begin; River retries it", "error", err)
		return err
	default:
		// The run failed (its job is failed, from its checkpoint).
		if errors.Is(err, importer.ErrTooManyErrors) || rj.Attempt >= rj.MaxAttempts {
			final, _ := r.history.Job(context.WithoutCancel(ctx), jobID)
			r.finished(ctx, rj, final, err)
			return rq.JobCancel(err)
		}
		log.WarnContext(ctx, "crmio import failed; River retries it from its checkpoint", "error", err, "read", sum.Read)
		return err
	}
}

// permanent reports whether an error that stopped a job before it began
// will not pass by trying again.
func permanent(err error) bool {
	for _, e := range []error{importer.ErrSourceChanged, importer.ErrNoMapping, crmio.ErrNotFound, crmio.ErrUnknownModule,
		crmio.ErrUnknownField, formats.ErrTooLarge} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// giveUp ends a job that cannot run (its file is gone, its plan no longer
// fits the schema, or it failed to begin on every attempt): it is
// recorded failed, with why, and its River job ends.
func (r *Runner) giveUp(ctx context.Context, rj *rq.Job[ImportArgs], cause error) error {
	ctx = context.WithoutCancel(ctx)
	job, err := storage.UpdateJobFunc(ctx, r.history, rj.Args.JobID, func(j *storage.Job) error {
		if j.Status == storage.JobRunning || j.Status.Done() && j.Status != storage.JobInterrupted {
			return errNoChange
		}
		j.Status, j.Error, j.Finished, j.Runner = storage.JobFailed, "the worker could not run it: "+cause.Error(), time.Now(), nil
		return nil
	})
	if err != nil && !errors.Is(err, errNoChange) {
		r.log.ErrorContext(ctx, "crmio import: recording the failure", "job", rj.Args.JobID, "error", err)
	}
	r.finished(ctx, rj, job, cause)
	return rq.JobCancel(cause)
}

var errNoChange = errors.New("no change")

// finished reports a job's end, and schedules the removal of its files.
func (r *Runner) finished(ctx context.Context, rj *rq.Job[ImportArgs], job storage.Job, cause error) {
	msg := ""
	if cause != nil {
		msg = cause.Error()
	} else {
		msg = job.Error
	}
	lvl := slog.LevelInfo
	if job.Status == storage.JobFailed {
		lvl = slog.LevelWarn
	}
	r.log.Log(ctx, lvl, "crmio import finished", "job", rj.Args.JobID, "river_job", rj.ID, "status", job.Status,
		"read", job.Counts.Read, "created", job.Counts.Created, "updated", job.Counts.Updated,
		"skipped", job.Counts.Skipped, "failed", job.Counts.Failed, "error", msg)
	r.emit(Event{Kind: EventFinished, JobID: rj.Args.JobID, Status: job.Status, Counts: job.Counts, Error: msg, Worker: self, RiverJob: rj.ID})
	r.scheduleCleanup(context.WithoutCancel(ctx), rj.Args.JobID)
}

// dropRescued cancels the River job this one rescued, once this one runs
// the crmio job (or the job has ended): its worker died, so its River job
// stays running until River's rescuer finalizes the cancel. Were its
// worker alive after all, it no longer holds the crmio job: the cancel
// stops its attempt without a write.
func (r *Runner) dropRescued(ctx context.Context, rj *rq.Job[ImportArgs]) {
	if rj.Args.Rescues == 0 {
		return
	}
	if err := r.inserts.cancel(context.WithoutCancel(ctx), rj.Args.Rescues); err != nil && !errors.Is(err, rivertype.ErrNotFound) {
		r.log.WarnContext(ctx, "crmio import: cancelling the rescued River job", "river_job", rj.Args.Rescues, "error", err)
	}
}

// hooksFor returns the hooks of one run of job: the configured ones, and
// the worker's observers: per committed batch, the failed rows go to the
// uploads store and an EventBatch out.
func (r *Runner) hooksFor(ctx context.Context, job storage.Job, rj *rq.Job[ImportArgs], started func()) (*importer.Hooks, *failedSink) {
	log := r.log.With("job", job.ID, "river_job", rj.ID)
	var hooks importer.Hooks
	if r.cfg.Hooks != nil {
		if h := r.cfg.Hooks(job); h != nil {
			hooks = *h
		}
	}
	sink := &failedSink{r: r, jobID: job.ID, owner: job.StartedBy, log: log}
	if hooks.FailedRows != nil {
		hooks.FailedRows = io.MultiWriter(sink, hooks.FailedRows)
	} else {
		hooks.FailedRows = sink
	}
	user, every := hooks.Progress, hooks.ProgressInterval
	if every <= 0 {
		every = 250 * time.Millisecond
	}
	var last time.Time
	var once sync.Once
	hooks.ProgressInterval = time.Nanosecond // after every committed batch
	hooks.Progress = func(p importer.Progress) {
		once.Do(func() {
			started()
			go r.dropRescued(ctx, rj)
		})
		sink.flush(ctx, p.Read)
		r.emit(Event{Kind: EventBatch, JobID: job.ID, Status: storage.JobRunning, Counts: p.Counts, Worker: self, RiverJob: rj.ID})
		if user != nil {
			if now := time.Now(); now.Sub(last) >= every {
				last = now
				user(p)
			}
		}
	}
	return &hooks, sink
}

// scheduleCleanup queues the removal of an ended job's file and failed
// rows, once the retention has passed.
func (r *Runner) scheduleCleanup(ctx context.Context, jobID string) {
	if r.cfg.Retention < 0 {
		return
	}
	_, err := r.inserts.insert(ctx, CleanupArgs{JobID: jobID}, &rq.InsertOpts{
		Queue: r.cfg.Queue, ScheduledAt: time.Now().Add(r.cfg.Retention), UniqueOpts: uniqueWhileActive,
	})
	if err != nil {
		r.log.WarnContext(ctx, "crmio import: scheduling the removal of its files", "job", jobID, "error", err)
	}
}

// cleanupWorker removes an ended job's file and failed rows.
type cleanupWorker struct {
	rq.WorkerDefaults[CleanupArgs]
	r *Runner
}

// Work removes the files, unless the job runs again (Enqueue: its new end
// schedules another removal) or ended again since (the retention counts
// from its last end).
func (w *cleanupWorker) Work(ctx context.Context, rj *rq.Job[CleanupArgs]) error {
	r := w.r
	job, err := r.history.Job(ctx, rj.Args.JobID)
	if errors.Is(err, crmio.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if job.Status.Active() {
		return nil
	}
	if left := r.cfg.Retention - time.Since(job.Finished); left > 0 && !job.Finished.IsZero() {
		return rq.JobSnooze(left)
	}
	if job.Source.Upload != "" {
		if err := r.uploads.DeleteUpload(ctx, job.Source.Upload); err != nil {
			return err
		}
	}
	if err := deleteFailedRows(ctx, r.uploads, job.ID); err != nil {
		return err
	}
	r.log.InfoContext(ctx, "crmio import: removed its file and failed rows after the retention", "job", job.ID)
	return nil
}

// rescue looks, every Config.RescueInterval, for River jobs whose worker
// died: running in River, while the history says their crmio job was
// interrupted (its worker's process is gone, or its heartbeat is older
// than StaleAfter), or still queued long after the attempt began. Each
// gets a rescuing River job, which resumes the crmio job from its
// checkpoint. Every worker process does this: the rescuing job is unique
// to the River job it rescues, so only one is queued.
func (r *Runner) rescue(ctx context.Context, work queue) {
	t := time.NewTicker(r.cfg.RescueInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rows, err := work.running(ctx, ImportArgs{}.Kind())
		if err != nil {
			if ctx.Err() == nil {
				r.log.WarnContext(ctx, "crmio rescuer: listing running River jobs", "error", err)
			}
			continue
		}
		im := r.importer()
		for _, row := range rows {
			var args ImportArgs
			if json.Unmarshal(row.EncodedArgs, &args) != nil || args.JobID == "" {
				continue
			}
			job, err := im.Status(ctx, args.JobID)
			if err != nil {
				continue
			}
			dead := job.Status == storage.JobInterrupted ||
				job.Status == storage.JobQueued && row.AttemptedAt != nil && time.Since(*row.AttemptedAt) > r.cfg.StaleAfter
			if !dead {
				continue
			}
			opts := r.importOpts()
			opts.Priority = priorityRescue
			res, err := r.inserts.insert(ctx, ImportArgs{JobID: args.JobID, Rescues: row.ID}, opts)
			if err != nil {
				r.log.WarnContext(ctx, "crmio rescuer: queueing a job again", "job", args.JobID, "error", err)
				continue
			}
			if !res.UniqueSkippedAsDuplicate {
				r.log.InfoContext(ctx, "crmio import's worker died; queued again", "job", args.JobID, "river_job", row.ID,
					"rescued_by", res.Job.ID, "from_row", job.Checkpoint.Rows, "error", job.Error)
				r.emit(Event{Kind: EventRescued, JobID: args.JobID, Status: job.Status, Counts: job.Counts, Error: job.Error, Worker: self, RiverJob: res.Job.ID})
			}
		}
	}
}

// runnerAttr logs the process that runs a job.
func runnerAttr(r *storage.Runner) slog.Attr {
	if r == nil {
		return slog.String("runner", "")
	}
	return slog.Group("runner", "worker", r.Worker, "host", r.Host, "pid", r.PID)
}

func final(sum *importer.Summary) int {
	if sum == nil {
		return -1
	}
	return sum.Read
}

func readOf(sum *importer.Summary) int {
	if sum == nil {
		return 0
	}
	return sum.Read
}

func countsOf(sum *importer.Summary, job storage.Job) storage.Counts {
	if sum == nil {
		return job.Counts
	}
	return sum.Counts
}
