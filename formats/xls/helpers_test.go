package xls

import (
	"errors"
	"github.com/crmio/crmio/internal/corpus"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/crmio/crmio/formats"
)

// corpusDir returns a folder of the shared corpus (../shared/corpus from
// the repository root) and whether it exists.
func corpusDir(tb testing.TB, sub string) (string, bool) { return corpus.Dir(sub) }

// mustCorpus is corpusDir for tests that need the folder: it skips without.
func mustCorpus(t *testing.T, sub string) string { t.Helper(); return corpus.Need(t, sub) }

// typedError reports whether err wraps a formats sentinel or is a
// *formats.ParseError: the only errors a reader may return for bad input.
func typedError(err error) bool {
	var pe *formats.ParseError
	if errors.As(err, &pe) {
		return true
	}
	for _, s := range []error{formats.ErrUnsupportedFormat, formats.ErrEncrypted, formats.ErrTooLarge,
		formats.ErrNoHeader, formats.ErrNoSheet, formats.ErrCorrupt} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// readRows reads all rows of r (at most limit), copying their fields, and
// checks what holds for every reader: increasing row numbers below the
// header, fields at least as many as the columns.
func readRows(t testing.TB, r formats.Reader, limit int) [][]string {
	t.Helper()
	var rows [][]string
	last := r.Info().HeaderRow
	for len(rows) < limit {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			if !typedError(err) {
				t.Fatalf("untyped error from Read: %v", err)
			}
			continue
		}
		if row.Number <= last {
			t.Fatalf("row %d after row %d", row.Number, last)
		}
		last = row.Number
		if len(row.Fields) < len(r.Header()) {
			t.Fatalf("row %d has %d fields for %d columns", row.Number, len(row.Fields), len(r.Header()))
		}
		rows = append(rows, slices.Clone(row.Fields))
	}
	return rows
}

// checkHeader checks that the header names are non-empty and unique.
func checkHeader(t testing.TB, header []string) {
	t.Helper()
	seen := make(map[string]bool, len(header))
	for i, h := range header {
		if h == "" {
			t.Fatalf("column %d has no name", i+1)
		}
		if seen[h] {
			t.Fatalf("column name %q repeats", h)
		}
		seen[h] = true
	}
}

// countRows reads every row of r, checking row numbers and widths as
// readRows does without keeping the rows, and returns how many there were.
func countRows(t testing.TB, r formats.Reader) int {
	t.Helper()
	n := 0
	last := r.Info().HeaderRow
	for {
		row, err := r.Read()
		if err == io.EOF {
			return n
		}
		if err != nil {
			if !typedError(err) || ownPanic(err) {
				t.Fatalf("Read: %v", err)
			}
			continue
		}
		if row.Number <= last {
			t.Fatalf("row %d after row %d", row.Number, last)
		}
		last = row.Number
		if len(row.Fields) < len(r.Header()) {
			t.Fatalf("row %d has %d fields for %d columns", row.Number, len(row.Fields), len(r.Header()))
		}
		n++
	}
}

// ownPanic reports whether err is a panic the reader contained (see
// panicError) that broke out in this module's code rather than in a
// dependency: the fuzz tests accept the second kind, contained, and fail on
// the first, which is a bug to fix here.
func ownPanic(err error) bool {
	msg := err.Error()
	if !strings.Contains(msg, "decoder failed") {
		return false
	}
	_, after, ok := strings.Cut(msg, "\npanic(")
	if !ok {
		return true // no trace to tell: assume the worst
	}
	_, frame, _ := strings.Cut(after, "\n")
	frame, _, _ = strings.Cut(frame, "\n")
	return strings.Contains(frame, "github.com/crmio/crmio/")
}
