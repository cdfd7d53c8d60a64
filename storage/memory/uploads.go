package memory

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// uploads keeps the Store's uploads (storage.Uploads), in memory.
type uploads struct {
	mu   sync.Mutex
	seq  uint64
	byID map[string]*upload
}

type upload struct {
	meta storage.Upload
	data []byte
}

// PutUpload implements storage.Uploads.
func (s *Store) PutUpload(ctx context.Context, u storage.Upload, r io.Reader) (storage.Upload, error) {
	h := sha256.New()
	var buf bytes.Buffer
	if _, err := io.Copy(io.MultiWriter(&buf, h), ctxReader{ctx, r}); err != nil {
		return storage.Upload{}, fmt.Errorf("memory: put upload %q: %w", u.Name, err)
	}
	if err := ctx.Err(); err != nil {
		return storage.Upload{}, err
	}
	up := &s.uploads
	up.mu.Lock()
	defer up.mu.Unlock()
	if up.byID == nil {
		up.byID = map[string]*upload{}
	}
	up.seq++
	meta := storage.Upload{ID: "upload-" + strconv.FormatUint(up.seq, 10), Name: u.Name, Owner: u.Owner,
		Size: int64(buf.Len()), SHA256: hex.EncodeToString(h.Sum(nil)), Created: time.Now()}
	up.byID[meta.ID] = &upload{meta: meta, data: buf.Bytes()}
	return meta, nil
}

// OpenUpload implements storage.Uploads.
func (s *Store) OpenUpload(ctx context.Context, id string) (storage.Upload, io.ReadCloser, error) {
	u, data, err := s.uploads.get(ctx, id)
	if err != nil {
		return storage.Upload{}, nil, err
	}
	return u, io.NopCloser(bytes.NewReader(data)), nil
}

// Upload implements storage.Uploads.
func (s *Store) Upload(ctx context.Context, id string) (storage.Upload, error) {
	u, _, err := s.uploads.get(ctx, id)
	return u, err
}

// DeleteUpload implements storage.Uploads.
func (s *Store) DeleteUpload(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.uploads.mu.Lock()
	defer s.uploads.mu.Unlock()
	delete(s.uploads.byID, id)
	return nil
}

// ListUploads implements storage.Uploads.
func (s *Store) ListUploads(ctx context.Context, before time.Time) ([]storage.Upload, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.uploads.mu.Lock()
	defer s.uploads.mu.Unlock()
	out := []storage.Upload{}
	for _, u := range s.uploads.byID {
		if before.IsZero() || u.meta.Created.Before(before) {
			out = append(out, u.meta)
		}
	}
	slices.SortFunc(out, func(a, b storage.Upload) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return compareUploadIDs(a.ID, b.ID)
	})
	return out, nil
}

// compareUploadIDs orders ids by their counter.
func compareUploadIDs(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return bytes.Compare([]byte(a), []byte(b))
}

func (up *uploads) get(ctx context.Context, id string) (storage.Upload, []byte, error) {
	if err := ctx.Err(); err != nil {
		return storage.Upload{}, nil, err
	}
	up.mu.Lock()
	defer up.mu.Unlock()
	u := up.byID[id]
	if u == nil {
		return storage.Upload{}, nil, fmt.Errorf("memory: upload %q: %w", id, crmio.ErrNotFound)
	}
	return u.meta, u.data, nil
}

// ctxReader stops reading when ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
