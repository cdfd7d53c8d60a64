package memory

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"iter"
	"slices"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// jobEntry is one job and its journal. The job is a deep copy the store
// owns; the journal is kept encoded (see journal).
type jobEntry struct {
	seq     uint64
	job     storage.Job
	journal journal
}

// journalChunk is how many journal entries Journal reads out per lock.
const journalChunk = 256

// CreateJob implements storage.History.
func (s *Store) CreateJob(ctx context.Context, job storage.Job) (id string, err error) {
	err = s.write(ctx, func(st *state, log *undoLog) error {
		id = st.createJob(job, log)
		return nil
	})
	return id, err
}

// UpdateJob implements storage.History.
func (s *Store) UpdateJob(ctx context.Context, job storage.Job) error {
	return s.write(ctx, func(st *state, log *undoLog) error { return st.updateJob(job, log) })
}

// Job implements storage.History.
func (s *Store) Job(ctx context.Context, id string) (job storage.Job, err error) {
	err = s.read(ctx, func(st *state) error {
		job, err = st.getJob(id)
		return err
	})
	return job, err
}

// Jobs implements storage.History.
func (s *Store) Jobs(ctx context.Context, limit int) (jobs []storage.Job, err error) {
	err = s.read(ctx, func(st *state) error {
		jobs = st.listJobs(limit)
		return nil
	})
	return jobs, err
}

// AppendJournal implements storage.History.
func (s *Store) AppendJournal(ctx context.Context, jobID string, entries []storage.JournalEntry) error {
	return appendJournal(ctx, s.st.codec, s.write, jobID, entries)
}

// Journal implements storage.History. Like Scan, it holds the lock one
// chunk at a time, never while yielding.
func (s *Store) Journal(ctx context.Context, jobID string) iter.Seq2[storage.JournalEntry, error] {
	return readJournal(ctx, s.st.codec, s.read, jobID)
}

func (t *tx) CreateJob(ctx context.Context, job storage.Job) (id string, err error) {
	err = t.write(ctx, func(st *state, log *undoLog) error {
		id = st.createJob(job, log)
		return nil
	})
	return id, err
}

func (t *tx) UpdateJob(ctx context.Context, job storage.Job) error {
	return t.write(ctx, func(st *state, log *undoLog) error { return st.updateJob(job, log) })
}

func (t *tx) Job(ctx context.Context, id string) (job storage.Job, err error) {
	err = t.read(ctx, func(st *state) error {
		job, err = st.getJob(id)
		return err
	})
	return job, err
}

func (t *tx) Jobs(ctx context.Context, limit int) (jobs []storage.Job, err error) {
	err = t.read(ctx, func(st *state) error {
		jobs = st.listJobs(limit)
		return nil
	})
	return jobs, err
}

func (t *tx) AppendJournal(ctx context.Context, jobID string, entries []storage.JournalEntry) error {
	return appendJournal(ctx, t.st.codec, t.write, jobID, entries)
}

func (t *tx) Journal(ctx context.Context, jobID string) iter.Seq2[storage.JournalEntry, error] {
	return readJournal(ctx, t.st.codec, t.read, jobID)
}

func (st *state) createJob(job storage.Job, log *undoLog) string {
	st.jobSeq++
	e := &jobEntry{seq: st.jobSeq, job: copyJob(job)}
	e.job.Version = 1
	// "job-" and a zero-padded counter: job ids too sort in creation order.
	e.job.ID = "job-" + formatIDs(st.jobSeq-1, 1)[0]
	st.jobs = append(st.jobs, e)
	st.jobByID[e.job.ID] = e
	if log != nil {
		log.push(undoStep{op: opCreateJob, job: e})
	}
	return e.job.ID
}

func (st *state) updateJob(job storage.Job, log *undoLog) error {
	e := st.jobByID[job.ID]
	if e == nil {
		return fmt.Errorf("memory: update job %q: %w", job.ID, crmio.ErrNotFound)
	}
	if e.job.Version != job.Version {
		return fmt.Errorf("memory: update job %q (version %d, stored %d): %w", job.ID, job.Version, e.job.Version, storage.ErrJobChanged)
	}
	if log != nil {
		log.push(undoStep{op: opUpdateJob, job: e, oldJob: e.job})
	}
	e.job = copyJob(job)
	e.job.Version++
	return nil
}

func (st *state) getJob(id string) (storage.Job, error) {
	e := st.jobByID[id]
	if e == nil {
		return storage.Job{}, fmt.Errorf("memory: job %q: %w", id, crmio.ErrNotFound)
	}
	return copyJob(e.job), nil
}

// listJobs returns jobs newest first: by Created, then by creation order.
func (st *state) listJobs(limit int) []storage.Job {
	entries := slices.Clone(st.jobs)
	slices.SortFunc(entries, func(a, b *jobEntry) int {
		if c := b.job.Created.Compare(a.job.Created); c != 0 {
			return c
		}
		return cmp.Compare(b.seq, a.seq)
	})
	if limit > 0 && len(entries) > limit {
		entries = entries[:limit]
	}
	out := make([]storage.Job, len(entries))
	for i, e := range entries {
		out[i] = copyJob(e.job)
	}
	return out
}

// appendJournal encodes the entries outside the lock and stores them under
// it.
func appendJournal(ctx context.Context, c *codec, write writer, jobID string, entries []storage.JournalEntry) error {
	enc := c.encodeEntries(entries)
	defer c.release(enc)
	return write(ctx, func(st *state, log *undoLog) error { return st.appendJournal(jobID, enc, log) })
}

func (st *state) appendJournal(jobID string, enc *encoded, log *undoLog) error {
	e := st.jobByID[jobID]
	if e == nil {
		return fmt.Errorf("memory: append to the journal of job %q: %w", jobID, crmio.ErrNotFound)
	}
	if log != nil {
		log.push(undoStep{op: opAppendJournal, job: e, oldLen: e.journal.n})
	}
	for i := range enc.ends {
		e.journal.append(enc.rec(i))
	}
	return nil
}

// readJournal yields a job's entries, reading out a chunk of encodings at
// a time under the lock and decoding them after it.
func readJournal(ctx context.Context, c *codec, read reader, jobID string) iter.Seq2[storage.JournalEntry, error] {
	return func(yield func(storage.JournalEntry, error) bool) {
		next := 0
		buf := make([][]byte, 0, journalChunk)
		var dec entryDecoder
		for {
			err := read(ctx, func(st *state) error {
				e := st.jobByID[jobID]
				if e == nil {
					return fmt.Errorf("memory: journal of job %q: %w", jobID, crmio.ErrNotFound)
				}
				end := min(next+journalChunk, e.journal.n)
				buf = buf[:0]
				for ; next < end; next++ {
					buf = append(buf, e.journal.entry(next))
				}
				return nil
			})
			if err != nil {
				yield(storage.JournalEntry{}, err)
				return
			}
			if len(buf) == 0 {
				return
			}
			dec.names = c.syms.Names()
			for _, b := range buf {
				if err := ctx.Err(); err != nil {
					yield(storage.JournalEntry{}, err)
					return
				}
				if !yield(dec.decode(b), nil) {
					return
				}
			}
		}
	}
}

// copyJob returns a job whose Detail the caller cannot share with the store.
func copyJob(j storage.Job) storage.Job {
	if j.Detail != nil {
		j.Detail = bytes.Clone(j.Detail)
	}
	return j
}
