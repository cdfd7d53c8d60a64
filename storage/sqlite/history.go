package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/crmio/crmio/storage/internal/sqlstore"
	"iter"

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
		b := newRowBuffer(7, journalPerInsert, journalSQL)
		for _, e := range entries {
			before, err := recordArg(e.Before)
			if err != nil {
				return err
			}
			after, err := recordArg(e.After)
			if err != nil {
				return err
			}
			if err := w.add(ctx, &b, id, string(e.Op), e.Module, e.ID, before, after, e.Fingerprint); err != nil {
				return err
			}
		}
		return w.write(ctx, &b)
	})
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
			page, err := c.journalPage(ctx, id, after)
			if err != nil {
				fail(c.st.fail("journal", err))
				return
			}
			for _, p := range page {
				if err := ctx.Err(); err != nil {
					fail(err)
					return
				}
				if !yield(p.entry, nil) {
					return
				}
				after = p.seq
			}
			if len(page) < journalPage {
				return
			}
		}
	}
}

type journalRow struct {
	seq   int64
	entry storage.JournalEntry
}

func (c *conn) journalPage(ctx context.Context, jobID, after int64) ([]journalRow, error) {
	rows, err := c.reads().QueryContext(ctx, `SELECT seq, op, module, record_id, before, after, fingerprint FROM crmio_journal
		WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?`, jobID, after, journalPage)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []journalRow
	for rows.Next() {
		var r journalRow
		var op string
		var before, afterImg []byte
		if err := rows.Scan(&r.seq, &op, &r.entry.Module, &r.entry.ID, &before, &afterImg, &r.entry.Fingerprint); err != nil {
			return nil, err
		}
		r.entry.Op = storage.JournalOp(op)
		if r.entry.Before, err = decodeRecord(before); err != nil {
			return nil, err
		}
		if r.entry.After, err = decodeRecord(afterImg); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
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
