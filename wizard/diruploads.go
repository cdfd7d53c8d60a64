package wizard

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// DirUploads returns a storage.Uploads that keeps each upload as a file in
// dir (created when missing), beside a small JSON file describing it: for
// a store that keeps no uploads of its own, with every process that
// serves the wizard on one machine (or sharing dir). The SQL stores keep
// uploads in their database; prefer theirs.
func DirUploads(dir string) storage.Uploads { return &dirUploads{dir: dir} }

type dirUploads struct{ dir string }

// An upload id is random hex: it names its files, and nothing else can.
func (d *dirUploads) paths(id string) (data, meta string, err error) {
	if len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" {
		return "", "", fmt.Errorf("wizard: upload %q: %w", id, crmio.ErrNotFound)
	}
	return filepath.Join(d.dir, id+".data"), filepath.Join(d.dir, id+".json"), nil
}

func (d *dirUploads) PutUpload(ctx context.Context, u storage.Upload, r io.Reader) (storage.Upload, error) {
	if err := os.MkdirAll(d.dir, 0o700); err != nil {
		return storage.Upload{}, err
	}
	id := randomID() + randomID()
	data, meta, _ := d.paths(id)
	tmp, err := os.CreateTemp(d.dir, "put-*")
	if err != nil {
		return storage.Upload{}, err
	}
	defer os.Remove(tmp.Name()) // gone once renamed; removed on failure
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), ctxReader{ctx, r})
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return storage.Upload{}, fmt.Errorf("wizard: put upload %q: %w", u.Name, err)
	}
	out := storage.Upload{ID: id, Name: u.Name, Owner: u.Owner, Size: n, SHA256: hex.EncodeToString(h.Sum(nil)), Created: time.Now().UTC()}
	desc, err := json.Marshal(out)
	if err != nil {
		return storage.Upload{}, err
	}
	if err := os.Rename(tmp.Name(), data); err != nil {
		return storage.Upload{}, err
	}
	if err := os.WriteFile(meta, desc, 0o600); err != nil {
		os.Remove(data)
		return storage.Upload{}, err
	}
	return out, nil
}

func (d *dirUploads) Upload(ctx context.Context, id string) (storage.Upload, error) {
	if err := ctx.Err(); err != nil {
		return storage.Upload{}, err
	}
	_, meta, err := d.paths(id)
	if err != nil {
		return storage.Upload{}, err
	}
	b, err := os.ReadFile(meta)
	if errors.Is(err, fs.ErrNotExist) {
		return storage.Upload{}, fmt.Errorf("wizard: upload %q: %w", id, crmio.ErrNotFound)
	}
	if err != nil {
		return storage.Upload{}, err
	}
	var u storage.Upload
	if err := json.Unmarshal(b, &u); err != nil {
		return storage.Upload{}, fmt.Errorf("wizard: upload %q: its description is damaged: %w", id, err)
	}
	return u, nil
}

func (d *dirUploads) OpenUpload(ctx context.Context, id string) (storage.Upload, io.ReadCloser, error) {
	u, err := d.Upload(ctx, id)
	if err != nil {
		return storage.Upload{}, nil, err
	}
	data, _, _ := d.paths(id)
	f, err := os.Open(data)
	if errors.Is(err, fs.ErrNotExist) {
		return storage.Upload{}, nil, fmt.Errorf("wizard: upload %q: %w", id, crmio.ErrNotFound)
	}
	if err != nil {
		return storage.Upload{}, nil, err
	}
	return u, f, nil
}

func (d *dirUploads) DeleteUpload(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	data, meta, err := d.paths(id)
	if err != nil {
		return nil // no such upload
	}
	// The description first: once it is gone the upload is.
	if err := os.Remove(meta); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.Remove(data); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

func (d *dirUploads) ListUploads(ctx context.Context, before time.Time) ([]storage.Upload, error) {
	entries, err := os.ReadDir(d.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return []storage.Upload{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := []storage.Upload{}
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok {
			continue
		}
		u, err := d.Upload(ctx, id)
		if errors.Is(err, crmio.ErrNotFound) {
			continue // deleted meanwhile
		}
		if err != nil {
			return nil, err
		}
		if before.IsZero() || u.Created.Before(before) {
			out = append(out, u)
		}
	}
	slices.SortFunc(out, func(a, b storage.Upload) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
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
