package river

import (
	"time"

	"github.com/crmio/crmio/storage"
)

// EventKind names a moment of a job's life.
type EventKind string

// The events a Runner reports (Config.Events).
const (
	// EventQueued: Submit recorded the job and queued it.
	EventQueued EventKind = "queued"
	// EventStarted: a worker took the job, to start it or to resume it
	// from its checkpoint (after a rescue or a hand-back).
	EventStarted EventKind = "started"
	// EventBatch: a batch committed, with the job's counts so far.
	EventBatch EventKind = "batch"
	// EventRequeued: a stopping worker handed the job back to the queue
	// after the batch in hand.
	EventRequeued EventKind = "requeued"
	// EventRescued: a worker found the job's worker dead and queued it
	// again.
	EventRescued EventKind = "rescued"
	// EventFinished: the job ended: Status says how (completed, failed,
	// cancelled), Error why when it did not complete.
	EventFinished EventKind = "finished"
)

// Event is one moment of a job's life, for webhooks and metrics.
type Event struct {
	Kind   EventKind
	JobID  string
	Status storage.JobStatus
	// Counts are the job's counts at the moment (the whole job's, across
	// resumes).
	Counts storage.Counts
	// Error says why a job that finished did not complete.
	Error string
	// Worker names the worker process that reports it ("" for Submit).
	Worker string
	// RiverJob is the River job's id (0 for Submit's event).
	RiverJob int64
	Time     time.Time
}
