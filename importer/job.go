package importer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

func (im *Importer) history() (storage.History, error) {
	h, ok := im.store.(storage.History)
	if !ok {
		return nil, fmt.Errorf("%w: import history", crmio.ErrNotSupported)
	}
	return h, nil
}

// gone reports whether a running job's runner is gone: its process on
// this machine no longer exists, or (on any machine) its heartbeat is
// older than Options.StaleAfter.
func (im *Importer) gone(job storage.Job) bool {
	if runnerGone(job.Runner) {
		return true
	}
	return !job.Heartbeat.IsZero() && im.opts.Now().Sub(job.Heartbeat) > im.opts.StaleAfter
}

// whyGone says, for people, why a job's runner is taken as gone.
func (im *Importer) whyGone(job storage.Job) string {
	if runnerGone(job.Runner) {
		return fmt.Sprintf("its process (%s) is gone", runnerLabel(job.Runner))
	}
	return fmt.Sprintf("its process (%s) stopped: no heartbeat since %s", runnerLabel(job.Runner), job.Heartbeat.Format("2006-01-02 15:04:05"))
}

// runnerLabel names a runner for people: "pid 4242 on crm-1".
func runnerLabel(r *storage.Runner) string {
	if r == nil {
		return "no runner"
	}
	s := fmt.Sprintf("pid %d on %s", r.PID, r.Host)
	if r.Worker != "" {
		s = r.Worker + ", " + s
	}
	return s
}

// errNotGone: the job changed meanwhile, and is not a dead runner's.
var errNotGone = errors.New("the job's runner is alive")

// Status returns a job as the history has it, from this process or any
// other. A running job whose runner is gone (see Options.Heartbeat) is
// reported as interrupted, or as cancelled when it was asked to stop, and
// recorded so, so that every reader sees the same.
func (im *Importer) Status(ctx context.Context, jobID string) (storage.Job, error) {
	h, err := im.history()
	if err != nil {
		return storage.Job{}, err
	}
	job, err := h.Job(ctx, jobID)
	if err != nil || job.Status != storage.JobRunning || !im.gone(job) {
		return job, err
	}
	ended, err := storage.UpdateJobFunc(ctx, h, jobID, func(j *storage.Job) error {
		if j.Status != storage.JobRunning || !im.gone(*j) {
			return errNotGone
		}
		im.endDead(j, im.whyGone(*j))
		return nil
	})
	if errors.Is(err, errNotGone) {
		return h.Job(ctx, jobID)
	}
	return ended, err
}

// endDead ends a job whose runner is gone: interrupted (resumable), or
// cancelled when a cancel was asked for.
func (im *Importer) endDead(j *storage.Job, why string) {
	j.Status = storage.JobInterrupted
	if j.CancelRequested {
		j.Status = storage.JobCancelled
		why = "cancelled; " + why
	}
	j.Error, j.Runner, j.CancelRequested, j.Finished = why, nil, false, im.opts.Now()
}

// History returns the most recent jobs, newest first (limit zero: all),
// with the statuses Status gives them.
func (im *Importer) History(ctx context.Context, limit int) ([]storage.Job, error) {
	h, err := im.history()
	if err != nil {
		return nil, err
	}
	jobs, err := h.Jobs(ctx, limit)
	if err != nil {
		return nil, err
	}
	for i, j := range jobs {
		if j.Status == storage.JobRunning && im.gone(j) {
			if jobs[i], err = im.Status(ctx, j.ID); err != nil {
				return nil, err
			}
		}
	}
	return jobs, nil
}

// errNoChange: Cancel has nothing to write.
var errNoChange = errors.New("no change")

// Cancel stops a job, whichever process runs it. A queued job, and a job
// whose runner is gone, end as cancelled at once, everywhere; a running
// job is asked to stop, and its runner stops after the batch in hand (it
// notices within Options.Heartbeat, or at its next batch). An interrupted
// job becomes cancelled; a job that has ended stays as it is.
func (im *Importer) Cancel(ctx context.Context, jobID string) error {
	h, err := im.history()
	if err != nil {
		return err
	}
	_, err = storage.UpdateJobFunc(ctx, h, jobID, func(j *storage.Job) error {
		now := im.opts.Now()
		switch {
		case j.Status == storage.JobQueued:
			j.Status, j.Error, j.Finished = storage.JobCancelled, "cancelled before it started", now
		case j.Status == storage.JobRunning && im.gone(*j):
			j.CancelRequested = true
			im.endDead(j, im.whyGone(*j))
		case j.Status == storage.JobRunning:
			if j.CancelRequested {
				return errNoChange
			}
			j.CancelRequested = true
		case j.Status == storage.JobInterrupted:
			j.Status, j.Error, j.Finished = storage.JobCancelled, "cancelled after it was interrupted: "+j.Error, now
		default:
			return errNoChange
		}
		return nil
	})
	if errors.Is(err, errNoChange) {
		return nil
	}
	return err
}

// WaitJob polls a job until it is done (or ctx is), every interval (zero:
// Options.PollInterval), and returns it as it ended.
func (im *Importer) WaitJob(ctx context.Context, jobID string, interval time.Duration) (storage.Job, error) {
	if interval <= 0 {
		interval = im.opts.PollInterval
	}
	for {
		job, err := im.Status(ctx, jobID)
		if err != nil || job.Status.Done() {
			return job, err
		}
		select {
		case <-ctx.Done():
			return job, ctx.Err()
		case <-time.After(interval):
		}
	}
}
