package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/internal/sqlstore"
	"github.com/jackc/pgx/v5"
)

var _ storage.Uploads = (*Store)(nil)

// PutUpload implements storage.Uploads. The content is written in chunks
// of 512 KiB, each a statement of its own (a large or slow upload, a
// browser's, is no long transaction); the upload becomes visible once its
// last chunk is in. A put that fails removes what it wrote; one whose
// process dies leaves an invisible upload that a put a day later removes.
func (s *Store) PutUpload(ctx context.Context, u storage.Upload, r io.Reader) (storage.Upload, error) {
	if err := s.check(ctx); err != nil {
		return storage.Upload{}, err
	}
	before := time.Now().Add(-sqlstore.StaleUploadAge).Unix()
	_, _ = s.pool.Exec(ctx, s.sql(`DELETE FROM crmio_uploads WHERE NOT complete AND created_s < $1`), before)
	now := time.Now()
	meta := storage.Upload{ID: sqlstore.NewUploadID(), Name: u.Name, Owner: u.Owner, Created: now}
	var seq int64
	err := s.pool.QueryRow(ctx, s.sql(`INSERT INTO crmio_uploads (id, name, owner, created_s, created_ns) VALUES ($1, $2, $3, $4, $5) RETURNING seq`),
		meta.ID, meta.Name, meta.Owner, now.Unix(), now.Nanosecond()).Scan(&seq)
	if err != nil {
		return storage.Upload{}, s.fail("put upload", err)
	}
	meta.Size, meta.SHA256, err = sqlstore.PutChunks(ctx, r, func(chunk int, data []byte) error {
		_, err := s.pool.Exec(ctx, s.sql(`INSERT INTO crmio_upload_chunks (upload_seq, chunk, data) VALUES ($1, $2, $3)`), seq, chunk, data)
		return err
	})
	if err == nil {
		_, err = s.pool.Exec(ctx, s.sql(`UPDATE crmio_uploads SET size = $1, sha256 = $2, complete = true WHERE seq = $3`), meta.Size, meta.SHA256, seq)
	}
	if err != nil {
		// The chunks go with it (ON DELETE CASCADE).
		_, _ = s.pool.Exec(context.WithoutCancel(ctx), s.sql(`DELETE FROM crmio_uploads WHERE seq = $1`), seq)
		if ctx.Err() != nil {
			return storage.Upload{}, ctx.Err()
		}
		return storage.Upload{}, s.fail(fmt.Sprintf("put upload %q", u.Name), err)
	}
	return meta, nil
}

const uploadColumns = `seq, id, name, owner, size, sha256, created_s, created_ns`

func scanUpload(row pgx.Row) (storage.Upload, int64, error) {
	var u storage.Upload
	var seq, sec int64
	var nsec int32
	if err := row.Scan(&seq, &u.ID, &u.Name, &u.Owner, &u.Size, &u.SHA256, &sec, &nsec); err != nil {
		return storage.Upload{}, 0, err
	}
	u.Created = time.Unix(sec, int64(nsec))
	return u, seq, nil
}

// upload returns a complete upload's description and row.
func (s *Store) upload(ctx context.Context, id string) (storage.Upload, int64, error) {
	if err := s.check(ctx); err != nil {
		return storage.Upload{}, 0, err
	}
	u, seq, err := scanUpload(s.pool.QueryRow(ctx, s.sql(`SELECT `+uploadColumns+` FROM crmio_uploads WHERE id = $1 AND complete`), id))
	if errors.Is(err, pgx.ErrNoRows) {
		return storage.Upload{}, 0, fmt.Errorf("postgres: upload %q: %w", id, crmio.ErrNotFound)
	}
	if err != nil {
		return storage.Upload{}, 0, s.fail("upload", err)
	}
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
		err := s.pool.QueryRow(ctx, s.sql(`SELECT data FROM crmio_upload_chunks WHERE upload_seq = $1 AND chunk = $2`), seq, chunk).Scan(&data)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
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
	_, err := s.pool.Exec(ctx, s.sql(`DELETE FROM crmio_uploads WHERE id = $1`), id)
	return s.fail("delete upload", err)
}

// ListUploads implements storage.Uploads.
func (s *Store) ListUploads(ctx context.Context, before time.Time) ([]storage.Upload, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	q := `SELECT ` + uploadColumns + ` FROM crmio_uploads WHERE complete`
	var args []any
	if !before.IsZero() {
		q += ` AND (created_s, created_ns) < ($1, $2)`
		args = append(args, before.Unix(), before.Nanosecond())
	}
	rows, err := s.pool.Query(ctx, s.sql(q+` ORDER BY created_s, created_ns, seq`), args...)
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
