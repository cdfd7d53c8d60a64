package importer

import (
	"context"
	"fmt"
	"slices"
	"strings"

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

// Status returns a job as the history has it, from this process or any
// other. A running job whose heartbeat stopped (its process died) is
// reported, and recorded, as interrupted.
func (im *Importer) Status(ctx context.Context, jobID string) (storage.Job, error) {
	h, err := im.history()
	if err != nil {
		return storage.Job{}, err
	}
	job, err := h.Job(ctx, jobID)
	if err != nil {
		return job, err
	}
	if (job.Status == storage.JobRunning || job.Status == JobCancelRequested) && im.opts.Now().Sub(job.Heartbeat) > im.opts.StaleAfter {
		job.Status = storage.JobInterrupted
		job.Error = fmt.Sprintf("the importing process stopped (no heartbeat since %s)", job.Heartbeat.Format("2006-01-02 15:04:05"))
		if err := h.UpdateJob(ctx, job); err != nil {
			return job, err
		}
	}
	return job, nil
}

// History returns the most recent jobs, newest first (limit zero: all).
func (im *Importer) History(ctx context.Context, limit int) ([]storage.Job, error) {
	h, err := im.history()
	if err != nil {
		return nil, err
	}
	jobs, err := h.Jobs(ctx, limit)
	if err != nil {
		return nil, err
	}
	for i := range jobs {
		if jobs[i].Status == storage.JobRunning && im.opts.Now().Sub(jobs[i].Heartbeat) > im.opts.StaleAfter {
			jobs[i].Status = storage.JobInterrupted
		}
	}
	return jobs, nil
}

// Cancel asks a running job to stop, whichever process runs it: that
// process notices at its next heartbeat and stops between batches.
func (im *Importer) Cancel(ctx context.Context, jobID string) error {
	h, err := im.history()
	if err != nil {
		return err
	}
	job, err := h.Job(ctx, jobID)
	if err != nil {
		return err
	}
	if job.Status.Done() {
		return nil
	}
	job.Status = JobCancelRequested
	return h.UpdateJob(ctx, job)
}

// RollbackOptions configure a rollback. A nil *RollbackOptions means
// defaults.
type RollbackOptions struct {
	// Force undoes the import even over records changed since: they are
	// deleted or restored all the same.
	Force bool
	// BatchSize is the number of records per store call (default 1,000).
	BatchSize int
}

// RollbackResult says what a rollback did.
type RollbackResult struct {
	Deleted  int `json:"deleted"`  // records the import created, references included
	Restored int `json:"restored"` // records the import updated, put back as they were
	// Already counts records already as they were before the import (a
	// rollback that was interrupted and run again).
	Already int `json:"already"`
}

// ConflictError is returned by Rollback when records changed after the
// import; nothing is rolled back. It wraps crmio.ErrConflict.
type ConflictError struct {
	Job string
	IDs []string // "module/id", at most 20
	N   int      // how many records changed
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("importer: %d records changed since job %s (%s): roll back with Force to undo it anyway", e.N, e.Job, strings.Join(e.IDs, ", "))
}

// Unwrap returns crmio.ErrConflict.
func (e *ConflictError) Unwrap() error { return crmio.ErrConflict }

// undo is what rollback must do to one record, gathered from the journal:
// the first entry decides (created: delete; updated: restore the image
// before), the last says how the import left it.
type undo struct {
	module, id string
	created    bool
	before     *crmio.Record
	after      string // the fingerprint of the record as the job left it
}

// Rollback undoes an import: it deletes every record the job created
// (auto-created references too) and restores every record it updated to
// its image before the import. It refuses, changing nothing, when a record
// changed after the import (a *ConflictError), unless opts.Force. It is
// safe to call twice, and to call again after an interrupted rollback.
func (im *Importer) Rollback(ctx context.Context, jobID string, opts *RollbackOptions) (*RollbackResult, error) {
	h, err := im.history()
	if err != nil {
		return nil, err
	}
	var o RollbackOptions
	if opts != nil {
		o = *opts
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 1000
	}
	job, err := im.Status(ctx, jobID)
	if err != nil {
		return nil, err
	}
	res := &RollbackResult{}
	switch job.Status {
	case storage.JobRolledBack:
		return res, nil
	case storage.JobRunning, storage.JobPending, JobCancelRequested:
		return nil, fmt.Errorf("%w: job %s is %s", ErrJobRunning, jobID, job.Status)
	}

	// One pass over the journal, keeping per record only what undoing it needs.
	var order []string
	undos := map[string]*undo{}
	for e, err := range h.Journal(ctx, jobID) {
		if err != nil {
			return nil, fmt.Errorf("importer: reading the journal of job %s: %w", jobID, err)
		}
		key := e.Module + "/" + e.ID
		u := undos[key]
		if u == nil {
			u = &undo{module: e.Module, id: e.ID, created: e.Op == storage.JournalCreated, before: e.Before}
			undos[key] = u
			order = append(order, key)
		}
		switch {
		case e.Fingerprint != "":
			u.after = e.Fingerprint
		case e.After != nil:
			u.after = e.After.Fingerprint()
		}
	}

	// Check every record before changing any.
	var conflicts []string
	var todo []*undo
	for module, keys := range byModule(order, undos) {
		for chunk := range slices.Chunk(keys, o.BatchSize) {
			ids := make([]string, len(chunk))
			for i, u := range chunk {
				ids[i] = u.id
			}
			current, err := im.store.Get(ctx, module, ids)
			if err != nil {
				return nil, err
			}
			have := make(map[string]crmio.Record, len(current))
			for _, rec := range current {
				have[rec.ID] = rec
			}
			for _, u := range chunk {
				cur, ok := have[u.id]
				switch {
				case !ok && u.created:
					res.Already++ // deleted already
				case ok && !u.created && u.before != nil && cur.Fingerprint() == u.before.Fingerprint():
					res.Already++ // restored already
				case ok && cur.Fingerprint() == u.after, o.Force && ok:
					todo = append(todo, u)
				case o.Force:
					// Updated by the import, deleted since: nothing to restore onto.
					res.Already++
				default:
					conflicts = append(conflicts, module+"/"+u.id)
				}
			}
		}
	}
	if len(conflicts) > 0 {
		return nil, &ConflictError{Job: jobID, IDs: conflicts[:min(20, len(conflicts))], N: len(conflicts)}
	}

	// Undo, batch by batch, each batch atomic where the store has transactions.
	for module, undos := range byModule(keysOf(todo), indexOf(todo)) {
		for chunk := range slices.Chunk(undos, o.BatchSize) {
			var del []string
			var restore []crmio.Record
			for _, u := range chunk {
				if u.created {
					del = append(del, u.id)
				} else {
					b := u.before.Clone()
					b.ID = u.id
					restore = append(restore, b)
				}
			}
			work := func(s storage.Store) error {
				if len(del) > 0 {
					if err := s.Delete(ctx, module, del); err != nil {
						return err
					}
				}
				if len(restore) > 0 {
					return s.Update(ctx, module, restore)
				}
				return nil
			}
			if tx, ok := im.store.(storage.Transactor); ok {
				err = tx.Atomic(ctx, work)
			} else {
				err = work(im.store)
			}
			if err != nil {
				return res, fmt.Errorf("importer: rolling back job %s: %w", jobID, err)
			}
			res.Deleted += len(del)
			res.Restored += len(restore)
		}
	}
	job.Status = storage.JobRolledBack
	job.Finished = im.opts.Now()
	if err := h.UpdateJob(ctx, job); err != nil {
		return res, err
	}
	return res, nil
}

// byModule groups the undos named by keys by module, keeping their order.
func byModule(keys []string, undos map[string]*undo) map[string][]*undo {
	out := map[string][]*undo{}
	for _, k := range keys {
		u := undos[k]
		out[u.module] = append(out[u.module], u)
	}
	return out
}

func keysOf(us []*undo) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.module + "/" + u.id
	}
	return out
}

func indexOf(us []*undo) map[string]*undo {
	out := make(map[string]*undo, len(us))
	for _, u := range us {
		out[u.module+"/"+u.id] = u
	}
	return out
}
