package storage

import (
	"context"
	"encoding/json"
	"iter"
	"time"

	"github.com/crmio/crmio"
)

// History is the optional capability of keeping import jobs and their
// journal: the ids each job created and the before-images of the records
// it updated, which is what rollback needs. A store that keeps it durably
// lets another process poll a background job and lets rollback work after
// a restart.
//
// Without it, imports run and return their summary but leave no history:
// importer.Rollback and job polling report crmio.ErrNotSupported.
type History interface {
	// CreateJob stores a new job and returns its id (job.ID is ignored).
	CreateJob(ctx context.Context, job Job) (id string, err error)
	// UpdateJob replaces a job's fields by ID; crmio.ErrNotFound when absent.
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

// JobStatus is the state of an import job.
type JobStatus string

// The job states. Pending → running → completed, failed or cancelled;
// rolled back after a rollback. Interrupted is what a reader concludes of a
// running job whose heartbeat stopped (its process died).
const (
	JobPending     JobStatus = "pending"
	JobRunning     JobStatus = "running"
	JobCompleted   JobStatus = "completed"
	JobFailed      JobStatus = "failed"
	JobCancelled   JobStatus = "cancelled"
	JobInterrupted JobStatus = "interrupted"
	JobRolledBack  JobStatus = "rolled_back"
)

// Done reports whether the job will not change any more by itself.
func (s JobStatus) Done() bool { return s != JobPending && s != JobRunning }

// Job is one import, as history keeps it.
type Job struct {
	ID        string    `json:"id"`
	Module    string    `json:"module"`
	File      string    `json:"file,omitempty"`
	Status    JobStatus `json:"status"`
	Mode      string    `json:"mode,omitempty"`       // instant, streaming, background
	StartedBy string    `json:"started_by,omitempty"` // the user, where the caller says
	Counts    Counts    `json:"counts"`
	Error     string    `json:"error,omitempty"` // why it failed
	Created   time.Time `json:"created"`
	Started   time.Time `json:"started,omitzero"`
	Finished  time.Time `json:"finished,omitzero"`
	// Heartbeat is refreshed while the job runs, so that a reader can tell a
	// running job from one whose process died.
	Heartbeat time.Time `json:"heartbeat,omitzero"`
	// Detail is the importer's own record of the job (its plan and
	// summary), opaque to the store: keep the bytes as given.
	Detail json.RawMessage `json:"detail,omitempty"`
}

// Counts are a job's running totals.
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

// JournalOp says what a journal entry records.
type JournalOp string

// The journal operations.
const (
	JournalCreated JournalOp = "created" // the job inserted the record
	JournalUpdated JournalOp = "updated" // the job changed the record
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
