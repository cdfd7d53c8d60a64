package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/crmio/crmio"
)

// History is the optional capability of keeping import jobs and their
// journal: the ids each job created and the before-images of the records
// it updated, which is what rollback needs. A store that keeps it durably
// lets another process poll a background job, cancel it, resume it after
// a crash, and roll it back after a restart.
//
// Without it, imports run and return their summary but leave no history:
// importer.Rollback, Resume and job polling report crmio.ErrNotSupported.
//
// Jobs change under optimistic concurrency: each stored job has a Version,
// and UpdateJob replaces a job only when the caller read the latest one.
// That is what lets the process running a job, a process cancelling it and
// a worker taking over a job whose process died write the same job without
// losing each other's writes: a stale writer learns that it is stale
// (ErrJobChanged) and reads again (UpdateJobFunc does both).
type History interface {
	// CreateJob stores a new job and returns its id (job.ID is ignored);
	// the stored job has Version 1 whatever job.Version says.
	CreateJob(ctx context.Context, job Job) (id string, err error)
	// UpdateJob replaces a job's fields by ID when the stored job's
	// Version equals job.Version, and stores it with Version+1. When the
	// stored job has another version (someone wrote it since job was
	// read) it changes nothing and returns an error wrapping
	// ErrJobChanged; crmio.ErrNotFound when the job is absent. Through a
	// Transactor's tx it commits with the tx's other writes, and the
	// version check holds against writers outside the tx.
	UpdateJob(ctx context.Context, job Job) error
	// Job returns one job; crmio.ErrNotFound when absent.
	Job(ctx context.Context, id string) (Job, error)
	// Jobs returns jobs, newest first (by Created, then id), at most limit
	// of them (zero: all).
	Jobs(ctx context.Context, limit int) ([]Job, error)
	// AppendJournal records what a job wrote; crmio.ErrNotFound when the
	// job is absent. Through a Transactor's tx it commits with the writes it
	// describes.
	AppendJournal(ctx context.Context, jobID string, entries []JournalEntry) error
	// Journal yields a job's entries in the order they were appended (an
	// error wrapping crmio.ErrNotFound when the job is absent). As with
	// Store.Scan, the caller may write to the store while it iterates.
	Journal(ctx context.Context, jobID string) iter.Seq2[JournalEntry, error]
}

// ErrJobChanged is wrapped by the error of History.UpdateJob when the job
// was written since the caller read it (its Version moved on). It wraps
// crmio.ErrConflict.
var ErrJobChanged = fmt.Errorf("storage: the job changed since it was read: %w", crmio.ErrConflict)

// UpdateJobFunc reads job id, lets change modify it, and writes it back,
// reading again and calling change again when another writer got there
// first (ErrJobChanged). An error from change is returned as is, and
// nothing is written. It returns the job as stored, with its new Version.
func UpdateJobFunc(ctx context.Context, h History, id string, change func(*Job) error) (Job, error) {
	for attempt := 0; ; attempt++ {
		job, err := h.Job(ctx, id)
		if err != nil {
			return Job{}, err
		}
		if err := change(&job); err != nil {
			return job, err
		}
		err = h.UpdateJob(ctx, job)
		if err == nil {
			job.Version++
			return job, nil
		}
		if !errors.Is(err, ErrJobChanged) || attempt >= 1000 {
			return Job{}, err
		}
		if err := ctx.Err(); err != nil {
			return Job{}, err
		}
	}
}

// JobStatus is the state of an import job. The statuses and what moves a
// job between them:
//
//	queued ─► running ─► completed
//	            │  ▲   ├► failed       ─┐
//	            │  │   ├► cancelled    ─┤ resume ─► running
//	            ▼  │   └► interrupted  ─┘
//	   (its process dies; seen by any reader)
//
// and any job that wrote something ─► rolled_back. A job is written by
// its runner only; readers conclude interrupted when its runner is gone
// (see importer.Importer.Status) and record it, so that every reader
// agrees.
type JobStatus string

// The job statuses.
const (
	// JobQueued: recorded with its plan and source, not yet taken by a
	// runner (a background job waiting for a worker).
	JobQueued JobStatus = "queued"
	// JobRunning: a runner is working on it, and refreshes its heartbeat.
	JobRunning JobStatus = "running"
	// JobCompleted: every row of the file was read and its batch committed.
	JobCompleted JobStatus = "completed"
	// JobFailed: stopped by a failure (the store, the file, too many
	// failed rows); the batches committed before stay. Resumable.
	JobFailed JobStatus = "failed"
	// JobCancelled: stopped on request; the batches committed before
	// stay. Resumable.
	JobCancelled JobStatus = "cancelled"
	// JobInterrupted: its runner stopped without ending it (killed, a
	// crash, a deploy). Resumable.
	JobInterrupted JobStatus = "interrupted"
	// JobRolledBack: what it wrote was undone.
	JobRolledBack JobStatus = "rolled_back"
)

// Active reports whether a runner is, or will be, working on the job.
func (s JobStatus) Active() bool { return s == JobQueued || s == JobRunning }

// Done reports whether the job will not change any more by itself: no
// runner is working on it or waiting to. (A done job may still be resumed
// or rolled back, on request.)
func (s JobStatus) Done() bool { return !s.Active() }

// Resumable reports whether Resume can continue the job from its
// checkpoint: it stopped before the end of its file.
func (s JobStatus) Resumable() bool {
	return s == JobFailed || s == JobCancelled || s == JobInterrupted || s == JobQueued
}

