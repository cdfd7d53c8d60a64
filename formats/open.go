package formats

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/crmio/crmio/internal/guard"
)

// bufferSize is the read buffer put in front of every input. The CSV reader
// reuses it (bufio.NewReaderSize returns a large enough *bufio.Reader as is)
// and samples its start for the encoding and the delimiter.
const bufferSize = 64 << 10

// Open opens the file at name, identifies its format from its content (see
// Detect) and returns a Reader from the format's registered Opener. A nil
// opts means defaults.
//
// The file's size is checked against the limit before anything is read: a
// file over it fails with an error wrapping ErrTooLarge. A format that is
// recognised but whose package is not imported is an error that names the
// package to import.
//
// The Reader owns the file: Close closes it.
func Open(name string, opts *Options) (Reader, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	display := filepath.Base(name)
	switch {
	case fi.IsDir():
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: errors.New("is a directory")}
	case !fi.Mode().IsRegular():
		// A pipe or a device has no size to check up front: read it as a stream.
		return newReader(f, display, opts, f.Close)
	}
	limit := opts.Limit()
	if limit >= 0 && fi.Size() > limit {
		f.Close()
		return nil, fmt.Errorf("%s: %w", display, tooLarge(fi.Size(), limit))
	}
	format, err := Detect(f, fi.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", display, err)
	}
	in := &Input{Name: display, Path: name, R: LimitReader(f, limit), Size: fi.Size()}
	rd, err := openInput(format, in, opts, f.Close)
	if err != nil {
		return nil, named(display, err)
	}
	return rd, nil
}

// named puts the file's name before an error's message, unless the error
// names it already (a *ParseError from a reader given the name).
func named(name string, err error) error {
	var pe *ParseError
	if name == "" || errors.As(err, &pe) && pe.File != "" {
		return err
	}
	return fmt.Errorf("%s: %w", name, err)
}

// NewReader reads a file's content from r: an upload, a download, anything
// that is not a file on disk. name is the file's name for messages and may
// be empty; it plays no part in detection. A nil opts means defaults.
//
// NewReader reads at most limit+1 bytes from r and fails with an error
// wrapping ErrTooLarge when there are more (when r reports its length, as
// *bytes.Reader, *strings.Reader and *os.File do, before reading any). CSV
// is read straight from r as the rows are read; a format that is read at
// random (Format.NeedsFile: a workbook) is first copied to a temporary
// file, which Close removes (as does every error). Closing the Reader does
// not close r.
func NewReader(r io.Reader, name string, opts *Options) (Reader, error) {
	return newReader(r, name, opts, nil)
}

// newReader implements NewReader; release, when not nil, is called once
// the stream is no longer needed (on Close or on failure).
func newReader(r io.Reader, name string, opts *Options, release func() error) (rd Reader, err error) {
	defer func() {
		if err != nil && release != nil {
			release()
		}
		if err != nil {
			err = named(name, err)
		}
	}()
	limit := opts.Limit()
	size := remaining(r)
	if limit >= 0 && size > limit {
		return nil, tooLarge(size, limit)
	}
	br := bufio.NewReaderSize(LimitReader(r, limit), bufferSize)
	head, err := br.Peek(sniffLen)
	if err != nil && err != io.EOF {
		return nil, err
	}
	sample := &Sample{Head: head, Size: size}
	f, registered, ok := identify(sample)
	switch {
	case !ok && isZip(head):
		// What a zip archive holds is only known from its central
		// directory, at its end: copy it to a file to say what it is.
		f = Format{NeedsFile: true}
	case !ok:
		return nil, describe(sample)
	case !registered && f.Match == nil:
		return nil, importHint(f.Name) // certain from its magic: say so before copying the file
	}
	handOff := release
	release = nil // from here on, openInput or spool release it on failure
	if !f.NeedsFile {
		return openInput(f.Name, &Input{Name: name, R: br, Size: size}, opts, handOff)
	}
	return spool(br, name, opts, handOff)
}

// spool copies a stream to a temporary file, identifies it and opens it:
// for workbooks, which are read at random.
func spool(src io.Reader, name string, opts *Options, release func() error) (Reader, error) {
	tmp, err := os.CreateTemp("", "crmio-*.tmp")
	if err != nil {
		return nil, fmt.Errorf("formats: spooling a workbook to a temporary file: %w", err)
	}
	cleanup := func() error {
		errClose := tmp.Close()
		errRemove := os.Remove(tmp.Name())
		if release != nil {
			release()
		}
		return errors.Join(errClose, errRemove)
	}
	size, err := io.Copy(tmp, src)
	if err == nil {
		_, err = tmp.Seek(0, io.SeekStart)
	}
	var format string
	if err == nil {
		format, err = Detect(tmp, size)
	}
	if err != nil {
		cleanup()
		return nil, err
	}
	in := &Input{Name: name, Path: tmp.Name(), R: tmp, Size: size}
	rd, err := openInput(format, in, opts, cleanup)
	if err != nil {
		return nil, err
	}
	return rd, nil
}

// openInput dispatches to the registered Opener. release frees what the
// caller opened; it runs on failure here, or when the Reader is closed.
func openInput(format string, in *Input, opts *Options, release func() error) (Reader, error) {
	fail := func(err error) (Reader, error) {
		if release != nil {
			release()
		}
		return nil, err
	}
	f, ok := Lookup(format)
	if !ok || f.Open == nil {
		return fail(importHint(format))
	}
	rd, err := f.Open(in, opts)
	if err != nil {
		return fail(err)
	}
	if f.Formulas && (opts == nil || !opts.KeepFormulaGuard) {
		rd = newUnguardReader(rd)
	}
	if release == nil {
		return rd, nil
	}
	return &ownedReader{Reader: rd, release: release}, nil
}

// unguardReader strips the quote that guards a formula-like text (see
// Options.KeepFormulaGuard) from the header and the fields of a Reader.
type unguardReader struct {
	Reader
	header []string
}

func newUnguardReader(r Reader) *unguardReader {
	header := r.Header()
	if slices.ContainsFunc(header, guard.Guarded) {
		header = slices.Clone(header)
		for i, h := range header {
			header[i] = guard.Strip(h)
		}
	}
	return &unguardReader{Reader: r, header: header}
}

func (r *unguardReader) Header() []string { return r.header }

func (r *unguardReader) Read() (Row, error) {
	row, err := r.Reader.Read()
	for i, f := range row.Fields {
		if len(f) > 1 && f[0] == '\'' {
			row.Fields[i] = guard.Strip(f)
		}
	}
	return row, err
}

// ownedReader releases what Open or NewReader opened for a format's Reader
// (a file, a temporary file) after closing that Reader.
type ownedReader struct {
	Reader
	release func() error
}

func (r *ownedReader) Close() error {
	err := r.Reader.Close()
	if r.release != nil {
		err = errors.Join(err, r.release())
		r.release = nil
	}
	return err
}

// remaining returns how many bytes r has left when r can tell without
// being read, else -1.
func remaining(r io.Reader) int64 {
	switch r := r.(type) {
	case interface{ Len() int }: // *bytes.Reader, *bytes.Buffer, *strings.Reader
		return int64(r.Len())
	case *os.File:
		fi, err := r.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			return -1
		}
		off, err := r.Seek(0, io.SeekCurrent)
		if err != nil {
			return -1
		}
		return max(fi.Size()-off, 0)
	}
	return -1
}
