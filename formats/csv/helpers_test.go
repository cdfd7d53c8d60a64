package csv_test

import (
	"errors"
	"github.com/crmio/crmio/internal/corpus"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/csv"
)

// corpusDir returns the shared test corpus folder, ../shared/corpus from the
// repository root, skipping the test when it is absent.
func corpusDir(t testing.TB, sub string) string { t.Helper(); return corpus.Need(t, sub) }

// table is everything a reader yields.
type table struct {
	header  []string
	rows    [][]string
	numbers []int
	info    formats.Info
}

// readString reads CSV text with opts, failing the test on any error.
func readString(t testing.TB, text string, opts *formats.Options) table {
	t.Helper()
	r, err := csv.NewReader(strings.NewReader(text), opts)
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	return readAll(t, r)
}

func readFile(t testing.TB, path string, opts *formats.Options) table {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := csv.NewReader(f, opts)
	if err != nil {
		t.Fatalf("NewReader(%s): %v", filepath.Base(path), err)
	}
	return readAll(t, r)
}

func readAll(t testing.TB, r formats.Reader) table {
	t.Helper()
	defer r.Close()
	var tab table
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("Read after row %v: %v", tab.numbers, err)
		}
		tab.rows = append(tab.rows, slices.Clone(row.Fields))
		tab.numbers = append(tab.numbers, row.Number)
	}
	tab.header = r.Header() // with the columns ragged rows added
	tab.info = r.Info()
	return tab
}