// Job is one import, as history keeps it.
type Job struct {
	ID     string    `json:"id"`
	Module string    `json:"module"`
	File   string    `json:"file,omitempty"` // the file's name, for people
	Status JobStatus `json:"status"`
	Mode   string    `json:"mode,omitempty"` // instant, streaming, background
	// StartedBy is the user, where the caller says.
	StartedBy string `json:"started_by,omitempty"`
	Counts    Counts `json:"counts"`
	// Checkpoint is where the job stands after its last committed batch,
	// written in that batch's transaction.
	Checkpoint Checkpoint `json:"checkpoint,omitzero"`
	// Source identifies the file the job reads, so that a resume can
	// refuse another.
	Source JobSource `json:"source,omitzero"`
	// Plan is the importer's record of the job's whole policy (mapping,
	// duplicates, references, scope…), from which a resume or a worker of
	// another process runs it; opaque to the store.
	Plan json.RawMessage `json:"plan,omitempty"`
	// Runner is the process running the job, while it runs.
	Runner *Runner `json:"runner,omitempty"`
	// CancelRequested asks the runner to stop after the batch in hand.
	CancelRequested bool   `json:"cancel_requested,omitempty"`
	Error           string `json:"error,omitempty"` // why it failed
	// Version counts the job's writes (see History.UpdateJob).
	Version  int64     `json:"version"`
	Created  time.Time `json:"created"`
	Started  time.Time `json:"started,omitzero"`
	Finished time.Time `json:"finished,omitzero"`
	// Heartbeat is refreshed while the job runs, so that a reader can tell
	// a running job from one whose process died on another machine.
	Heartbeat time.Time `json:"heartbeat,omitzero"`
	// Detail is the importer's own record of the job (its summary),
	// opaque to the store: keep the bytes as given.
	Detail json.RawMessage `json:"detail,omitempty"`
}

// Counts are a job's totals: every row read is created, updated, skipped
// or failed. The importer's Progress and Summary embed them.
type Counts struct {
	Read              int `json:"read"`
	Created           int `json:"created"`
	Updated           int `json:"updated"`
	Skipped           int `json:"skipped"`
	Failed            int `json:"failed"`
	ReferencesCreated int `json:"references_created"`
	// Estimated is the expected number of rows, zero when unknown.
	Estimated int `json:"estimated,omitempty"`
}

// Add adds d's totals to c (Estimated is left as it is).
func (c *Counts) Add(d Counts) {
	c.Read += d.Read
	c.Created += d.Created
	c.Updated += d.Updated
	c.Skipped += d.Skipped
	c.Failed += d.Failed
	c.ReferencesCreated += d.ReferencesCreated
}

// Checkpoint is where a job's reading stands after its last committed
// batch: resuming skips the rows before it and goes on from there.
type Checkpoint struct {
	// Rows is the number of data rows of the file consumed, in file order:
	// read, mapped and committed (or failed) as part of a batch.
	Rows int `json:"rows"`
	// Row is the source row number of the last of them, as the user's
	// spreadsheet shows it; zero before the first batch.
	Row int `json:"row,omitempty"`
	// Batches is the number of batches committed.
	Batches int `json:"batches,omitempty"`
}

// JobSource identifies the file a job reads.
type JobSource struct {
	Name string `json:"name,omitempty"` // as the user knows it
	// Path is where the file was read from, when it was a file on disk:
	// the default file of a resume.
	Path   string `json:"path,omitempty"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256,omitempty"` // hex, of the whole content
	// Upload names the copy kept in an upload store (see the importer's
	// Uploads), when the file was uploaded rather than on disk.
	Upload string `json:"upload,omitempty"`
}

// Runner identifies the process running a job, so that a reader can tell
// whether it is still there: on the same machine by its process, elsewhere
// by the job's heartbeat.
type Runner struct {
	// ID is unique to one attempt at running the job.
	ID string `json:"id"`
	// Host is the machine's host name; Boot its boot id (Linux), so that a
	// process id of an earlier boot is not taken for a live one.
	Host string `json:"host,omitempty"`
	Boot string `json:"boot,omitempty"`
	// PID is the process, Start its start time as the system records it
	// (guarding against a reused pid); zero when unknown.
	PID   int    `json:"pid,omitempty"`
	Start uint64 `json:"start,omitempty"`
	// Worker names the worker (a queue's worker, a pod), for people.
	Worker string `json:"worker,omitempty"`
}

// JournalOp says what a journal entry records.
type JournalOp string

// The journal operations.
const (
	JournalCreated JournalOp = "created" // the job inserted the record
	JournalUpdated JournalOp = "updated" // the job changed the record
	// JournalCleared: a forced rollback removed, from a record outside
	// the job, a reference to a record the job had created (Before is
	// the record as it was).
	JournalCleared JournalOp = "cleared"
)

// JournalEntry records one record a job wrote. Before, for an update, is
// the record as it was, so that rollback can restore it. Fingerprint
// (crmio.Record.Fingerprint) or After tells how the job left the record, so
// that rollback can tell whether it changed since: the importer writes the
// fingerprint, which keeps the journal small. A store keeps every field as
// given.
type JournalEntry struct {
	Op          JournalOp     `json:"op"`
	Module      string        `json:"module"`
	ID          string        `json:"id"`
	Before      *crmio.Record `json:"before,omitempty"`
	After       *crmio.Record `json:"after,omitempty"`
	Fingerprint string        `json:"fingerprint,omitempty"`
}
