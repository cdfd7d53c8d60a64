package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/crmio/crmio/storage/internal/sqlstore"
	"iter"
	"strings"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// CreateJob implements storage.History.
func (c *conn) CreateJob(ctx context.Context, job storage.Job) (string, error) {
	job.Version = 1
	doc, err := sqlstore.EncodeJob(job)
	if err != nil {
		return "", err
	}
	var id int64
	err = c.write(ctx, "create job", func(q querier) error {
		res, err := q.ExecContext(ctx, `INSERT INTO crmio_jobs (module, status, created_s, created_ns, job, detail) VALUES (?, ?, ?, ?, ?, ?)`,
			job.Module, string(job.Status), job.Created.Unix(), job.Created.Nanosecond(), doc, sqlstore.DetailArg(job.Detail))
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return "", err
	}
	return sqlstore.FormatID(id), nil
}

// UpdateJob implements storage.History.
func (c *conn) UpdateJob(ctx context.Context, job storage.Job) error {
	id, ok := sqlstore.ParseID(job.ID)
	if !ok {
		return fmt.Errorf("sqlite: update job %q: %w", job.ID, crmio.ErrNotFound)
	}
	read := job.Version
	job.Version++
	doc, err := sqlstore.EncodeJob(job)
	if err != nil {
		return err
	}
	return c.write(ctx, "update job", func(q querier) error {
		// The version check and the write are one statement, under
		// SQLite's write lock: no writer comes between them.
		res, err := q.ExecContext(ctx, `UPDATE crmio_jobs SET module = ?, status = ?, created_s = ?, created_ns = ?, job = ?, detail = ?
			WHERE id = ? AND coalesce(json_extract(job, '$.version'), 0) = ?`,
			job.Module, string(job.Status), job.Created.Unix(), job.Created.Nanosecond(), doc, sqlstore.DetailArg(job.Detail), id, read)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n > 0 {
			return err
		}
		var stored int64
		err = q.QueryRowContext(ctx, `SELECT coalesce(json_extract(job, '$.version'), 0) FROM crmio_jobs WHERE id = ?`, id).Scan(&stored)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("job %q: %w", job.ID, crmio.ErrNotFound)
		}
		if err != nil {
			return err
		}
		return fmt.Errorf("job %q (version %d, stored %d): %w", job.ID, read, stored, storage.ErrJobChanged)
	})
}

const jobColumns = `id, job, detail`

func scanJob(row interface{ Scan(...any) error }) (storage.Job, error) {
	var id int64
	var doc string
	var detail []byte
	if err := row.Scan(&id, &doc, &detail); err != nil {
		return storage.Job{}, err
	}
	var job storage.Job
	if err := json.Unmarshal([]byte(doc), &job); err != nil {
		return storage.Job{}, fmt.Errorf("job %d: stored job is not valid: %w", id, err)
	}
	job.ID = sqlstore.FormatID(id)
	if detail != nil {
		job.Detail = json.RawMessage(detail)
	}
	return job, nil
}

// Job implements storage.History.
func (c *conn) Job(ctx context.Context, id string) (storage.Job, error) {
	if err := c.check(ctx); err != nil {
		return storage.Job{}, err
	}
	n, ok := sqlstore.ParseID(id)
	if !ok {
		return storage.Job{}, fmt.Errorf("sqlite: job %q: %w", id, crmio.ErrNotFound)
	}
	job, err := scanJob(c.reads().QueryRowContext(ctx, `SELECT `+jobColumns+` FROM crmio_jobs WHERE id = ?`, n))
	if errors.Is(err, sql.ErrNoRows) {
		return storage.Job{}, fmt.Errorf("sqlite: job %q: %w", id, crmio.ErrNotFound)
	}
	return job, c.st.fail("job", err)
}

