package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/crmio/crmio/storage/internal/sqlstore"
	"iter"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
	"github.com/jackc/pgx/v5"
)

// CreateJob implements storage.History.
func (c *conn) CreateJob(ctx context.Context, job storage.Job) (string, error) {
	job.Version = 1
	doc, err := sqlstore.EncodeJob(job)
	if err != nil {
		return "", err
	}
	var id int64
	err = c.with(ctx, "create job", func(db *pgx.Conn) error {
		return db.QueryRow(ctx, c.st.sql(`INSERT INTO crmio_jobs (module, status, created_s, created_ns, job, detail)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`),
			job.Module, string(job.Status), job.Created.Unix(), job.Created.Nanosecond(), doc, sqlstore.DetailArg(job.Detail)).Scan(&id)
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
		return fmt.Errorf("postgres: update job %q: %w", job.ID, crmio.ErrNotFound)
	}
	read := job.Version
	job.Version++
	doc, err := sqlstore.EncodeJob(job)
	if err != nil {
		return err
	}
	return c.with(ctx, "update job", func(db *pgx.Conn) error {
		// Under READ COMMITTED an UPDATE that waited for another writer's
		// row lock checks its condition again on the row that writer
		// committed: the version check holds against every writer.
		tag, err := db.Exec(ctx, c.st.sql(`UPDATE crmio_jobs SET module = $1, status = $2, created_s = $3, created_ns = $4, job = $5, detail = $6
			WHERE id = $7 AND coalesce((job->>'version')::bigint, 0) = $8`),
			job.Module, string(job.Status), job.Created.Unix(), job.Created.Nanosecond(), doc, sqlstore.DetailArg(job.Detail), id, read)
		if err != nil || tag.RowsAffected() > 0 {
			return err
		}
		var stored int64
		err = db.QueryRow(ctx, c.st.sql(`SELECT coalesce((job->>'version')::bigint, 0) FROM crmio_jobs WHERE id = $1`), id).Scan(&stored)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("job %q: %w", job.ID, crmio.ErrNotFound)
		}
		if err != nil {
			return err
		}
		return fmt.Errorf("job %q (version %d, stored %d): %w", job.ID, read, stored, storage.ErrJobChanged)
	})
}

const jobColumns = `id, job, detail`

func scanJob(row pgx.Row) (storage.Job, error) {
	var id int64
	var doc, detail []byte
	if err := row.Scan(&id, &doc, &detail); err != nil {
		return storage.Job{}, err
	}
	var job storage.Job
	if err := json.Unmarshal(doc, &job); err != nil {
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
	n, ok := sqlstore.ParseID(id)
	if !ok {
		if err := c.check(ctx); err != nil {
			return storage.Job{}, err
		}
		return storage.Job{}, fmt.Errorf("postgres: job %q: %w", id, crmio.ErrNotFound)
	}
	var job storage.Job
	err := c.with(ctx, "job", func(db *pgx.Conn) error {
		var err error
		job, err = scanJob(db.QueryRow(ctx, c.st.sql(`SELECT `+jobColumns+` FROM crmio_jobs WHERE id = $1`), n))
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("job %q: %w", id, crmio.ErrNotFound)
		}
		return err
	})
	return job, err
}

