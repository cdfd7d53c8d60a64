package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/internal/sqlstore"
)

var _ storage.Uploads = (*Store)(nil)

// PutUpload implements storage.Uploads. The content is written in chunks
// of 512 KiB, each in a write of its own, so that a large or slow upload
// (a browser's) never holds the database's writer lock for long; the
// upload becomes visible once its last chunk is in. A put that fails
// removes what it wrote; one whose process dies leaves an invisible
// upload that a put a day later removes.
func (s *Store) PutUpload(ctx context.Context, u storage.Upload, r io.Reader) (storage.Upload, error) {
	if err := s.check(ctx); err != nil {
		return storage.Upload{}, err
	}
	s.removeStaleUploads(ctx)
	now := time.Now()
	meta := storage.Upload{ID: sqlstore.NewUploadID(), Name: u.Name, Owner: u.Owner, Created: now}
	res, err := s.execUpload(ctx, `INSERT INTO crmio_uploads (id, name, owner, created_s, created_ns) VALUES (?, ?, ?, ?, ?)`,
		meta.ID, meta.Name, meta.Owner, now.Unix(), now.Nanosecond())
	if err != nil {
		return storage.Upload{}, s.fail("put upload", err)
	}
	seq, err := res.LastInsertId()
	if err != nil {
		return storage.Upload{}, s.fail("put upload", err)
	}
	meta.Size, meta.SHA256, err = sqlstore.PutChunks(ctx, r, func(chunk int, data []byte) error {
		_, err := s.execUpload(ctx, `INSERT INTO crmio_upload_chunks (upload_seq, chunk, data) VALUES (?, ?, ?)`, seq, chunk, data)
		return err
	})
	if err == nil {
		_, err = s.execUpload(ctx, `UPDATE crmio_uploads SET size = ?, sha256 = ?, complete = 1 WHERE seq = ?`, meta.Size, meta.SHA256, seq)
	}
	if err != nil {
		s.deleteUpload(context.WithoutCancel(ctx), seq)
		if ctx.Err() != nil {
			return storage.Upload{}, ctx.Err()
		}
		return storage.Upload{}, s.fail(fmt.Sprintf("put upload %q", u.Name), err)
	}
	return meta, nil
}

// execUpload runs one statement of a put, trying again while the
// database is locked past the busy timeout: another process that writes
// batch after batch (a worker importing) can keep taking SQLite's lock
// before this one's busy handler wakes up, and a chunk is worth waiting
// for. It gives up after three busy timeouts.
func (s *Store) execUpload(ctx context.Context, query string, args ...any) (sql.Result, error) {
	deadline := time.Now().Add(3 * s.busy)
	for {
		res, err := s.writer.ExecContext(ctx, query, args...)
		if !isBusy(err) || time.Now().After(deadline) {
			return res, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// removeStaleUploads removes the uploads whose put never completed and
// began more than a day ago: their process died. Failing to is no error
// of the put that does it.
func (s *Store) removeStaleUploads(ctx context.Context) {
	before := time.Now().Add(-sqlstore.StaleUploadAge).Unix()
	rows, err := s.reader.QueryContext(ctx, `SELECT seq FROM crmio_uploads WHERE complete = 0 AND created_s < ?`, before)
	if err != nil {
		return
	}
	var stale []int64
	for rows.Next() {
		var seq int64
		if rows.Scan(&seq) == nil {
			stale = append(stale, seq)
		}
	}
	rows.Close()
	for _, seq := range stale {
		s.deleteUpload(ctx, seq)
	}
}

// deleteUpload removes an upload and its chunks, in one transaction.
func (s *Store) deleteUpload(ctx context.Context, seq int64) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM crmio_upload_chunks WHERE upload_seq = ?`, seq); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM crmio_uploads WHERE seq = ?`, seq); err != nil {
		return err
	}
	return tx.Commit()
}

// upload returns a complete upload's description and row.
func (s *Store) upload(ctx context.Context, id string) (storage.Upload, int64, error) {
	if err := s.check(ctx); err != nil {
		return storage.Upload{}, 0, err
	}
	row := s.reader.QueryRowContext(ctx, `SELECT seq, id, name, owner, size, sha256, created_s, created_ns FROM crmio_uploads WHERE id = ? AND complete = 1`, id)
	u, seq, err := scanUpload(row)
	if errors.Is(err, sql.ErrNoRows) {
		return storage.Upload{}, 0, fmt.Errorf("sqlite: upload %q: %w", id, crmio.ErrNotFound)
	}
	if err != nil {
		return storage.Upload{}, 0, s.fail("upload", err)
	}
	return u, seq, nil
}

func scanUpload(row interface{ Scan(...any) error }) (storage.Upload, int64, error) {
	var u storage.Upload
	var seq, sec int64
	var nsec int
	if err := row.Scan(&seq, &u.ID, &u.Name, &u.Owner, &u.Size, &u.SHA256, &sec, &nsec); err != nil {
		return storage.Upload{}, 0, err
	}
	u.Created = time.Unix(sec, int64(nsec))
	return u, seq, nil
}

// OpenUpload implements storage.Uploads. The reader fetches one chunk at
// a time, as it reaches it.
func (s *Store) OpenUpload(ctx context.Context, id string) (storage.Upload, io.ReadCloser, error) {
	u, seq, err := s.upload(ctx, id)
	if err != nil {
		return storage.Upload{}, nil, err
	}
	return u, sqlstore.NewChunkReader(ctx, func(ctx context.Context, chunk int) ([]byte, bool, error) {
		var data []byte
		err := s.reader.QueryRowContext(ctx, `SELECT data FROM crmio_upload_chunks WHERE upload_seq = ? AND chunk = ?`, seq, chunk).Scan(&data)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return nil, false, nil
		case err != nil:
			return nil, false, s.fail("read upload", err)
		}
		return data, true, nil
	}), nil
}

// Upload implements storage.Uploads.
func (s *Store) Upload(ctx context.Context, id string) (storage.Upload, error) {
	u, _, err := s.upload(ctx, id)
	return u, err
}

// DeleteUpload implements storage.Uploads.
func (s *Store) DeleteUpload(ctx context.Context, id string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	var seq int64
	err := s.reader.QueryRowContext(ctx, `SELECT seq FROM crmio_uploads WHERE id = ?`, id).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err == nil {
		err = s.deleteUpload(ctx, seq)
	}
	return s.fail("delete upload", err)
}

// ListUploads implements storage.Uploads.
func (s *Store) ListUploads(ctx context.Context, before time.Time) ([]storage.Upload, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	q := `SELECT seq, id, name, owner, size, sha256, created_s, created_ns FROM crmio_uploads WHERE complete = 1`
	var args []any
	if !before.IsZero() {
		q += ` AND (created_s < ? OR created_s = ? AND created_ns < ?)`
		args = append(args, before.Unix(), before.Unix(), before.Nanosecond())
	}
	rows, err := s.reader.QueryContext(ctx, q+` ORDER BY created_s, created_ns, seq`, args...)
	if err != nil {
		return nil, s.fail("list uploads", err)
	}
	defer rows.Close()
	out := []storage.Upload{}
	for rows.Next() {
		u, _, err := scanUpload(rows)
		if err != nil {
			return nil, s.fail("list uploads", err)
		}
		out = append(out, u)
	}
	return out, s.fail("list uploads", rows.Err())
}
