package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/storage"
)

// sourceFile is a Source made ready to read: a file on disk (the caller's,
// or a temporary copy of a stream) and, when the import keeps a job, what
// identifies it.
type sourceFile struct {
	name string
	path string // the file to read
	// temp is set when path is a temporary copy, removed by close.
	temp bool
	// stream is the content, when it is read as it comes (no job is kept).
	stream io.Reader
	// id identifies the content: set when identified.
	id storage.JobSource
}

// openSource makes src ready to read. When identify is set (the import
// keeps a job, which a resume must be able to check the file against), it
// also measures the file and hashes its content: a stream is copied to a
// temporary file as it is hashed, within the size limit; a file on disk is
// read once more, which costs a fraction of the import (SHA-256 runs at
// gigabytes a second).
func openSource(src Source, identify bool) (*sourceFile, error) {
	f := &sourceFile{name: src.name()}
	limit := src.Format.Limit()
	switch {
	case src.Path != "":
		f.path = src.Path
		if !identify {
			return f, nil
		}
		in, err := os.Open(src.Path)
		if err != nil {
			return nil, err
		}
		defer in.Close()
		h := sha256.New()
		n, err := io.Copy(h, in)
		if err != nil {
			return nil, fmt.Errorf("importer: reading %s: %w", f.name, err)
		}
		abs, err := filepath.Abs(src.Path)
		if err != nil {
			abs = src.Path
		}
		f.id = storage.JobSource{Name: f.name, Path: abs, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}
	case src.Reader != nil && !identify:
		f.stream = src.Reader
	case src.Reader != nil:
		tmp, err := os.CreateTemp("", "crmio-import-*"+filepath.Ext(f.name))
		if err != nil {
			return nil, fmt.Errorf("importer: keeping a copy of %s: %w", f.name, err)
		}
		f.path, f.temp = tmp.Name(), true
		h := sha256.New()
		r := src.Reader
		if limit >= 0 {
			r = io.LimitReader(r, limit+1)
		}
		n, err := io.Copy(io.MultiWriter(tmp, h), r)
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil && limit >= 0 && n > limit {
			err = &formats.SizeError{Size: -1, Limit: limit}
		}
		if err != nil {
			f.close()
			return nil, fmt.Errorf("importer: reading %s: %w", f.name, err)
		}
		f.id = storage.JobSource{Name: f.name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}
	default:
		return nil, errors.New("importer: the source has neither a path nor a reader")
	}
	return f, nil
}

// check reports whether the file is the one a job read.
func (f *sourceFile) check(want storage.JobSource) error {
	switch {
	case want.SHA256 == "":
		return nil // a job of a store that kept no identity
	case f.id.Size != want.Size:
		return fmt.Errorf("%w: %s has %d bytes; the job read %d (sha256 %s)", ErrSourceChanged, f.name, f.id.Size, want.Size, want.SHA256)
	case f.id.SHA256 != want.SHA256:
		return fmt.Errorf("%w: %s has the same size but other content (sha256 %s; the job read %s)", ErrSourceChanged, f.name, f.id.SHA256, want.SHA256)
	}
	return nil
}

func (f *sourceFile) open(opts *formats.Options) (formats.Reader, error) {
	var r formats.Reader
	var err error
	if f.stream != nil {
		r, err = formats.NewReader(f.stream, f.name, opts)
	} else {
		r, err = formats.Open(f.path, opts)
	}
	if err != nil {
		return nil, namedErr(f.name, err)
	}
	return r, nil
}

// close removes a temporary copy.
func (f *sourceFile) close() {
	if f.temp {
		os.Remove(f.path)
		f.temp = false
	}
}

func (src Source) name() string {
	if src.Name != "" {
		return src.Name
	}
	if src.Path != "" {
		return filepath.Base(src.Path)
	}
	return "upload"
}

// namedErr makes sure an error about a file names it.
func namedErr(name string, err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) || strings.Contains(err.Error(), name) {
		return err // names it already
	}
	return fmt.Errorf("%s: %w", name, err)
}

// openPreview opens src for a preview, which keeps no job: a stream is
// read as it comes, never copied.
func openPreview(src Source) (formats.Reader, error) {
	f, err := openSource(src, false)
	if err != nil {
		return nil, err
	}
	return f.open(src.Format)
}