// Jobs implements storage.History.
func (c *conn) Jobs(ctx context.Context, limit int) ([]storage.Job, error) {
	query := `SELECT ` + jobColumns + ` FROM crmio_jobs ORDER BY created_s DESC, created_ns DESC, id DESC`
	var args []any
	if limit > 0 {
		query += ` LIMIT $1`
		args = append(args, limit)
	}
	jobs := []storage.Job{}
	err := c.with(ctx, "jobs", func(db *pgx.Conn) error {
		rows, err := db.Query(ctx, c.st.sql(query), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			job, err := scanJob(rows)
			if err != nil {
				return err
			}
			jobs = append(jobs, job)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return jobs, nil
}

// AppendJournal implements storage.History: the entries in one binary
// COPY (through a tx store, in Atomic's transaction).
func (c *conn) AppendJournal(ctx context.Context, jobID string, entries []storage.JournalEntry) error {
	id, ok := sqlstore.ParseID(jobID)
	notFound := fmt.Errorf("postgres: append to the journal of job %q: %w", jobID, crmio.ErrNotFound)
	if !ok {
		if err := c.check(ctx); err != nil {
			return err
		}
		return notFound
	}
	err := c.with(ctx, "append journal", func(db *pgx.Conn) error {
		// The job is checked once here, not by a foreign key for every
		// entry (see migration 0002).
		var one int
		err := db.QueryRow(ctx, c.st.sql(`SELECT 1 FROM crmio_jobs WHERE id = $1`), id).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound
		}
		if err != nil || len(entries) == 0 {
			return err
		}
		i := 0
		var before, after []byte
		src := &copySource{row: func(b []byte) ([]byte, bool, error) {
			if i == len(entries) {
				return b, false, nil
			}
			e := entries[i]
			i++
			var err error
			if before, err = appendRecordJSON(before[:0], e.Before); err != nil {
				return b, false, err
			}
			if after, err = appendRecordJSON(after[:0], e.After); err != nil {
				return b, false, err
			}
			b = appendInt16(b, 7)
			b = appendInt8Field(b, id)
			b = appendBytesField(b, string(e.Op))
			b = appendBytesField(b, e.Module)
			b = appendBytesField(b, e.ID)
			for _, img := range [][]byte{before, after} {
				if img == nil {
					b = appendNullField(b)
				} else {
					b = appendBytesField(b, img)
				}
			}
			b = appendBytesField(b, e.Fingerprint)
			return b, true, nil
		}}
		_, err = db.PgConn().CopyFrom(ctx, src, c.st.sql(`COPY crmio_journal (job_id, op, module, record_id, before, after, fingerprint) FROM STDIN (FORMAT binary)`))
		return err
	})
	if errors.Is(err, crmio.ErrNotFound) {
		return notFound
	}
	return err
}

// appendRecordJSON appends the JSON of a record image: nil for none.
func appendRecordJSON(b []byte, r *crmio.Record) ([]byte, error) {
	if r == nil {
		return nil, nil
	}
	j, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode journal record: %w", err)
	}
	return append(b, j...), nil
}

// journalPage is how many entries Journal reads per query. Reading page
// by page holds no connection while the caller works on an entry.
const journalPage = 256

// Journal implements storage.History.
func (c *conn) Journal(ctx context.Context, jobID string) iter.Seq2[storage.JournalEntry, error] {
	return func(yield func(storage.JournalEntry, error) bool) {
		fail := func(err error) { yield(storage.JournalEntry{}, err) }
		id, ok := sqlstore.ParseID(jobID)
		if !ok {
			if err := c.check(ctx); err != nil {
				fail(err)
				return
			}
			fail(fmt.Errorf("postgres: journal of job %q: %w", jobID, crmio.ErrNotFound))
			return
		}
		err := c.with(ctx, "journal", func(db *pgx.Conn) error {
			var one int
			err := db.QueryRow(ctx, c.st.sql(`SELECT 1 FROM crmio_jobs WHERE id = $1`), id).Scan(&one)
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("journal of job %q: %w", jobID, crmio.ErrNotFound)
			}
			return err
		})
		if err != nil {
			fail(err)
			return
		}
		after := int64(0)
		for {
			var page []storage.JournalEntry
			err := c.with(ctx, "journal", func(db *pgx.Conn) error {
				var err error
				page, after, err = c.journalPage(ctx, db, id, after)
				return err
			})
			if err != nil {
				fail(err)
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
			if len(page) < journalPage {
				return
			}
		}
	}
}

// journalPage reads the entries after seq after; it returns them and the
// seq of the last.
func (c *conn) journalPage(ctx context.Context, db *pgx.Conn, jobID, after int64) ([]storage.JournalEntry, int64, error) {
	rows, err := db.Query(ctx, c.st.sql(`SELECT seq, op, module, record_id, before, after, fingerprint FROM crmio_journal
		WHERE job_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`), jobID, after, journalPage)
	if err != nil {
		return nil, after, err
	}
	defer rows.Close()
	var out []storage.JournalEntry
	for rows.Next() {
		var e storage.JournalEntry
		var op string
		var before, afterImg []byte
		if err := rows.Scan(&after, &op, &e.Module, &e.ID, &before, &afterImg, &e.Fingerprint); err != nil {
			return nil, after, err
		}
		e.Op = storage.JournalOp(op)
		if e.Before, err = decodeRecord(before); err != nil {
			return nil, after, err
		}
		if e.After, err = decodeRecord(afterImg); err != nil {
			return nil, after, err
		}
		out = append(out, e)
	}
	return out, after, rows.Err()
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