// Jobs implements storage.History.
func (c *conn) Jobs(ctx context.Context, limit int) ([]storage.Job, error) {
	if err := c.check(ctx); err != nil {
		return nil, err
	}
	query := `SELECT ` + jobColumns + ` FROM crmio_jobs ORDER BY created_s DESC, created_ns DESC, id DESC`
	var args []any
	if limit > 0 {
		query += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := c.reads().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, c.st.fail("jobs", err)
	}
	defer rows.Close()
	jobs := []storage.Job{}
	for rows.Next() {
		job, err := scanJob(rows)
		if err != nil {
			return nil, c.st.fail("jobs", err)
		}
		jobs = append(jobs, job)
	}
	return jobs, c.st.fail("jobs", rows.Err())
}

// AppendJournal implements storage.History: the entries in one
// transaction (through a tx store, in Atomic's), with a prepared statement.
func (c *conn) AppendJournal(ctx context.Context, jobID string, entries []storage.JournalEntry) error {
	id, ok := sqlstore.ParseID(jobID)
	if !ok {
		return fmt.Errorf("sqlite: append to the journal of job %q: %w", jobID, crmio.ErrNotFound)
	}
	return c.write(ctx, "append journal", func(q querier) error {
		st, err := c.stmt(ctx, q, jobExistsSQL)
		if err != nil {
			return err
		}
		var one int
		err = st.QueryRowContext(ctx, id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("append to the journal of job %q: %w", jobID, crmio.ErrNotFound)
		}
		if err != nil || len(entries) == 0 {
			return err
		}
		// Multi-row INSERTs: a statement per entry cost more than the entry.
		w := &batchWriter{c: c, q: q}
		b := newRowBuffer(8, journalPerInsert, journalSQL)
		var run journalSpan
		flushRun := func() error {
			if run.n == 0 {
				return nil
			}
			err := w.add(ctx, &b, id, string(storage.JournalCreated), run.module, sqlstore.FormatID(run.first), nil, nil, string(run.fps), run.n)
			run = journalSpan{fps: run.fps[:0]}
			return err
		}
		for _, e := range entries {
			if run.extends(e) {
				run.add(e)
				continue
			}
			if err := flushRun(); err != nil {
				return err
			}
			if run.starts(e) {
				run.add(e)
				continue
			}
			before, err := recordArg(e.Before)
			if err != nil {
				return err
			}
			after, err := recordArg(e.After)
			if err != nil {
				return err
			}
			if err := w.add(ctx, &b, id, string(e.Op), e.Module, e.ID, before, after, e.Fingerprint, 1); err != nil {
				return err
			}
		}
		if err := flushRun(); err != nil {
			return err
		}
		return w.write(ctx, &b)
	})
}

// maxSpan bounds the entries of one journal row, and so what reading one
// row holds in memory.
const maxSpan = 1024

// journalSpan is a run of created entries that goes into one journal row
// (see migrations/0005_journal_spans.sql): consecutive ids of one module,
// no images, fingerprints without a space (the separator).
type journalSpan struct {
	module string
	first  int64
	n      int
	fps    []byte
}

// starts reports whether e can begin a span.
func (s *journalSpan) starts(e storage.JournalEntry) bool {
	if e.Op != storage.JournalCreated || e.Before != nil || e.After != nil || strings.Contains(e.Fingerprint, " ") {
		return false
	}
	_, ok := sqlstore.ParseID(e.ID)
	return ok
}

// extends reports whether e is the next entry of the span.
func (s *journalSpan) extends(e storage.JournalEntry) bool {
	if s.n == 0 || s.n >= maxSpan || e.Module != s.module || !s.starts(e) {
		return false
	}
	id, _ := sqlstore.ParseID(e.ID)
	return id == s.first+int64(s.n)
}

// add adds e, which starts or extends the span.
func (s *journalSpan) add(e storage.JournalEntry) {
	if s.n == 0 {
		s.module = e.Module
		s.first, _ = sqlstore.ParseID(e.ID)
	} else {
		s.fps = append(s.fps, ' ')
	}
	s.fps = append(s.fps, e.Fingerprint...)
	s.n++
}

