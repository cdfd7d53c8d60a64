package formats

import (
	"fmt"
	"io"
	"math"

	"github.com/crmio/crmio/formats/internal/units"
)

// LimitReader returns a Reader that reads from r until limit bytes have been
// read and then fails with an error wrapping ErrTooLarge if r holds more.
// Unlike io.LimitReader, which ends quietly with io.EOF, it reports the
// excess: a file cut off at the limit would otherwise import as if complete.
//
// It reads at most limit+1 bytes from r, the one byte past the limit being
// what proves the input too large; the bytes within the limit are all
// delivered before the error. A negative limit means no limit.
func LimitReader(r io.Reader, limit int64) io.Reader {
	if limit < 0 || limit == math.MaxInt64 {
		return r
	}
	return &limitedReader{r: r, limit: limit, left: limit + 1}
}

type limitedReader struct {
	r     io.Reader
	limit int64
	left  int64 // bytes that may still be read from r, the proving byte included
	err   error // sticky ErrTooLarge
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left == 0 {
		// The byte just read is byte limit+1: withhold it and report.
		l.err = &SizeError{Size: -1, Limit: l.limit}
		return n - 1, l.err
	}
	return n, err
}

// describeLimit formats a byte limit for a person: "the 100 MiB limit".
func describeLimit(limit int64) string {
	return "the " + formatSize(limit) + " limit"
}

// formatSize formats a byte count with a binary unit: "100 MiB".
func formatSize(n int64) string { return units.Size(n) }

// tooLarge is the error for an input whose size is known before reading.
func tooLarge(size, limit int64) error { return &SizeError{Size: size, Limit: limit} }

// SizeError is the error of an input over the size limit (Options.MaxSize).
// It wraps ErrTooLarge, and says how large the input is, so that a caller
// can tell what limit would admit it.
type SizeError struct {
	// Size is the input's size in bytes, or -1 when it was read as a
	// stream and only known to be over the limit.
	Size  int64
	Limit int64
}

func (e *SizeError) Error() string {
	if e.Size < 0 {
		return fmt.Sprintf("%v: more than %s", ErrTooLarge, describeLimit(e.Limit))
	}
	return fmt.Sprintf("%v: %s, over %s", ErrTooLarge, formatSize(e.Size), describeLimit(e.Limit))
}

// Unwrap returns ErrTooLarge.
func (e *SizeError) Unwrap() error { return ErrTooLarge }
