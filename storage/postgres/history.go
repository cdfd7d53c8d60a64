package postgres

import (
	"context"
	"encoding/binary"
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
	err = c.with(ctx, "update job", func(db *pgx.Conn) error {
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
	if err == nil && c.tx == nil && job.Status.Done() && job.Counts.Created+job.Counts.Updated >= analyzeAfter {
		c.st.analyzeModules(ctx)
	}
	return err
}

// analyzeAfter is how many records a job must have written for its end to
// refresh the planner's count of each module's records (analyzeModules).
const analyzeAfter = 10_000

// analyzeModules refreshes the statistics PostgreSQL plans the scans of a
// module with: the table's size and how many of its records each module
// has. Without them, right after a bulk load (autovacuum analyzes a
// minute or more later), the planner takes a module of 476,000 records
// for 6,500 and scans it with a bitmap and an external sort of 128 MB on
// disk, rather than in the order of the primary key: an export right
// after an import spent 0.7 s before its first row. Only the module
// column is analyzed, from a sample of 3,000 rows (statistics target 10):
// 20 ms for 500,000 records, against 400 ms for the whole table. Like
// PostgreSQL's own autovacuum, it is best effort: the job is written
// whether or not it succeeds.
func (s *Store) analyzeModules(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	_ = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL default_statistics_target = 10"); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, s.sql("ANALYZE crmio_records (module)"))
		return err
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

// AppendJournal implements storage.History: the entries packed in one
// row of crmio_journal (see packJournal), written by one statement that
// checks the job too (through a tx store, in Atomic's transaction).
func (c *conn) AppendJournal(ctx context.Context, jobID string, entries []storage.JournalEntry) error {
	id, ok := sqlstore.ParseID(jobID)
	notFound := fmt.Errorf("postgres: append to the journal of job %q: %w", jobID, crmio.ErrNotFound)
	if !ok {
		if err := c.check(ctx); err != nil {
			return err
		}
		return notFound
	}
	var packed []byte
	if len(entries) > 0 {
		var err error
		if packed, err = packJournal(entries); err != nil {
			return err
		}
	}
	err := c.with(ctx, "append journal", func(db *pgx.Conn) error {
		// The job is checked here, not by a foreign key for every entry
		// (see migration 0002).
		if len(entries) == 0 {
			var one int
			err := db.QueryRow(ctx, c.st.sql(`SELECT 1 FROM crmio_jobs WHERE id = $1`), id).Scan(&one)
			if errors.Is(err, pgx.ErrNoRows) {
				return notFound
			}
			return err
		}
		tag, err := db.Exec(ctx, c.st.sql(`INSERT INTO crmio_journal (job_id, op, module, record_id, entries)
			SELECT $1, '', '', '', $2 WHERE EXISTS (SELECT 1 FROM crmio_jobs WHERE id = $1)`), id, packed)
		if err == nil && tag.RowsAffected() == 0 {
			return notFound
		}
		return err
	})
	if errors.Is(err, crmio.ErrNotFound) {
		return notFound
	}
	return err
}

// packJournal packs entries for the entries column of crmio_journal: a
// format byte (1), then for each entry its op, module, id and
// fingerprint, each as a uvarint length and the bytes, and its before and
// after images, each as a uvarint (0 for none, else 1 + the length) and
// the record's JSON.
func packJournal(entries []storage.JournalEntry) ([]byte, error) {
	b := make([]byte, 1, 64*len(entries))
	b[0] = journalFormat
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	var img []byte
	for _, e := range entries {
		str(string(e.Op))
		str(e.Module)
		str(e.ID)
		str(e.Fingerprint)
		for _, r := range []*crmio.Record{e.Before, e.After} {
			var err error
			if img, err = appendRecordJSON(img[:0], r); err != nil {
				return nil, err
			}
			if img == nil {
				b = append(b, 0)
				continue
			}
			b = binary.AppendUvarint(b, uint64(len(img))+1)
			b = append(b, img...)
		}
	}
	return b, nil
}

// journalFormat is the first byte of what packJournal writes.
const journalFormat = 1

// unpackJournal appends the entries packJournal packed in b to out.
func unpackJournal(out []storage.JournalEntry, b []byte) ([]storage.JournalEntry, error) {
	bad := errors.New("stored journal entries are not valid")
	if len(b) == 0 || b[0] != journalFormat {
		return nil, bad
	}
	b = b[1:]
	next := func() ([]byte, bool) {
		n, w := binary.Uvarint(b)
		if w <= 0 || n > uint64(len(b)-w) {
			return nil, false
		}
		s := b[w : w+int(n)]
		b = b[w+int(n):]
		return s, true
	}
	for len(b) > 0 {
		var e storage.JournalEntry
		var f [4][]byte
		for i := range f {
			var ok bool
			if f[i], ok = next(); !ok {
				return nil, bad
			}
		}
		e.Op, e.Module, e.ID, e.Fingerprint = storage.JournalOp(f[0]), string(f[1]), string(f[2]), string(f[3])
		for _, img := range []**crmio.Record{&e.Before, &e.After} {
			n, w := binary.Uvarint(b)
			if w <= 0 || n > uint64(len(b)-w)+1 {
				return nil, bad
			}
			b = b[w:]
			if n == 0 {
				continue
			}
			r, err := decodeRecord(b[:n-1])
			if err != nil {
				return nil, err
			}
			*img = r
			b = b[n-1:]
		}
		out = append(out, e)
	}
	return out, nil
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

// journalPage is how many rows Journal reads per query while they hold
// one entry each, and journalPacked how many once they hold an
// AppendJournal call's entries each (see packJournal): reading page by
// page holds no connection while the caller works on an entry, and no
// more than a few calls' entries in memory.
const (
	journalPage   = 256
	journalPacked = 4
)

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
		limit := journalPage
		for {
			var page []storage.JournalEntry
			var rows int
			var packed bool
			err := c.with(ctx, "journal", func(db *pgx.Conn) error {
				var err error
				page, after, rows, packed, err = c.journalPage(ctx, db, id, after, limit)
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
			if rows < limit {
				return
			}
			if packed {
				limit = journalPacked
			}
		}
	}
}

// journalPage reads the entries of at most limit rows after seq after;
// it returns them, the seq of the last row, the rows read, and whether
// one was packed.
func (c *conn) journalPage(ctx context.Context, db *pgx.Conn, jobID, after int64, limit int) ([]storage.JournalEntry, int64, int, bool, error) {
	rows, err := db.Query(ctx, c.st.sql(`SELECT seq, op, module, record_id, before, after, fingerprint, entries FROM crmio_journal
		WHERE job_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`), jobID, after, limit)
	if err != nil {
		return nil, after, 0, false, err
	}
	defer rows.Close()
	var out []storage.JournalEntry
	n := 0
	packed := false
	for rows.Next() {
		n++
		var e storage.JournalEntry
		var op string
		var before, afterImg, entries []byte
		if err := rows.Scan(&after, &op, &e.Module, &e.ID, &before, &afterImg, &e.Fingerprint, &entries); err != nil {
			return nil, after, n, packed, err
		}
		if entries != nil {
			packed = true
			if out, err = unpackJournal(out, entries); err != nil {
				return nil, after, n, packed, err
			}
			continue
		}
		e.Op = storage.JournalOp(op)
		if e.Before, err = decodeRecord(before); err != nil {
			return nil, after, n, packed, err
		}
		if e.After, err = decodeRecord(afterImg); err != nil {
			return nil, after, n, packed, err
		}
		out = append(out, e)
	}
	return out, after, n, packed, rows.Err()
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