// recordArg returns the JSON of a record image, or NULL for none.
func recordArg(r *crmio.Record) (any, error) {
	if r == nil {
		return nil, nil
	}
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode journal record: %w", err)
	}
	return string(b), nil
}

// journalPage is how many entries Journal reads per query. Reading page
// by page holds no statement open while the caller works on an entry.
const journalPage = 256

// Journal implements storage.History.
func (c *conn) Journal(ctx context.Context, jobID string) iter.Seq2[storage.JournalEntry, error] {
	return func(yield func(storage.JournalEntry, error) bool) {
		fail := func(err error) { yield(storage.JournalEntry{}, err) }
		if err := c.check(ctx); err != nil {
			fail(err)
			return
		}
		id, ok := sqlstore.ParseID(jobID)
		if !ok {
			fail(fmt.Errorf("sqlite: journal of job %q: %w", jobID, crmio.ErrNotFound))
			return
		}
		var one int
		err := c.reads().QueryRowContext(ctx, `SELECT 1 FROM crmio_jobs WHERE id = ?`, id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			fail(fmt.Errorf("sqlite: journal of job %q: %w", jobID, crmio.ErrNotFound))
			return
		}
		if err != nil {
			fail(c.st.fail("journal", err))
			return
		}
		after := int64(0)
		for {
			page, last, more, err := c.journalPage(ctx, id, after)
			if err != nil {
				fail(c.st.fail("journal", err))
				return
			}
			for _, e := range page {
				if err := ctx.Err(); err != nil {
					fail(err)
					return
				}
				if !yield(e, nil) {
					return
				}
			}
			if !more {
				return
			}
			after = last
		}
	}
}

// journalPage reads the entries of the journal rows after seq after,
// up to about journalPage entries (whole rows: a span's entries come
// together). It returns the seq of the last row read, and whether rows
// may follow.
func (c *conn) journalPage(ctx context.Context, jobID, after int64) (page []storage.JournalEntry, last int64, more bool, err error) {
	rows, err := c.reads().QueryContext(ctx, `SELECT seq, op, module, record_id, before, after, fingerprint, span FROM crmio_journal
		WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?`, jobID, after, journalPage)
	if err != nil {
		return nil, 0, false, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
		var e storage.JournalEntry
		var op string
		var before, afterImg []byte
		var span int
		if err := rows.Scan(&last, &op, &e.Module, &e.ID, &before, &afterImg, &e.Fingerprint, &span); err != nil {
			return nil, 0, false, err
		}
		e.Op = storage.JournalOp(op)
		if e.Before, err = decodeRecord(before); err != nil {
			return nil, 0, false, err
		}
		if e.After, err = decodeRecord(afterImg); err != nil {
			return nil, 0, false, err
		}
		if span == 1 {
			page = append(page, e)
		} else if page, err = appendSpan(page, e, span); err != nil {
			return nil, 0, false, err
		}
		if len(page) >= journalPage {
			return page, last, true, nil
		}
	}
	return page, last, n == journalPage, rows.Err()
}

// appendSpan appends the entries of a journal row of span entries
// (see journalSpan), e holding its first id and all the fingerprints.
func appendSpan(page []storage.JournalEntry, e storage.JournalEntry, span int) ([]storage.JournalEntry, error) {
	first, ok := sqlstore.ParseID(e.ID)
	fps := strings.Split(e.Fingerprint, " ")
	if !ok || span < 1 || len(fps) != span || e.Before != nil || e.After != nil {
		return nil, fmt.Errorf("stored journal row of %d entries from id %q is not valid", span, e.ID)
	}
	for k, fp := range fps {
		page = append(page, storage.JournalEntry{Op: e.Op, Module: e.Module, ID: sqlstore.FormatID(first + int64(k)), Fingerprint: fp})
	}
	return page, nil
}

func decodeRecord(b []byte) (*crmio.Record, error) {
	if b == nil {
		return nil, nil
	}
	var r crmio.Record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("stored journal record is not valid: %w", err)
	}
	return &r, nil
}
